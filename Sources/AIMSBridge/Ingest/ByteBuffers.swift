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
    /// them one by one through iterators: 290 instructions for a ten-byte date.)
    @inline(__always)
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        count == other.count && (isEmpty || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }
}
