/// Tests of 8 bytes at once, a word at a time, for the scans that every string of a conversion
/// or a report goes through (finding what JSON escapes, what a CSV cell must be quoted for).
///
/// Written here rather than taken from a library: the standard library has no such search over
/// bytes, and these are the usual bit tricks. A flags word has the high bit of each byte that
/// a test matched; a borrow can also flag a byte after a matched one, never one before it, so
/// the lowest flag is always exact.
enum ByteWords {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The 8 bytes at `bytes`, the first in the lowest bits whatever the machine's byte order.
    @inline(__always)
    static func load(_ bytes: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
    }

    /// Flags the bytes of `word` equal to `byte` (a zero byte of `word ^ byte…byte`).
    @inline(__always)
    static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & highs
    }

    /// Flags the bytes of `word` below `limit` (at most 0x80).
    @inline(__always)
    static func below(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- ones &* UInt64(limit)) & ~word & highs
    }

    /// Whether every byte of `word` is ASCII (below 0x80).
    @inline(__always)
    static func isASCII(_ word: UInt64) -> Bool {
        word & highs == 0
    }

    /// The offset in its word of the byte a non-zero flags word flags first.
    @inline(__always)
    static func firstFlagged(_ flags: UInt64) -> Int {
        flags.trailingZeroBitCount >> 3
    }

    /// Where the first word of `bytes` that `test` flags starts: words are tested from the
    /// start, the last one overlapping the one before it, and fewer than 8 bytes padded with
    /// `A`; nil when no word is flagged.
    @inline(__always)
    static func firstFlaggedWord(_ bytes: UnsafeBufferPointer<UInt8>, _ test: (UInt64) -> UInt64) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        if count < 8 {
            var word: UInt64 = 0x4141_4141_4141_4141
            withUnsafeMutableBytes(of: &word) { $0.baseAddress!.copyMemory(from: base, byteCount: count) }
            return test(word) != 0 ? 0 : nil
        }
        var index = 0
        while index + 8 <= count {
            if test(load(base + index)) != 0 { return index }
            index += 8
        }
        if index < count && test(load(base + count - 8)) != 0 { return count - 8 }
        return nil
    }
}
