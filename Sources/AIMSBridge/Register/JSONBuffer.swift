/// A byte buffer that JSON is written into, with a fixed key order chosen by the caller.
///
/// Written by hand rather than with `JSONEncoder` because the register needs a fixed,
/// documented key order and byte-identical output across runs, and because records are
/// written one at a time on the conversion hot path.
public struct JSONBuffer: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8] = []
    /// Bit n is set when the container at depth n already has a member (so the next one needs
    /// a comma). Register records nest a few levels deep; 64 is far beyond that.
    private var needsComma: UInt64 = 0
    private var depth = 0
    /// Set by `key(_:)`: the next value's key has been written already.
    private var pendingKey = false

    /// Creates an empty buffer.
    public init() {
        bytes.reserveCapacity(4096)
    }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = 0
        depth = 0
    }

    /// Starts a new top-level value after the bytes already written (several documents back
    /// to back in one buffer), without clearing the buffer.
    public mutating func startNextValue() {
        needsComma = 0
        depth = 0
    }

    /// Starts an object (as a value, or under `key` inside an object).
    public mutating func beginObject(_ key: StaticString? = nil) {
        separator(key)
        bytes.append(UInt8(ascii: "{"))
        push()
    }

    /// Ends the current object.
    public mutating func endObject() {
        depth -= 1
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts an array.
    public mutating func beginArray(_ key: StaticString? = nil) {
        separator(key)
        bytes.append(UInt8(ascii: "["))
        push()
    }

    /// Ends the current array.
    public mutating func endArray() {
        depth -= 1
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a string value.
    public mutating func string(_ key: StaticString?, _ value: String) {
        separator(key)
        quoted(value)
    }

    /// Writes an integer value.
    public mutating func int(_ key: StaticString?, _ value: Int) {
        separator(key)
        appendDigits(value)
    }

    /// Writes a number: integral values without a fraction (`12`, not `12.0`).
    public mutating func number(_ key: StaticString?, _ value: Double) {
        separator(key)
        if value.isFinite && value == value.rounded() && abs(value) < 1e15 {
            appendDigits(Int(value))
        } else if value.isFinite {
            bytes.append(contentsOf: "\(value)".utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    /// Writes a boolean value.
    public mutating func bool(_ key: StaticString?, _ value: Bool) {
        separator(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes an array of strings.
    public mutating func strings(_ key: StaticString?, _ values: [String]) {
        beginArray(key)
        for value in values { string(nil, value) }
        endArray()
    }

    /// Appends bytes that are already JSON (a value in the current container).
    public mutating func raw(_ key: StaticString?, _ json: some Sequence<UInt8>) {
        separator(key)
        bytes.append(contentsOf: json)
    }

    private mutating func push() {
        depth += 1
        precondition(depth < 64, "JSON nesting deeper than 63 levels")
        needsComma &= ~(1 << UInt64(depth))
    }

    /// Starts a member whose key is not known in advance (a source field name): the key is
    /// escaped. Follow it with a value written with a nil key.
    public mutating func key(_ name: String) {
        comma()
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
        pendingKey = true
    }

    private mutating func comma() {
        let bit: UInt64 = 1 << UInt64(depth)
        if needsComma & bit != 0 { bytes.append(UInt8(ascii: ",")) }
        needsComma |= bit
    }

    /// Writes the comma and key before a value. Keys are the program's own ASCII literals, so
    /// they are copied as they are, not escaped.
    private mutating func separator(_ key: StaticString?) {
        if pendingKey {
            pendingKey = false
            return
        }
        comma()
        if let key {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ":"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func quoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Non-mutating access to the UTF-8 bytes where the string has them contiguous (native
        // and small strings); `withUTF8` would first check that the storage is unique.
        if value.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            var copy = value
            copy.withUTF8 { appendEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes that need an escape in a JSON string: controls, `"` and `\`.
    private static let needsEscape: [Bool] = (0...255).map { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        let table = JSONBuffer.needsEscape
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard table[Int(byte)] else { continue }
            // Copy the run of plain bytes before this one in one go.
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            runStart = index + 1
            // Single appends: an array literal here would be allocated on every escape.
            bytes.append(0x5C)
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(UInt8(ascii: "u"))
                bytes.append(0x30)
                bytes.append(0x30)
                bytes.append(JSONBuffer.hex[Int(byte >> 4)])
                bytes.append(JSONBuffer.hex[Int(byte & 0xF)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
    }

    /// Appends the decimal digits of `value` without making a `String`.
    private mutating func appendDigits(_ value: Int) {
        if value < 0 {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        if value >= 10 { appendDigits(value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
