import CByteScan

/// A byte buffer that JSON is written into, with a fixed key order chosen by the caller.
///
/// Written by hand rather than with `JSONEncoder` because the register needs a fixed,
/// documented key order and byte-identical output across runs, and because records are
/// written one at a time on the conversion hot path. For the same reason the bytes are kept in
/// storage of its own rather than in an `[UInt8]`: encoding a record is a few hundred small
/// writes, and an array checks uniqueness and capacity on each one, which measured as a sixth of
/// all the work of a conversion. Here each public call checks once, then writes through a pointer.
public struct JSONBuffer: Sendable {
    /// The bytes, shared between copies until one of them writes (copy on write).
    private var storage: Storage
    /// How many bytes of the storage are written.
    public private(set) var count = 0
    /// Bit n is set when the container at depth n already has a member (so the next one needs
    /// a comma). Register records nest a few levels deep; 64 is far beyond that.
    private var needsComma: UInt64 = 0
    private var depth = 0
    /// Set by `key(_:)`: the next value's key has been written already.
    private var pendingKey = false
    /// The last few fractional numbers written (by bit pattern) and their text: the same few
    /// recur on every record (a rating's 0.25, 0.5, 0.75), and formatting a `Double` cost as much
    /// as writing the rest of its rating.
    private var fractionBits: [UInt64] = []
    private var fractionTexts: [String] = []
    private var nextFraction = 0
    private static let fractionsKept = 8

    /// Creates an empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 4096) {
        storage = Storage(capacity: max(capacity, 64))
    }

    /// The bytes written so far (a copy).
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Calls `body` with the bytes written so far, lent rather than copied (a batch's JSON is
    /// most of a megabyte, and the writer hands it straight to the output).
    public func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try withExtendedLifetime(storage) { () throws(Failure) -> Result in
            try body(UnsafeRawBufferPointer(start: storage.base, count: count))
        }
    }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() {
        count = 0
        needsComma = 0
        depth = 0
    }

    /// How many bytes the buffer holds before it grows.
    var capacity: Int { storage.capacity }

    /// Makes room for `capacity` bytes in all before the buffer grows, and a quarter more when
    /// it has to grow for it: a buffer used again for batches of about the same size (see
    /// `SparePool`) then grows once, not whenever one is a little larger than the last.
    mutating func reserveCapacity(_ capacity: Int) {
        guard capacity > storage.capacity || !isKnownUniquelyReferenced(&storage) else { return }
        let room = max(capacity, storage.capacity) + capacity / 4
        storage = storage.copy(count, capacity: max(room, count))
    }

    /// Starts a new top-level value after the bytes already written (several documents back
    /// to back in one buffer), without clearing the buffer.
    public mutating func startNextValue() {
        needsComma = 0
        depth = 0
    }

    /// Appends a newline (between documents of NDJSON).
    public mutating func newline() {
        makeUnique(room: 1)
        put(0x0A)
    }

    // The structural writers (objects, arrays, integers) are inlined into the encoders: a record
    // makes some forty such calls, and as calls they measured 1.5 % of a CSV conversion.

    /// Starts an object (as a value, or under `key` inside an object).
    @inline(__always)
    public mutating func beginObject(_ key: StaticString? = nil) {
        makeUnique(room: Self.separatorRoom(key) + 1)
        separator(key)
        put(UInt8(ascii: "{"))
        push()
    }

    /// Ends the current object.
    @inline(__always)
    public mutating func endObject() {
        makeUnique(room: 1)
        depth -= 1
        put(UInt8(ascii: "}"))
    }

    /// Starts an array.
    @inline(__always)
    public mutating func beginArray(_ key: StaticString? = nil) {
        makeUnique(room: Self.separatorRoom(key) + 1)
        separator(key)
        put(UInt8(ascii: "["))
        push()
    }

    /// Ends the current array.
    @inline(__always)
    public mutating func endArray() {
        makeUnique(room: 1)
        depth -= 1
        put(UInt8(ascii: "]"))
    }

    /// Writes a string value.
    public mutating func string(_ key: StaticString?, _ value: String) {
        value.withUTF8Bytes { string(key, utf8: $0) }
    }

    /// Writes a string value given as its UTF-8 bytes (valid UTF-8).
    mutating func string(_ key: StaticString?, utf8: UnsafeBufferPointer<UInt8>) {
        makeUnique(room: Self.separatorRoom(key) + Self.quotedRoom(utf8))
        separator(key)
        quoted(utf8)
    }

    /// Writes an integer value.
    @inline(__always)
    public mutating func int(_ key: StaticString?, _ value: Int) {
        makeUnique(room: Self.separatorRoom(key) + 20)
        separator(key)
        putDigits(value)
    }

    /// Writes a number: integral values without a fraction (`12`, not `12.0`).
    public mutating func number(_ key: StaticString?, _ value: Double) {
        if value.isFinite && value == value.rounded() && abs(value) < 1e15 {
            int(key, Int(value))
        } else if value.isFinite {
            fractionText(value).withUTF8Bytes { raw(key, $0) }
        } else {
            ("null" as StaticString).withUTF8Buffer { raw(key, $0) }
        }
    }

    /// `value`'s shortest text (`0.25`), from the recent ones when it is one of them.
    private mutating func fractionText(_ value: Double) -> String {
        let bits = value.bitPattern
        if let index = fractionBits.firstIndex(of: bits) { return fractionTexts[index] }
        let text = value.description
        if fractionBits.count < JSONBuffer.fractionsKept {
            fractionBits.append(bits)
            fractionTexts.append(text)
        } else {
            fractionBits[nextFraction] = bits
            fractionTexts[nextFraction] = text
            nextFraction = (nextFraction + 1) % JSONBuffer.fractionsKept
        }
        return text
    }

    /// Writes a boolean value.
    public mutating func bool(_ key: StaticString?, _ value: Bool) {
        makeUnique(room: Self.separatorRoom(key) + 5)
        separator(key)
        put(value ? "true" : "false")
    }

    /// Writes an array of strings.
    public mutating func strings(_ key: StaticString?, _ values: [String]) {
        beginArray(key)
        for value in values { string(nil, value) }
        endArray()
    }

    /// Writes a value whose JSON is made already (`bytes`, one complete value).
    mutating func encoded(_ key: StaticString?, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { raw(key, $0) }
    }

    /// Appends bytes that are already JSON (a value in the current container).
    private mutating func raw(_ key: StaticString?, _ json: UnsafeBufferPointer<UInt8>) {
        makeUnique(room: Self.separatorRoom(key) + json.count)
        separator(key)
        put(json)
    }

    /// Starts a member whose key is not known in advance (a source field name): the key is
    /// escaped. Follow it with a value written with a nil key.
    public mutating func key(_ name: String) {
        name.withUTF8Bytes { utf8 in
            makeUnique(room: 1 + Self.quotedRoom(utf8) + 1)
            comma()
            quoted(utf8)
            put(UInt8(ascii: ":"))
        }
        pendingKey = true
    }

    private mutating func push() {
        depth += 1
        precondition(depth < 64, "JSON nesting deeper than 63 levels")
        needsComma &= ~(1 << UInt64(depth))
    }

    // The writes below assume the room was made by the public call they serve.

    /// Room for a separator: a comma and `"key":`.
    private static func separatorRoom(_ key: StaticString?) -> Int {
        1 + (key.map { $0.utf8CodeUnitCount + 3 } ?? 0)
    }

    /// Room for a quoted string: every byte escaped as `\u00XX`, and the quotes.
    private static func quotedRoom(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        utf8.count * 6 + 2
    }

    @inline(__always)
    private mutating func comma() {
        let bit: UInt64 = 1 << UInt64(depth)
        if needsComma & bit != 0 { put(UInt8(ascii: ",")) }
        needsComma |= bit
    }

    /// Writes the comma and key before a value. Keys are the program's own ASCII literals, so
    /// they are copied as they are, not escaped.
    @inline(__always)
    private mutating func separator(_ key: StaticString?) {
        if pendingKey {
            pendingKey = false
            return
        }
        comma()
        if let key {
            put(UInt8(ascii: "\""))
            put(key)
            put(UInt8(ascii: "\""))
            put(UInt8(ascii: ":"))
        }
    }

    private static let hex: StaticString = "0123456789abcdef"

    private mutating func quoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        put(UInt8(ascii: "\""))
        JSONEscapes.forEachRun(utf8, plain: { put($0) }, escaped: { byte in
            put(0x5C)
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(byte)
            case 0x0A: put(UInt8(ascii: "n"))
            case 0x0D: put(UInt8(ascii: "r"))
            case 0x09: put(UInt8(ascii: "t"))
            default:
                put("u00")
                let hex = JSONBuffer.hex.utf8Start
                put(hex[Int(byte >> 4)])
                put(hex[Int(byte & 0xF)])
            }
        })
        put(UInt8(ascii: "\""))
    }

    /// Writes the decimal digits of `value` without making a `String`.
    private mutating func putDigits(_ value: Int) {
        if value < 0 {
            put(UInt8(ascii: "-"))
            if value == .min {
                put("9223372036854775808")
                return
            }
            putDigits(-value)
            return
        }
        if value >= 10 { putDigits(value / 10) }
        put(UInt8(ascii: "0") + UInt8(value % 10))
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        storage.base[count] = byte
        count += 1
    }

    @inline(__always)
    private mutating func put(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    private mutating func put(_ run: UnsafeBufferPointer<UInt8>) {
        guard let source = run.baseAddress else { return }
        let length = run.count
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(storage.base + count)
        // Keys and most values are a few bytes: those are copied with two overlapping loads and
        // stores in place, rather than by a call to memcpy for each (about 150 calls a record,
        // measured as 4 % of the instructions of a CSV conversion).
        if length >= 8 && length <= 16 {
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: length - 8, as: UInt64.self)
        } else if length >= 4 && length < 8 {
            let head = from.loadUnaligned(as: UInt32.self)
            let tail = from.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: length - 4, as: UInt32.self)
        } else if length < 4 {
            for index in 0..<length { storage.base[count + index] = source[index] }
        } else {
            to.copyMemory(from: from, byteCount: length)
        }
        count += length
    }

    /// Makes the storage this buffer's own (copying it when another copy shares it) with room
    /// for `room` more bytes.
    @inline(__always)
    private mutating func makeUnique(room: Int) {
        let needed = count + room
        if !isKnownUniquelyReferenced(&storage) || needed > storage.capacity {
            var capacity = storage.capacity
            while capacity < needed { capacity *= 2 }
            storage = storage.copy(count, capacity: capacity)
        }
    }

    /// A heap block of bytes. Its fields never change (a bigger block is a new `Storage`), so
    /// reading them costs no exclusivity check.
    private final class Storage: @unchecked Sendable {
        // Unchecked: a JSONBuffer writes only to storage it holds the only reference to.
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        /// A new block of `capacity` bytes starting with the first `count` of this one.
        func copy(_ count: Int, capacity: Int) -> Storage {
            let copy = Storage(capacity: capacity)
            copy.base.initialize(from: base, count: count)
            return copy
        }

        deinit { base.deallocate() }
    }
}

/// Finds what a JSON string needs escaped: the controls, `"` and `\` (`aims_json_first_escape`).
/// Shared by the register's writer (`JSONBuffer`) and the reports' (`PrettyJSONWriter`), which
/// escape those bytes each in their own way.
enum JSONEscapes {
    /// Calls `plain` with each run of bytes of `utf8` that need no escape and `escaped` with each
    /// byte that does, in order. Most text needs no escape at all: it is handed over whole.
    @inline(__always)
    static func forEachRun(_ utf8: UnsafeBufferPointer<UInt8>, plain: (UnsafeBufferPointer<UInt8>) -> Void,
                           escaped: (UInt8) -> Void) {
        guard let base = utf8.baseAddress else {
            plain(utf8)
            return
        }
        let count = utf8.count
        var runStart = 0
        while true {
            let escape = runStart + aims_json_first_escape(base + runStart, count - runStart)
            plain(UnsafeBufferPointer(rebasing: utf8[runStart..<escape]))
            guard escape < count else { return }
            escaped(base[escape])
            runStart = escape + 1
        }
    }
}
