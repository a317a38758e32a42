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
            if index < count {
                var word: UInt64 = 0
                var shift: UInt64 = 0
                while index < count {
                    word |= UInt64(base[index]) << shift
                    shift += 8
                    index += 1
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
