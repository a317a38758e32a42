#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds start tags with more attributes than a limit in the bytes about to be parsed, so that
/// such a tag stops the document before libxml2 reads it: libxml2 2.9 checks each attribute of
/// a tag against every one before it, time quadratic in their number (300,000 attributes on one
/// element took 17 s here, and three minutes with `xmllint --stream`).
///
/// A bound rather than a parser: every attribute has an `=` outside quotes, and a start tag
/// cannot hold a `<` (not even in a quoted value), so the `=` signs outside quotes from a `<name`
/// to the `>` that ends it, or to the next `<`, are at least the tag's attributes. Any `<`
/// starts over, which keeps a quote in a comment or a CDATA section from hiding a tag. Written
/// here because libxml2 offers no limit on attributes (its `XML_PARSE_HUGE` limits are on
/// lengths and depth).
struct XMLAttributeGuard {
    /// How characters are laid out in the document's bytes.
    enum Layout {
        /// One byte per ASCII character (UTF-8 and the other encodings libxml2 reads).
        case bytes
        /// UTF-16, little- or big-endian: an ASCII character is its byte and a zero byte.
        case utf16(bigEndian: Bool)

        /// The layout of a document that starts with `prefix`: UTF-16 by its byte-order mark or
        /// by the zero byte beside its first `<`.
        init(prefix: UnsafeBufferPointer<UInt8>) {
            guard prefix.count >= 2 else { self = .bytes; return }
            switch (prefix[0], prefix[1]) {
            case (0xFF, 0xFE), (0x3C, 0x00): self = .utf16(bigEndian: false)
            case (0xFE, 0xFF), (0x00, 0x3C): self = .utf16(bigEndian: true)
            default: self = .bytes
            }
        }
    }

    private enum State {
        /// Outside markup, or in markup that is not a start tag (`</`, `<!`, `<?`).
        case text
        /// Just after a `<`.
        case opened
        /// In a start tag, outside quotes.
        case tag
        /// In a quoted attribute value, waiting for this quote.
        case quoted(UInt8)
    }

    /// The most attributes a start tag may have.
    let limit: Int
    private let layout: Layout
    private var state = State.text
    private var count = 0
    /// The first byte of a UTF-16 code unit that the last bytes scanned ended in.
    private var halfUnit: UInt8?

    /// Creates a guard allowing `limit` attributes per start tag, in a document of `layout`.
    init(limit: Int, layout: Layout) {
        self.limit = limit
        self.layout = layout
    }

    /// Reads the next bytes of the document; returns the offset in them where a start tag has
    /// passed the limit (its `<`, or 0 when the tag began in earlier bytes), or nil.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var tagStart = 0
        guard case .utf16(let bigEndian) = layout else { return scanBytes(bytes, base) }
        var index = 0
        if let first = halfUnit, !bytes.isEmpty {
            halfUnit = nil
            let unit = bigEndian ? (first, bytes[0]) : (bytes[0], first)
            if unit.0 == 0, step(unit.1, at: 0, tagStart: &tagStart) { return 0 }
            index = 1
        }
        while index + 1 < bytes.count {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            // Only ASCII characters matter, and only they have a zero high byte.
            if high == 0, step(low, at: index, tagStart: &tagStart) { return tagStart }
            index += 2
        }
        if index < bytes.count { halfUnit = bytes[index] }
        return nil
    }

    /// A start tag over the limit spans more bytes than this without a `<` in them: each
    /// attribute takes at least four (`a=""`).
    private var window: Int { 4 * limit }

    /// `scan` for one byte per character. Only where no `<` follows a `<` within `window` bytes
    /// (and in the last bytes, whose tag may go on in the next ones) is the tag there read
    /// character by character; elsewhere the guard jumps from a `<` to the last `<` within the
    /// window, which no tag over the limit can lie between. Read a character at a time, the
    /// whole document took 5 % of an XML conversion's instructions.
    private mutating func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ base: UnsafePointer<UInt8>) -> Int? {
        var tagStart = 0
        var index = 0
        while index < bytes.count {
            if case .text = state {} else {
                // A tag (or a stretch checked character by character) goes on.
                if step(bytes[index], at: index, tagStart: &tagStart) { return tagStart }
                index += 1
                continue
            }
            guard let found = memchr(base + index, 0x3C, bytes.count - index) else { return nil }
            var open = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            while open + window < bytes.count, let next = Self.lastOpen(in: bytes, after: open, through: open + window) {
                open = next
            }
            if open + window >= bytes.count {
                // The last bytes: from their last `<` on, character by character.
                open = Self.lastOpen(in: bytes, after: open, through: bytes.count - 1) ?? open
            }
            index = open
            if step(bytes[index], at: index, tagStart: &tagStart) { return tagStart }
            index += 1
        }
        return nil
    }

    /// The offset of the last `<` in `bytes[(start + 1)...end]`, if any.
    private static func lastOpen(in bytes: UnsafeBufferPointer<UInt8>, after start: Int, through end: Int) -> Int? {
        var index = end
        while index > start {
            if bytes[index] == 0x3C { return index }
            index -= 1
        }
        return nil
    }

    /// Moves past one ASCII character at `offset`; true when a start tag passes the limit with it.
    private mutating func step(_ character: UInt8, at offset: Int, tagStart: inout Int) -> Bool {
        switch state {
        case .text:
            if character == 0x3C {
                tagStart = offset
                state = .opened
            }
        case .opened:
            if character == 0x3C {
                tagStart = offset
                return false
            }
            // `</`, `<!` and `<?` open no start tag.
            state = character == 0x2F || character == 0x21 || character == 0x3F ? .text : .tag
            count = 0
        case .tag:
            switch character {
            case 0x3D:
                count += 1
                if count > limit { return true }
            case 0x22, 0x27: state = .quoted(character)
            case 0x3E: state = .text
            case 0x3C:
                tagStart = offset
                state = .opened
            default: break
            }
        case .quoted(let quote):
            if character == quote {
                state = .tag
            } else if character == 0x3C {
                tagStart = offset
                state = .opened
            }
        }
        return false
    }
}
