/// A seeded hash of a run of bytes and a small number, for the tables keyed by bytes
/// (`ByteKeyedTable`, the JSON reader's `JSONPathTable`).
///
/// Written here rather than taken from `Hasher`: SipHash-1-3, with `Hasher`'s set-up and
/// finalization for every key, was over 3 % of a CSV conversion's time, looking up cells and pieces of
/// cells a few bytes long. This reads eight bytes at a time, mixing each word with a folded
/// 64 × 64 → 128-bit multiply, and ends with MurmurHash3's 64-bit finalizer. The seed is random per
/// process (taken from `Hasher`, which is), so inputs cannot be crafted offline to collide; and
/// the tables it serves are bounded, so even colliding keys cost a bounded number of probes.
enum ByteHash {
    /// This process's seed.
    static let seed: UInt64 = {
        var hasher = Hasher()
        hasher.combine(0x4149_4D53)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }()

    private static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The hash of `key`'s bytes and `tag`, under `seed`.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>, tag: Int, seed: UInt64) -> Int {
        var hash = fold(seed ^ (UInt64(truncatingIfNeeded: tag) &* multiplier) ^ UInt64(key.count))
        let count = key.count
        var index = 0
        if let base = key.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                hash = fold(hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                index += 8
            }
            // The tail (1 to 7 bytes) is one word: its bytes in order from the lowest, the rest
            // zero. It is read with loads that stay within the key (the last eight bytes, shifted;
            // or two overlapping four-byte loads) rather than a byte at a time: most keys are
            // cells and pieces of cells a few bytes long, and the loop was a tenth of a lookup.
            let rest = count - index
            if rest > 0 {
                var word: UInt64
                if count >= 8 {
                    word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) >> (UInt64(8 - rest) * 8)
                } else if rest >= 4 {
                    let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
                    let high = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: rest - 4, as: UInt32.self)))
                    word = low | high << (UInt64(rest - 4) * 8)
                } else {
                    word = UInt64(base[0])
                    if rest > 1 { word |= UInt64(base[1]) << 8 }
                    if rest > 2 { word |= UInt64(base[2]) << 16 }
                }
                hash = fold(hash ^ word)
            }
        }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return Int(truncatingIfNeeded: hash)
    }

    /// The high and low halves of `value` times the multiplier, xored.
    @inline(__always)
    private static func fold(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: multiplier)
        return product.high ^ product.low
    }
}
