import Testing
@testable import AIMSBridge

/// The table under the interpretation cache, the reference parser's pieces and the JSON reader's
/// paths.
@Suite struct ByteKeyedTableTests {
    private func look(_ table: ByteKeyedTable<Int>, _ key: String, tag: Int = 0) -> Int? {
        Array(key.utf8).withUnsafeBufferPointer { table.value(for: $0, tag: tag) }
    }

    private func insert(_ value: Int, _ key: String, tag: Int = 0, into table: inout ByteKeyedTable<Int>) {
        Array(key.utf8).withUnsafeBufferPointer { table.insert(value, for: $0, tag: tag) }
    }

    @Test func aKeyIsItsBytesAndItsTag() {
        var table = ByteKeyedTable<Int>(capacity: 8)
        #expect(look(table, "A.5.2") == nil)
        insert(1, "A.5.2", into: &table)
        insert(2, "A.5.2", tag: 3, into: &table)
        insert(3, "", into: &table)
        // Canonically equivalent text in other bytes is another key.
        insert(4, "\u{C9}", into: &table)
        insert(5, "E\u{301}", into: &table)
        #expect(look(table, "A.5.2") == 1)
        #expect(look(table, "A.5.2", tag: 3) == 2)
        #expect(look(table, "A.5.2", tag: 1) == nil)
        #expect(look(table, "") == 3)
        #expect(look(table, "\u{C9}") == 4 && look(table, "E\u{301}") == 5)
        #expect(look(table, "A.5.") == nil && look(table, "A.5.22") == nil)
        #expect(!table.isFull)
    }

    @Test func aFullTableIsEmptiedToTakeMore() {
        var table = ByteKeyedTable<Int>(capacity: 100)
        // More keys than buckets' worth of any one hash, all found while the table fills.
        for index in 0..<100 { insert(index, "key \(index)", into: &table) }
        #expect(table.isFull)
        let found = (0..<100).map { look(table, "key \($0)") }
        #expect(found == Array(0..<100))
        table.removeAll(keepingCapacity: true)
        #expect(!table.isFull && look(table, "key 7") == nil)
        insert(7, "key 7", into: &table)
        #expect(look(table, "key 7") == 7)
        table.removeAll(keepingCapacity: false)
        #expect(look(table, "key 7") == nil)
        insert(8, "key 8", into: &table)
        #expect(look(table, "key 8") == 8)
    }

    @Test func aTableStartedSmallGrowsAndFindsEveryKey() {
        // Buckets for 4 values at first (8), doubled four times on the way to 100 values: each
        // key is found after every doubling, under its own tag only.
        var table = ByteKeyedTable<Int>(capacity: 1_000, expected: 4)
        for index in 0..<100 {
            insert(index, "key \(index % 10)", tag: index / 10, into: &table)
            let found = (0...index).map { look(table, "key \($0 % 10)", tag: $0 / 10) }
            #expect(found == Array(0...index))
        }
        #expect(look(table, "key 3", tag: 10) == nil && look(table, "key 10") == nil)
        #expect(!table.isFull && table.keyByteCount == 100 * 5)
    }

    @Test func everyByteAndTheTagChangeTheHash() {
        // Keys of 0 to 24 bytes (whole words and tails), each byte flipped in turn, and each
        // under two tags: a hash that skipped a byte, the tail or the tag would repeat one.
        var hashes: Set<Int> = []
        var made = 0
        for length in 0...24 {
            let key = (0..<length).map { UInt8(truncatingIfNeeded: 0x41 + $0) }
            var variants = [key]
            for position in 0..<length {
                var changed = key
                changed[position] ^= 0x01
                variants.append(changed)
            }
            for variant in variants {
                for tag in [0, 1] {
                    hashes.insert(variant.withUnsafeBufferPointer { ByteHash.hash($0, tag: tag, seed: ByteHash.seed) })
                    made += 1
                }
            }
        }
        #expect(hashes.count == made)
        // A zero byte at the end is not the same key as none.
        let short = [UInt8(0x41)].withUnsafeBufferPointer { ByteHash.hash($0, tag: 0, seed: 7) }
        let padded = [UInt8(0x41), 0].withUnsafeBufferPointer { ByteHash.hash($0, tag: 0, seed: 7) }
        #expect(short != padded)
    }

    /// Keys are compared byte for byte at every length (compared by words up to 16 bytes, by
    /// `memcmp` past that): a key with any one byte changed is another key, and a key read amid
    /// other bytes is the same one.
    @Test func keysDifferingInAnyByteAreOthers() {
        for length in 0...24 {
            let key = (0..<length).map { UInt8(truncatingIfNeeded: 0x30 + $0 * 5) }
            let around = [0xEE] + key + [0xEE]
            around.withUnsafeBufferPointer { around in
                key.withUnsafeBufferPointer { key in
                    #expect(key.hasSameBytes(as: UnsafeBufferPointer(rebasing: around[1..<1 + length])), "length \(length)")
                    if length > 0 {
                        #expect(!key.hasSameBytes(as: UnsafeBufferPointer(rebasing: around[0..<length])), "length \(length)")
                    }
                }
            }
            for position in 0..<length {
                var changed = key
                changed[position] ^= 0x80
                let same = key.withUnsafeBufferPointer { key in changed.withUnsafeBufferPointer { key.hasSameBytes(as: $0) } }
                #expect(!same, "length \(length), byte \(position)")
            }
        }
    }

    /// A key's hash is of its bytes only: the same key amid other bytes, at every offset, hashes
    /// alike (a tail read past the key's end or before its start would not), and its tail is
    /// the word of its bytes from the lowest, as a byte at a time makes it.
    @Test func theHashReadsOnlyTheKeysBytes() {
        for length in 0...24 {
            let key = (0..<length).map { UInt8(truncatingIfNeeded: 0x61 + $0 * 3) }
            let alone = key.withUnsafeBufferPointer { ByteHash.hash($0, tag: 2, seed: 11) }
            for offset in 0..<9 {
                for filler: UInt8 in [0x00, 0xFF] {
                    let around = Array(repeating: filler, count: offset) + key + Array(repeating: filler, count: 9)
                    let amid = around.withUnsafeBufferPointer {
                        ByteHash.hash(UnsafeBufferPointer(rebasing: $0[offset..<offset + length]), tag: 2, seed: 11)
                    }
                    #expect(amid == alone, "length \(length), offset \(offset), filler \(filler)")
                }
            }
        }
    }
}
