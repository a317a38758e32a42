/// A table of at most `capacity` values, each keyed by a run of bytes and a small number (its
/// `tag`), looked up without making a key value: the interpretation cache's and the reference
/// parser's (keyed by cells and pieces of cells), the JSON reader's paths (keyed by a member's
/// name and its parent's path).
///
/// Written here rather than a `Dictionary` because the keys are bytes still in the input: a
/// `Dictionary` needs a key of its own for every lookup (a `String`, an allocation when longer
/// than 15 bytes, hashed and compared by Unicode rules that make two spellings of one text the
/// same key). This is open addressing over one buffer of key bytes, with at least twice as many
/// buckets as values (doubled as values come, when it starts with fewer), compared byte for byte.
struct ByteKeyedTable<Value> {
    /// How many values the table holds before it is full.
    let capacity: Int
    private var bucketMask: Int
    /// The process's `ByteHash` seed, read once here rather than from a global at every lookup.
    private let seed = ByteHash.seed

    /// Where a value's key is, by the value's index.
    private struct Key {
        let hash: Int
        let tag: Int
        let start: Int
        let count: Int
    }

    /// The index of each bucket's value, -1 when empty (made with the first value).
    private var buckets: [Int32] = []
    private var keys: [Key] = []
    private var values: [Value] = []
    /// The keys' bytes, back to back.
    private var keyBytes: [UInt8] = []

    /// Creates an empty table for `capacity` values, with buckets for `expected` of them at
    /// first (for all `capacity` when nil), their number doubled as more come.
    init(capacity: Int, expected: Int? = nil) {
        precondition(capacity > 0 && capacity < Int(Int32.max) / 2)
        self.capacity = capacity
        let first = min(capacity, expected ?? capacity)
        var buckets = 1
        while buckets < first * 2 { buckets <<= 1 }
        bucketMask = buckets - 1
    }

    /// Whether it holds `capacity` values; `insert` then needs a `removeAll` first.
    var isFull: Bool { values.count >= capacity }

    /// How many bytes its keys take.
    var keyByteCount: Int { keyBytes.count }

    /// The value held for these bytes and tag, if any.
    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>, tag: Int = 0) -> Value? {
        guard !values.isEmpty else { return nil }
        let hash = ByteHash.hash(key, tag: tag, seed: seed)
        var bucket = hash & bucketMask
        // Not in a closure: one reading the table copied it (each of its arrays retained) for
        // every lookup.
        while buckets[bucket] >= 0 {
            let index = Int(buckets[bucket])
            if keys[index].hash == hash, keys[index].tag == tag, keys[index].count == key.count,
               keyBytes.holds(key, at: keys[index].start) {
                return values[index]
            }
            bucket = (bucket + 1) & bucketMask
        }
        return nil
    }

    /// Holds `value` for these bytes and tag, which it does not hold yet; the table is not full.
    mutating func insert(_ value: Value, for key: UnsafeBufferPointer<UInt8>, tag: Int = 0) {
        precondition(!isFull, "ByteKeyedTable.insert into a full table")
        if buckets.isEmpty { buckets = Array(repeating: -1, count: bucketMask + 1) }
        let hash = ByteHash.hash(key, tag: tag, seed: seed)
        var bucket = hash & bucketMask
        while buckets[bucket] >= 0 { bucket = (bucket + 1) & bucketMask }
        buckets[bucket] = Int32(values.count)
        keys.append(Key(hash: hash, tag: tag, start: keyBytes.count, count: key.count))
        values.append(value)
        keyBytes.append(contentsOf: key)
        if values.count * 2 > buckets.count { doubleBuckets() }
    }

    /// Twice the buckets, each value placed again by its key's hash.
    private mutating func doubleBuckets() {
        bucketMask = bucketMask * 2 + 1
        buckets = Array(repeating: -1, count: bucketMask + 1)
        for index in keys.indices {
            var bucket = keys[index].hash & bucketMask
            while buckets[bucket] >= 0 { bucket = (bucket + 1) & bucketMask }
            buckets[bucket] = Int32(index)
        }
    }

    /// Empties the table; its memory is kept for the next values when `keepingCapacity`.
    mutating func removeAll(keepingCapacity: Bool) {
        if keepingCapacity {
            for index in buckets.indices { buckets[index] = -1 }
        } else {
            buckets = []
        }
        keys.removeAll(keepingCapacity: keepingCapacity)
        values.removeAll(keepingCapacity: keepingCapacity)
        keyBytes.removeAll(keepingCapacity: keepingCapacity)
    }
}

extension ByteKeyedTable: Sendable where Value: Sendable {}
