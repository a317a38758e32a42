import Crypto
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
    private var hasher = SHA256()
    /// The chunk size in bytes.
    public let chunkSize: Int

    /// Opens `path` for reading; `-` means standard input.
    public init(path: String, chunkSize: Int = 1 << 18) throws(IngestError) {
        self.name = path
        self.chunkSize = chunkSize
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

    /// Wraps bytes already in memory (tests, fuzzing, re-reading).
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.chunkSize = max(bytes.count, 1)
        self.descriptor = -1
        self.ownsDescriptor = false
        self.bytes = bytes
        self.atEnd = true
        hasher.update(data: bytes)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Reads the next chunk; returns nil at the end of the input. The returned array is
    /// the caller's to keep.
    public func nextChunk() throws(IngestError) -> [UInt8]? {
        if start < bytes.count {
            let rest = start == 0 ? bytes : Array(bytes[start...])
            bytes = []
            start = 0
            return rest
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
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let count = chunk.withUnsafeMutableBytes { buffer -> Int in
            while true {
                let result = read(descriptor, buffer.baseAddress, buffer.count)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        }
        if count < 0 {
            throw IngestError("read failed: \(String(cString: strerror(errno)))",
                              at: Locator(file: name, line: 1, column: 1))
        }
        if count == 0 {
            atEnd = true
            return nil
        }
        chunk.removeSubrange(count...)
        hasher.update(data: chunk)
        return chunk
    }

    /// Reads whatever is left (so the digest covers the whole input) and returns the SHA-256
    /// of every byte of the input, in lowercase hex.
    public func finishDigest() throws(IngestError) -> String {
        bytes = []
        start = 0
        while !atEnd { _ = try readMore() }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
