import CByteScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A hand-written streaming JSON tokenizer.
//
// Foundation's `JSONSerialization` (and `JSONDecoder`) parse a whole document held in memory
// and build the whole object tree; an export of a million records would be held several times
// over. This tokenizer reads a `ByteSource` chunk by chunk, works on bytes, keeps only the
// current token contiguous in its buffer, and creates a `String` only when the reader asks
// for a value. Line and column (in bytes) are tracked as it goes, for locators.

/// A lexical token of JSON.
enum JSONToken: UInt8, Sendable {
    case beginObject, endObject, beginArray, endArray, colon, comma
    case string, number, trueValue, falseValue, null
    /// The end of the input.
    case end

    /// A phrase naming the token in a message ("an array", "a string").
    var phrase: String {
        switch self {
        case .beginObject: return "an object"
        case .beginArray: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .trueValue, .falseValue: return "a boolean"
        case .null: return "null"
        case .endObject: return "'}'"
        case .endArray: return "']'"
        case .colon: return "':'"
        case .comma: return "','"
        case .end: return "the end of the file"
        }
    }

    /// Whether the token starts a value.
    var startsValue: Bool {
        switch self {
        case .beginObject, .beginArray, .string, .number, .trueValue, .falseValue, .null: return true
        default: return false
        }
    }
}

/// Internal failures of the JSON reader, turned into `IngestError`s or rejected records.
enum JSONReadError: Error {
    /// Malformed JSON at a position.
    case syntax(String, line: Int, column: Int)
    /// The input ended inside a token or a container.
    case endOfFile(line: Int, column: Int)
    /// Nesting deeper than the limit; the position of the bracket that crossed it.
    case depth(line: Int, column: Int)
    /// Any other fatal problem, with a complete message.
    case fatal(String, line: Int, column: Int)
    /// The source could not be read.
    case io(IngestError)
}

/// Owns the tokenizer's byte buffer (a class so the memory is freed with the reader).
final class JSONByteBuffer {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Grows to at least `needed` bytes, keeping the first `count`.
    func reserve(_ needed: Int, keeping count: Int) {
        if needed <= capacity { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newPointer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if count > 0 { newPointer.update(from: pointer, count: count) }
        pointer.deallocate()
        pointer = newPointer
        capacity = newCapacity
    }
}

/// How a top-level object should be read when no record path is given (see
/// `JSONTokenizer.classifyTopLevelObject(window:)`).
enum JSONObjectShape {
    /// More top-level values follow: NDJSON / JSON Lines, each object a record.
    case sequence
    /// A lone object holding the records in a member (or too large to be one record).
    case wrapper
    /// A lone object whose members are only containers, with an empty array: no records.
    case emptyWrapper
    /// A lone object with no array-of-objects member: itself the only record.
    case single
}

/// A pull tokenizer over a `ByteSource`. Not copyable in practice: copies share the buffer.
struct JSONTokenizer {
    private let source: ByteSource
    private let storage: JSONByteBuffer
    /// Bytes held: `0..<count` of the buffer; `pos` is the next byte to read.
    private var count = 0
    private var pos = 0
    /// Absolute offset in the input of buffer index 0.
    private var base = 0
    private var sourceDone = false
    /// Current line (1-based) and the absolute offset where it starts.
    private var line = 1
    private var lineStart = 0
    /// Strings and numbers longer than this (in source bytes) are flagged and not kept.
    let maxTokenBytes: Int

    /// Buffer index, absolute offset, line and column of the current token.
    private var tokenStart = 0
    private(set) var tokenOffset = 0
    /// Absolute offset just after the current token.
    var endOffset: Int { base + pos }
    private(set) var tokenLine = 1
    private(set) var tokenColumn = 1
    /// Raw content of the current string (between the quotes) or number.
    private var valueStart = 0
    private var valueEnd = 0
    /// The current string has escapes.
    private var hasEscape = false
    /// The current string's bytes are all ASCII (found while it is scanned; not set for a string
    /// with escapes, whose decoded bytes are checked instead).
    private var isASCII = false
    /// The current string or number is longer than `maxTokenBytes`.
    private(set) var oversized = false
    /// First control character found raw inside the current string, if any.
    private(set) var controlCharacter: UInt8?
    /// Whether decoding the current string replaced an escaped UTF-16 surrogate that had no
    /// partner (`"\uD83D"` of an emoji cut in two) with U+FFFD: it is no character.
    private(set) var replacedLoneSurrogate = false
    /// Why the last `stringValue()` or `withStringBytes` failed.
    private(set) var stringProblem = ""
    /// Decoded bytes of a string with escapes (never longer than its source text).
    private let scratch = JSONByteBuffer(capacity: 256)
    private var scratchCount = 0

    /// Capture of the current record's raw text (for rejected records).
    private var rawStart = -1
    private var raw: [UInt8] = []
    /// How many bytes a capture keeps (the rest of a longer value is left out).
    let rawLimit = RejectedRecord.rawLimit

    init(source: ByteSource, maxTokenBytes: Int) {
        self.source = source
        self.maxTokenBytes = max(maxTokenBytes, 1)
        storage = JSONByteBuffer(capacity: min(max(source.chunkSize, 1 << 12), 1 << 22) * 2)
    }

    // MARK: Position

    /// Line and column of the end of the input read so far (where an EOF error points).
    var endPosition: (line: Int, column: Int) { (line, base + count - lineStart + 1) }

    private func endOfFile() -> JSONReadError {
        .endOfFile(line: line, column: base + count - lineStart + 1)
    }

    private func syntax(_ message: String, at index: Int) -> JSONReadError {
        .syntax(message, line: line, column: base + index - lineStart + 1)
    }

    // MARK: Buffer

    /// Reads the next chunk, dropping the bytes before `keep`. Returns how far buffer indices
    /// moved down, or nil at the end of the input.
    private mutating func refill(keeping keep: Int) throws(JSONReadError) -> Int? {
        if sourceDone { return nil }
        var chunk: [UInt8] = []
        while chunk.isEmpty {
            let next: [UInt8]?
            do { next = try source.nextChunk() } catch { throw .io(error) }
            guard let next else {
                sourceDone = true
                return nil
            }
            chunk = next
        }
        let p = storage.pointer
        if rawStart >= 0 && rawStart < keep && raw.count < rawLimit {
            let n = min(keep - rawStart, rawLimit - raw.count)
            raw.append(contentsOf: UnsafeBufferPointer(start: p + rawStart, count: n))
        }
        let kept = count - keep
        if keep > 0 && kept > 0 { memmove(p, p + keep, kept) }
        base += keep
        count = kept
        pos -= keep
        tokenStart -= keep
        valueStart -= keep
        valueEnd -= keep
        if rawStart >= 0 { rawStart = max(rawStart - keep, 0) }
        storage.reserve(count + chunk.count, keeping: count)
        let q = storage.pointer
        let c = count
        chunk.withUnsafeBufferPointer { buffer in
            (q + c).update(from: buffer.baseAddress!, count: buffer.count)
        }
        count += chunk.count
        return keep
    }

    /// Skips a UTF-8 byte order mark at the start of the input.
    mutating func skipByteOrderMark() throws(JSONReadError) {
        while count - pos < 3 {
            guard try refill(keeping: pos) != nil else { break }
        }
        let p = storage.pointer
        if count - pos >= 3 && p[pos] == 0xEF && p[pos + 1] == 0xBB && p[pos + 2] == 0xBF {
            pos += 3
            lineStart = base + pos
        }
    }

    /// Skips whitespace; false at the end of the input.
    private mutating func skipWhitespace() throws(JSONReadError) -> Bool {
        var p = storage.pointer
        while true {
            while pos < count {
                let b = p[pos]
                if b == 0x20 || b == 0x09 || b == 0x0D {
                    pos += 1
                } else if b == 0x0A {
                    pos += 1
                    line += 1
                    lineStart = base + pos
                } else {
                    return true
                }
            }
            guard try refill(keeping: pos) != nil else { return false }
            p = storage.pointer
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end of the input.
    mutating func peekByte() throws(JSONReadError) -> UInt8? {
        guard try skipWhitespace() else { return nil }
        return storage.pointer[pos]
    }

    /// Skips to just after the next newline (resynchronising NDJSON after an error).
    mutating func skipLine() throws(JSONReadError) {
        var p = storage.pointer
        while true {
            while pos < count {
                let b = p[pos]
                pos += 1
                if b == 0x0A {
                    line += 1
                    lineStart = base + pos
                    return
                }
            }
            guard try refill(keeping: pos) != nil else { return }
            p = storage.pointer
        }
    }

    // MARK: Tokens

    /// Reads the next token. After `.string` or `.number`, the value is available until the
    /// next call.
    mutating func next() throws(JSONReadError) -> JSONToken {
        let more = try skipWhitespace()
        tokenStart = pos
        tokenOffset = base + pos
        tokenLine = line
        tokenColumn = tokenOffset - lineStart + 1
        guard more else { return .end }
        let b = storage.pointer[pos]
        switch b {
        case UInt8(ascii: "{"): pos += 1; return .beginObject
        case UInt8(ascii: "}"): pos += 1; return .endObject
        case UInt8(ascii: "["): pos += 1; return .beginArray
        case UInt8(ascii: "]"): pos += 1; return .endArray
        case UInt8(ascii: ","): pos += 1; return .comma
        case UInt8(ascii: ":"): pos += 1; return .colon
        case UInt8(ascii: "\""):
            try scanString()
            return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber()
            return .number
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .trueValue
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .falseValue
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return .null
        default:
            throw syntax("unexpected \(Self.describe(byte: b))", at: pos)
        }
    }

    static func describe(byte b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x\(hex.count < 2 ? "0" + hex : hex)"
    }

    private mutating func scanString() throws(JSONReadError) {
        hasEscape = false
        isASCII = false
        oversized = false
        controlCharacter = nil
        replacedLoneSurrogate = false
        var p = storage.pointer
        var i = pos + 1
        valueStart = i
        var pendingEscape = false
        // Whether a byte of the string's plain text is not ASCII.
        var sawNonASCII = false
        while true {
            if pendingEscape && i < count {
                // The byte after a backslash that ended the previous chunk.
                if p[i] < 0x20 { noteControl(p[i], at: i) }
                i += 1
                pendingEscape = false
            }
            while i < count {
                // Plain text is skipped 16 bytes at a time, up to the first quote, backslash or
                // control (descriptions of hundreds of bytes come this way), and tested for
                // bytes that are not ASCII until one is found (`CByteScan`).
                let plain = aims_json_first_escape(p + i, count - i)
                if plain > 0 {
                    if !sawNonASCII { sawNonASCII = aims_ascii_prefix(p + i, plain) < plain }
                    i += plain
                    if i == count { break }
                }
                let b = p[i]
                if b == 0x22 {
                    valueEnd = i
                    pos = i + 1
                    isASCII = !sawNonASCII
                    if !oversized && valueEnd - valueStart > maxTokenBytes { oversized = true }
                    return
                }
                if b == 0x5C {
                    hasEscape = true
                    if i + 1 >= count {
                        pendingEscape = true
                        i += 1
                        break
                    }
                    if p[i + 1] < 0x20 { noteControl(p[i + 1], at: i + 1) }
                    i += 2
                    continue
                }
                noteControl(b, at: i)
                i += 1
            }
            if !oversized && i - valueStart > maxTokenBytes { oversized = true }
            // An oversized string is not kept: only its end is looked for.
            let keep = oversized ? min(i, count) : tokenStart
            guard let shift = try refill(keeping: keep) else { throw endOfFile() }
            i -= shift
            p = storage.pointer
        }
    }

    private mutating func noteControl(_ b: UInt8, at index: Int) {
        if controlCharacter == nil { controlCharacter = b }
        if b == 0x0A {
            line += 1
            lineStart = base + index + 1
        }
    }

    private mutating func scanNumber() throws(JSONReadError) {
        oversized = false
        var p = storage.pointer
        var i = pos
        valueStart = i
        while true {
            while i < count {
                let b = p[i]
                if (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45 {
                    i += 1
                } else {
                    valueEnd = i
                    pos = i
                    if !oversized && valueEnd - valueStart > maxTokenBytes { oversized = true }
                    return
                }
            }
            if !oversized && i - valueStart > maxTokenBytes { oversized = true }
            let keep = oversized ? i : tokenStart
            guard let shift = try refill(keeping: keep) else {
                valueEnd = i
                pos = i
                if !oversized && valueEnd - valueStart > maxTokenBytes { oversized = true }
                return
            }
            i -= shift
            p = storage.pointer
        }
    }

    private mutating func scanLiteral(_ word: StaticString) throws(JSONReadError) {
        let length = word.utf8CodeUnitCount
        while count - pos < length {
            guard try refill(keeping: pos) != nil else { break }
        }
        let p = storage.pointer
        let expected = word.utf8Start
        var matched = 0
        while matched < length && pos + matched < count && p[pos + matched] == expected[matched] {
            matched += 1
        }
        if matched == length {
            pos += length
            return
        }
        if pos + matched >= count { throw endOfFile() }
        throw syntax("unexpected \(Self.describe(byte: p[pos + matched]))", at: pos + matched)
    }

    // MARK: Values

    /// The current number's text exactly as written.
    func numberText() -> String {
        String(decoding: UnsafeBufferPointer(start: storage.pointer + valueStart, count: valueEnd - valueStart),
               as: UTF8.self)
    }

    /// Whether the current number follows JSON's grammar
    /// (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
    func numberIsValid() -> Bool {
        let p = storage.pointer
        var i = valueStart
        let end = valueEnd
        func digit(_ i: Int) -> Bool { i < end && p[i] >= 0x30 && p[i] <= 0x39 }
        if i < end && p[i] == 0x2D { i += 1 }
        guard digit(i) else { return false }
        if p[i] == 0x30 {
            i += 1
        } else {
            while digit(i) { i += 1 }
        }
        if i < end && p[i] == 0x2E {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        if i < end && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < end && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        return i == end
    }

    /// The current string's decoded bytes (escapes resolved, not yet checked for UTF-8), valid
    /// until the next call to the tokenizer. Nil, with `stringProblem` set, when an escape is
    /// invalid.
    mutating func stringBytes() -> UnsafeBufferPointer<UInt8>? {
        if !hasEscape {
            return UnsafeBufferPointer(start: storage.pointer + valueStart, count: valueEnd - valueStart)
        }
        guard decodeEscapes() else { return nil }
        return UnsafeBufferPointer(start: scratch.pointer, count: scratchCount)
    }

    /// The current string, decoded and checked; nil, with `stringProblem` set, when it has an
    /// invalid escape or is not valid UTF-8.
    mutating func stringValue() -> String? {
        guard let bytes = stringBytes() else { return nil }
        // ASCII is valid UTF-8 as it is, and found so while the string was scanned.
        if isASCII && !hasEscape { return String(decoding: bytes, as: UTF8.self) }
        guard let string = TextDecoding.validUTF8(bytes) else {
            stringProblem = "invalid UTF-8"
            return nil
        }
        return string
    }

    /// Decodes the current string's escapes into `scratch`.
    private mutating func decodeEscapes() -> Bool {
        let p = storage.pointer
        let end = valueEnd
        scratch.reserve(end - valueStart, keeping: 0)
        let out = scratch.pointer
        var n = 0
        var i = valueStart
        var segment = i
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            var value: UInt32 = 0
            for k in at..<(at + 4) {
                let b = p[k]
                let digit: UInt8
                switch b {
                case 0x30...0x39: digit = b - 0x30
                case 0x41...0x46: digit = b - 0x41 + 10
                case 0x61...0x66: digit = b - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < end {
            if p[i] != 0x5C {
                i += 1
                continue
            }
            if segment < i {
                (out + n).update(from: p + segment, count: i - segment)
                n += i - segment
            }
            let c = p[i + 1]
            var byte: UInt8 = 0
            switch c {
            case 0x22, 0x5C, 0x2F: byte = c
            case UInt8(ascii: "b"): byte = 0x08
            case UInt8(ascii: "f"): byte = 0x0C
            case UInt8(ascii: "n"): byte = 0x0A
            case UInt8(ascii: "r"): byte = 0x0D
            case UInt8(ascii: "t"): byte = 0x09
            case UInt8(ascii: "u"):
                guard var scalar = hex4(i + 2) else {
                    stringProblem = "invalid \\u escape"
                    return false
                }
                i += 6
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // A high surrogate: combine with a following low surrogate, else U+FFFD.
                    if i + 6 <= end && p[i] == 0x5C && p[i + 1] == UInt8(ascii: "u"),
                       let low = hex4(i + 2), low >= 0xDC00 && low <= 0xDFFF {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                        replacedLoneSurrogate = true
                    }
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    scalar = 0xFFFD
                    replacedLoneSurrogate = true
                }
                n += Self.encodeUTF8(scalar, into: out + n)
                segment = i
                continue
            default:
                stringProblem = "invalid escape sequence '\\\(Self.printable(c))'"
                return false
            }
            out[n] = byte
            n += 1
            i += 2
            segment = i
        }
        if segment < end {
            (out + n).update(from: p + segment, count: end - segment)
            n += end - segment
        }
        scratchCount = n
        return true
    }

    private static func printable(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(Character(Unicode.Scalar(b))) : "\\u{\(String(b, radix: 16))}"
    }

    /// Writes `scalar` as UTF-8 at `out`; returns the byte count (at most 4, never more than
    /// the 6-byte escape it comes from).
    private static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    // MARK: Raw capture

    /// Starts capturing raw text at the current token.
    mutating func beginRaw() {
        raw.removeAll(keepingCapacity: true)
        rawStart = tokenStart
    }

    /// Ends the capture: the text from the capture start to the current position, at most
    /// `rawLimit` bytes (invalid UTF-8 is repaired).
    mutating func endRaw() -> String {
        String(decoding: endRawBytes(), as: UTF8.self)
    }

    /// Ends the capture: the bytes from the capture start to the current position, at most
    /// `rawLimit` of them.
    mutating func endRawBytes() -> [UInt8] {
        defer {
            rawStart = -1
            raw.removeAll(keepingCapacity: true)
        }
        guard rawStart >= 0 else { return [] }
        if raw.count < rawLimit && rawStart < pos {
            let n = min(pos - rawStart, rawLimit - raw.count)
            raw.append(contentsOf: UnsafeBufferPointer(start: storage.pointer + rawStart, count: n))
        }
        return raw
    }

    /// Ends the capture, discarding it.
    mutating func cancelRaw() {
        rawStart = -1
        if !raw.isEmpty { raw.removeAll(keepingCapacity: true) }
    }

    // MARK: Shape detection

    /// Looks ahead, without consuming, at the top-level object starting at the next byte
    /// (which must be `{`), holding at most `window` bytes: whether other values follow it,
    /// and whether one of its members is an array of objects. An object still open after
    /// `window` bytes is a wrapper, unless the input is known to be `lines` (NDJSON by its name):
    /// then it is a first line too long to be a record, of a sequence.
    mutating func classifyTopLevelObject(window: Int, lines: Bool = false) throws(JSONReadError) -> JSONObjectShape {
        guard try skipWhitespace() else { return .single }
        tokenStart = pos
        var p = storage.pointer
        var i = pos
        var depth = 0
        var inString = false
        var escaped = false
        var closed = false
        var checkArray = false
        var expectValue = false
        var arrayOfObjects = false
        var emptyArray = false
        var scalarMember = false
        while true {
            // Bytes beyond the window are never looked at, so the answer does not depend on
            // how the input is chunked.
            let limit = min(count, pos + window)
            while i < limit {
                let b = p[i]
                i += 1
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == 0x5C {
                        escaped = true
                    } else if b == 0x22 {
                        inString = false
                    }
                    continue
                }
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { continue }
                if closed { return .sequence }
                if checkArray {
                    checkArray = false
                    if b == UInt8(ascii: "{") { arrayOfObjects = true }
                    if b == UInt8(ascii: "]") { emptyArray = true }
                }
                if expectValue {
                    expectValue = false
                    if b != UInt8(ascii: "{") && b != UInt8(ascii: "[") { scalarMember = true }
                }
                switch b {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth == 2 && b == UInt8(ascii: "[") { checkArray = true }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth <= 0 { closed = true }
                case UInt8(ascii: ":"):
                    if depth == 1 { expectValue = true }
                default:
                    break
                }
            }
            if i >= pos + window { return closed || lines ? .sequence : .wrapper }
            guard let shift = try refill(keeping: pos) else { break }
            i -= shift
            p = storage.pointer
        }
        if !closed { return .wrapper }
        if arrayOfObjects { return .wrapper }
        return emptyArray && !scalarMember ? .emptyWrapper : .single
    }
}
