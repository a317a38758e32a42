import Crypto
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file (or standard input) in fixed-size chunks, so readers never hold a whole file.
///
/// Written over `read(2)` rather than `FileHandle` so a chunk is filled into a reused buffer
/// without an intermediate `Data` per read.
public final class ByteSource {
    /// The name used in diagnostics (`-` for standard input).
    public let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var bytes: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// Hashes what is read, as it is read (made with the first chunk read from the descriptor).
    private lazy var digest = ChunkDigest()
    /// Whether the input is hashed (see `finishDigest()`).
    private let hashing: Bool
    /// Bytes given in memory, hashed only when the digest is asked for: most in-memory sources
    /// (a record read back, a sample) never are, and a digest is a queue of its own.
    private var unhashed: [UInt8]?
    /// The chunk size in bytes.
    public let chunkSize: Int

    /// Opens `path` for reading; `-` means standard input. Without `hashing` (for readers that
    /// never ask for the digest: registers read back), `finishDigest()` must not be called.
    public init(path: String, chunkSize: Int = 1 << 18, hashing: Bool = true) throws(IngestError) {
        self.name = path
        self.chunkSize = chunkSize
        self.hashing = hashing
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                throw IngestError("cannot open file: \(String(cString: strerror(errno)))",
                                  at: Locator(file: path, line: 1, column: 1))
            }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw IngestError("is a directory, not a file", at: Locator(file: path, line: 1, column: 1))
            }
            descriptor = fd
            ownsDescriptor = true
        }
    }

    /// Reads an open file from its start, unhashed, through a duplicate of `descriptor` (which
    /// stays open, and whose offset the duplicate shares: one reader at a time). For files read
    /// more than once whose name is gone (spools, see `OutputFile.temporary()`).
    init(rereading descriptor: Int32, name: String, chunkSize: Int = 1 << 18) throws(IngestError) {
        self.name = name
        self.chunkSize = chunkSize
        self.hashing = false
        let fd = dup(descriptor)
        guard fd >= 0, lseek(fd, 0, SEEK_SET) == 0 else {
            if fd >= 0 { close(fd) }
            throw IngestError("cannot read file again: \(String(cString: strerror(errno)))", at: Locator(file: name, line: 1, column: 1))
        }
        self.descriptor = fd
        ownsDescriptor = true
    }

    /// Wraps bytes already in memory (tests, fuzzing, re-reading), handed out `chunkSize` bytes
    /// at a time (by default all at once).
    public init(name: String, bytes: [UInt8], chunkSize: Int? = nil) {
        self.name = name
        self.chunkSize = max(chunkSize ?? bytes.count, 1)
        self.descriptor = -1
        self.ownsDescriptor = false
        self.bytes = bytes
        self.atEnd = true
        self.hashing = true
        unhashed = bytes
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Reads the next chunk, at most `chunkSize` bytes (bytes peeked at come first, in chunks of
    /// the same size); returns nil at the end of the input. The returned array is the caller's
    /// to keep.
    public func nextChunk() throws(IngestError) -> [UInt8]? {
        if start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            let chunk = start == 0 && end == bytes.count ? bytes : Array(bytes[start..<end])
            if end == bytes.count {
                bytes = []
                start = 0
            } else {
                start = end
            }
            return chunk
        }
        if atEnd { return nil }
        return try readMore()
    }

    /// Reads up to `count` bytes from the start without consuming them (for sniffing formats,
    /// encodings and delimiters). Later `nextChunk()` calls return these bytes again first.
    public func peek(_ count: Int) throws(IngestError) -> ArraySlice<UInt8> {
        while bytes.count - start < count && !atEnd {
            guard let chunk = try readMore() else { break }
            bytes.append(contentsOf: chunk)
        }
        return bytes[start..<min(bytes.count, start + count)]
    }

    private func readMore() throws(IngestError) -> [UInt8]? {
        // Filled by read(2) straight into the array's storage, without zeroing it first.
        var failure: Int32 = 0
        let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
            var result: Int
            repeat {
                result = read(descriptor, buffer.baseAddress, buffer.count)
            } while result < 0 && errno == EINTR
            if result < 0 { failure = errno }
            initialized = max(result, 0)
        }
        if failure != 0 {
            throw IngestError("read failed: \(String(cString: strerror(failure)))",
                              at: Locator(file: name, line: 1, column: 1))
        }
        if chunk.isEmpty {
            atEnd = true
            return nil
        }
        if hashing { digest.add(chunk) }
        return chunk
    }

    /// Reads whatever is left (so the digest covers the whole input) and returns the SHA-256
    /// of every byte of the input, in lowercase hex.
    public func finishDigest() throws(IngestError) -> String {
        precondition(hashing, "the digest of a source opened without hashing")
        bytes = []
        start = 0
        if let whole = unhashed.take() { digest.add(whole) }
        while !atEnd { _ = try readMore() }
        return digest.finish()
    }
}

/// The SHA-256 of a stream of chunks, hashed on a queue of its own: hashing on the thread that
/// reads would slow the reading, which is what limits an XML conversion. At most `backlog`
/// chunks wait to be hashed, so the memory held stays bounded.
final class ChunkDigest: @unchecked Sendable {
    // Unchecked: `hasher` is only touched on `queue`, a serial queue.
    private static let backlog = 8
    private let queue = DispatchQueue(label: "aims.sha256")
    private let room = DispatchSemaphore(value: ChunkDigest.backlog)
    private var hasher = SHA256()

    /// Adds the next chunk (waits while `backlog` chunks are waiting).
    func add(_ chunk: [UInt8]) {
        room.wait()
        queue.async {
            self.hasher.update(data: chunk)
            self.room.signal()
        }
    }

    /// The digest of every chunk added, in lowercase hex.
    func finish() -> String {
        queue.sync {
            hasher.finalize().map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }
}
