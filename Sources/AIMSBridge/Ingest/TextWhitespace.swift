// Whitespace and byte helpers on text that every stage uses: trimming and blank tests by
// Unicode's White_Space property, reading a string's UTF-8 bytes without copying it, and
// replacing ASCII characters byte by byte (escapes in reports).

extension String {
    /// The string without leading and trailing whitespace (Unicode's definition).
    func trimmingWhitespace() -> String {
        // Only the two ends can need trimming: look at them before scanning.
        if withUTF8Bytes(String.hasVisibleEnds) { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isUnicodeWhitespace }) else { return "" }
        let last = scalars.lastIndex { !$0.isUnicodeWhitespace }!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }

    /// Whether UTF-8 text has nothing to trim: it is not empty, and neither its first nor its
    /// last scalar is whitespace (Unicode's definition). Read from the bytes, the ends only, so
    /// that bytes not yet a string (a CSV cell) are tested without making one; bytes that are
    /// not UTF-8 count as the replacement character they decode to, which is not whitespace.
    @inline(__always)
    static func hasVisibleEnds(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let head = utf8.first, let tail = utf8.last else { return false }
        // Most values start and end with a visible ASCII character.
        if head > 0x20 && head < 0x80 && tail > 0x20 && tail < 0x80 { return true }
        return !startsWithWhitespace(utf8) && !endsWithWhitespace(utf8)
    }

    private static func startsWithWhitespace(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var bytes = utf8.makeIterator()
        var decoder = Unicode.UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&bytes) else { return false }
        return scalar.isUnicodeWhitespace
    }

    private static func endsWithWhitespace(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        // The last scalar starts at the last byte that is not a continuation byte (10xxxxxx),
        // at most 3 bytes before the end.
        var start = utf8.count - 1
        while start > 0 && utf8.count - start < 4 && utf8[start] & 0xC0 == 0x80 { start -= 1 }
        var bytes = UnsafeBufferPointer(rebasing: utf8[start...]).makeIterator()
        var decoder = Unicode.UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&bytes), bytes.next() == nil else { return false }
        return scalar.isUnicodeWhitespace
    }

    /// Whether the string is empty or only whitespace (Unicode's definition), without making
    /// the trimmed string.
    var isBlank: Bool { unicodeScalars.allSatisfy(\.isUnicodeWhitespace) }

    /// Whether UTF-8 text is empty or only whitespace, as `isBlank` says, without making a
    /// string of it unless it has non-ASCII bytes before its first visible character (most
    /// values start with one; the space between XML elements is ASCII).
    static func isBlank(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 {
            switch byte {
            case 0x09...0x0D, 0x20: continue
            case 0x80...: return String(decoding: utf8, as: UTF8.self).isBlank
            default: return false
            }
        }
        return true
    }

    /// Calls `body` with the string's UTF-8 bytes. A native string's own storage is lent, where
    /// `withUTF8` needs a mutable copy of the string, whose retain and release showed in profiles
    /// of the conversion's hot path.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, spelled out (the property's 25 code points have not
    /// changed since Unicode 6.3): looking it up in the runtime's tables measured as a visible
    /// part of reading non-ASCII text.
    var isUnicodeWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

/// Replaces some ASCII characters of a text with texts of their own (escapes, entities), byte by
/// byte. Not by characters: a character can hold an ASCII sign with other scalars (`\u{600}<` is
/// one character, a prefix and `<`), and compared as a character the sign would pass unescaped,
/// opening a tag in the page (`\u{600}<img onerror=…>`).
struct ASCIIReplacements: Sendable {
    /// The replacement of each ASCII byte, by its value; nil for a byte kept as it is.
    private var replacements: [StaticString?] = Array(repeating: nil, count: 128)
    /// The bytes that have a replacement.
    private let replaced: ASCIISet

    /// Replaces each character on the left (ASCII) with the text on the right.
    init(_ pairs: KeyValuePairs<Unicode.Scalar, StaticString>) {
        for (scalar, replacement) in pairs {
            precondition(scalar.isASCII, "only ASCII characters are replaced")
            replacements[Int(scalar.value)] = replacement
        }
        replaced = ASCIISet(String(String.UnicodeScalarView(pairs.map(\.key))))
    }

    /// `text` with the replacements made.
    func apply(to text: String) -> String {
        var text = text
        // The bytes between replacements are copied a run at a time, and a text with nothing to
        // replace is given back as it is (copied byte by byte, the texts took 7 % of building
        // the Markdown reports).
        let replacedText: String? = text.withUTF8 { bytes in
            var result: [UInt8] = []
            var runStart = 0
            for index in bytes.indices where replaced.contains(bytes[index]) {
                if result.isEmpty { result.reserveCapacity(bytes.count + 16) }
                result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                replacements[Int(bytes[index])]!.withUTF8Buffer { result.append(contentsOf: $0) }
                runStart = index + 1
            }
            guard runStart > 0 else { return nil }
            result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            return String(decoding: result, as: UTF8.self)
        }
        return replacedText ?? text
    }
}
