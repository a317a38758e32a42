#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element == UInt8 {
    /// The largest storage a byte buffer keeps for reuse once emptied (1 MiB). Reused, a buffer
    /// saves an allocation for every line or row; kept after a record of megabytes, it would hold
    /// those megabytes for the rest of the input (records near the 4 MiB limit left 8 MB held by
    /// the CSV reader's line and row buffers).
    static let reusedCapacityLimit = 1 << 20

    /// Empties the buffer, keeping its storage for the next use unless it is larger than
    /// `reusedCapacityLimit`.
    mutating func removeAllReusingStorage() {
        removeAll(keepingCapacity: capacity <= Self.reusedCapacityLimit)
    }

    /// Whether the bytes at `start` are `key`'s, as many as it has (a key stored among others in
    /// one buffer, as the byte-keyed tables keep them).
    func holds(_ key: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[start..<start + key.count]).hasSameBytes(as: key) }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether `other` holds the same bytes. (`elementsEqual`, generic over sequences, walked
    /// them one by one through iterators: 290 instructions for a ten-byte date.) Up to 16 bytes,
    /// most keys of the byte-keyed tables (cells and pieces of cells), are compared with two
    /// overlapping loads from each side rather than by a call to `memcmp` for each lookup (1.9 %
    /// of a CSV conversion's cycles under perf).
    @inline(__always)
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard let base = baseAddress, let otherBase = other.baseAddress else { return true }
        let (left, right) = (UnsafeRawPointer(base), UnsafeRawPointer(otherBase))
        let length = count
        if length >= 8 && length <= 16 {
            return left.loadUnaligned(as: UInt64.self) == right.loadUnaligned(as: UInt64.self)
                && left.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
                == right.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        }
        if length >= 4 && length < 8 {
            return left.loadUnaligned(as: UInt32.self) == right.loadUnaligned(as: UInt32.self)
                && left.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)
                == right.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)
        }
        if length < 4 {
            for index in 0..<length where base[index] != otherBase[index] { return false }
            return true
        }
        return memcmp(base, otherBase, length) == 0
    }
}
