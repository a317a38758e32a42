import CByteScan

/// Turns field bytes into strings: UTF-8 when valid, else Windows-1252 (the encoding Excel uses
/// for "CSV" on Western European Windows), which maps every byte to a character.
enum TextDecoding {
    /// Decodes `bytes` as UTF-8, or as Windows-1252 when they are not valid UTF-8.
    /// `usedFallback` is set when the fallback was needed.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, usedFallback: inout Bool) -> String {
        if let text = validUTF8(bytes) { return text }
        usedFallback = true
        return windows1252(bytes)
    }

    /// The string of `bytes` when they are valid UTF-8; nil when they are not.
    static func validUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // `String(decoding:)` repairs invalid UTF-8 with U+FFFD, so the bytes were valid exactly
        // when it gives them back unchanged. (Cheaper than the generic `String(validating:as:)`,
        // which looks up type metadata on every call: 3 % of merging three registers.)
        var text = String(decoding: bytes, as: UTF8.self)
        let unchanged = text.withUTF8 { $0.hasSameBytes(as: bytes) }
        return unchanged ? text : nil
    }

    /// Whether `bytes` are valid UTF-8 (what `validUTF8` accepts), found without making a
    /// string (`aims_utf8_valid`: ASCII skipped 16 bytes at a time, each other sequence checked
    /// against the well-formed sequences of the Unicode standard). The standard library only
    /// validates while making a string, and the CSV reader checks every row before its cells are
    /// made strings on another thread.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return aims_utf8_valid(base, bytes.count) != 0
    }

    /// Decodes bytes as Windows-1252. The five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90,
    /// 0x9D) map to the C1 controls of the same value, as browsers do.
    static func windows1252<C: Collection<UInt8>>(_ bytes: C) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte >= 0x80 && byte <= 0x9F {
                scalars.append(Unicode.Scalar(windows1252High[Int(byte - 0x80)]) ?? Unicode.Scalar(byte))
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Code points for bytes 0x80…0x9F in Windows-1252.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

/// The byte encoding of a text input, as found from its byte-order mark (or its NUL pattern).
enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"

    /// Detects the encoding from the first bytes; returns it with the BOM length to skip.
    /// Without a BOM, text where most bytes in the first few KiB are NUL on one side of each
    /// pair is read as UTF-16 of that byte order (Excel's "Unicode text" sometimes loses its BOM).
    static func detect(_ prefix: ArraySlice<UInt8>) -> (encoding: TextEncoding, bomLength: Int, guessed: Bool) {
        let bytes = Array(prefix)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3, false) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2, false) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2, false) }
        let sample = bytes.prefix(4096)
        guard sample.count >= 8 else { return (.utf8, 0, false) }
        var evenNUL = 0
        var oddNUL = 0
        for (index, byte) in sample.enumerated() where byte == 0 {
            if index % 2 == 0 { evenNUL += 1 } else { oddNUL += 1 }
        }
        let pairs = sample.count / 2
        if oddNUL * 10 >= pairs * 7 && evenNUL * 10 < pairs { return (.utf16LE, 0, true) }
        if evenNUL * 10 >= pairs * 7 && oddNUL * 10 < pairs { return (.utf16BE, 0, true) }
        return (.utf8, 0, false)
    }
}

/// Converts a UTF-16 byte stream to UTF-8 chunk by chunk, carrying an odd byte or a high
/// surrogate over to the next chunk. Unpaired surrogates become U+FFFD.
struct UTF16ToUTF8Transcoder {
    let bigEndian: Bool
    private var carryByte: UInt8?
    private var carryHighSurrogate: UInt16?

    init(bigEndian: Bool) {
        self.bigEndian = bigEndian
    }

    /// Transcodes one chunk; `final` flushes anything carried.
    mutating func transcode(_ chunk: [UInt8], final: Bool = false) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(chunk.count / 2 + 2)
        if let high = carryHighSurrogate {
            units.append(high)
            carryHighSurrogate = nil
        }
        var index = 0
        if let first = carryByte, !chunk.isEmpty {
            units.append(unit(first, chunk[0]))
            carryByte = nil
            index = 1
        }
        while index + 1 < chunk.count {
            units.append(unit(chunk[index], chunk[index + 1]))
            index += 2
        }
        if index < chunk.count { carryByte = chunk[index] }
        if !final, let last = units.last, UTF16.isLeadSurrogate(last) {
            carryHighSurrogate = last
            units.removeLast()
        }
        var output: [UInt8] = []
        output.reserveCapacity(units.count * 2)
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): UTF8.encode(scalar) { output.append($0) }
            case .error: UTF8.encode("\u{FFFD}") { output.append($0) }
            case .emptyInput: break loop
            }
        }
        if final && carryByte != nil {
            UTF8.encode("\u{FFFD}") { output.append($0) }
            carryByte = nil
        }
        return output
    }

    private func unit(_ a: UInt8, _ b: UInt8) -> UInt16 {
        bigEndian ? UInt16(a) << 8 | UInt16(b) : UInt16(b) << 8 | UInt16(a)
    }
}
