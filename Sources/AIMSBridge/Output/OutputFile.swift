import CSystemShims
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem writing an output.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the path.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// `aims: error: message`.
    public var description: String { "aims: error: \(message)" }
}

/// A buffered output written atomically: bytes go to a temporary file beside the target, which
/// replaces the target only on `commit()`. A run that stops half-way leaves the old file (or no
/// file), never a partial one. Standard output (`-`), and a target that is a device or a pipe
/// (`/dev/null`, `/dev/stdout`, a FIFO), are written through directly.
///
/// The temporary file is written with direct I/O where the file system allows it: `commit()`
/// waits for every byte to reach the disk anyway, and a copy of each in the page cache on the
/// way cost more than any other single step of a large conversion (18 % of a 1,000,000-row CSV
/// conversion's processor time, and its most variable part on a virtual machine). So is standard
/// output when it is a regular file (`aims convert … > file`), through a descriptor of its own
/// (see `init(standardOutput:)`).
public final class OutputFile {
    /// The target path (`-` for standard output).
    public let path: String
    private let descriptor: Int32
    private let temporaryPath: String?
    /// The bytes not yet written, the first `staged` of them; placed in memory as direct I/O
    /// needs, and a whole number of disk blocks long, so that a full buffer is one direct write.
    private let staging = UnsafeMutableRawBufferPointer.allocate(
        byteCount: OutputFile.bufferLimit, alignment: OutputFile.directIOAlignment)
    private var staged = 0
    private var committed = false
    private static let bufferLimit = 1 << 20
    /// What direct I/O needs of a write's length, its place in the file and in memory: a multiple
    /// of the disk's block size, which is 512 or 4,096 bytes.
    private static let directIOAlignment = 4096
    /// Whether writes go to the disk straight from `staging` (until the last, partial block).
    private(set) var writesDirectly = false
    /// Leave the target alone when the new content is the same (for idempotent batch runs).
    private let keepUnchanged: Bool
    /// Whether `commit()` replaced the target (false when it kept an identical one).
    public private(set) var replaced = false
    /// Bytes written to the descriptor so far.
    private var written: Int64 = 0
    /// Where the bytes not yet handed to writeback start; nil when nothing is handed over
    /// (standard output, spools).
    private var writebackStart: Int64?
    /// How many written bytes are handed to writeback at a time.
    private static let writebackStep: Int64 = 8 << 20
    /// A spool's own descriptor for reading it back (see `temporary()`); -1 for other outputs.
    private(set) var spoolReader: Int32 = -1
    /// Whether `descriptor` is a device or pipe opened by this output, closed with it.
    private var writesThrough = false
    /// For standard output written through a descriptor of its own: standard output's (see
    /// `directDescriptor(forStandardOutput:)`).
    private var standardOutput: Int32?

    /// Opens an output for `path`; `-` is standard output. With `keepUnchanged`, a target whose
    /// bytes equal the new content is not replaced (nor its modification time touched).
    public convenience init(path: String, keepUnchanged: Bool = false) throws(OutputError) {
        if path == "-" {
            self.init(standardOutput: 1)
            return
        }
        try self.init(path: path, keepUnchanged: keepUnchanged, durable: true)
    }

    /// Opens an output; a `durable` one's bytes are meant to stay (written back to the disk as
    /// they come, and directly where possible), others' to be read back soon (spools).
    private init(path: String, keepUnchanged: Bool, durable: Bool) throws(OutputError) {
        self.path = path
        self.keepUnchanged = keepUnchanged
        // A device or a pipe is written to, not replaced: renaming a file over `/dev/null` (as
        // root, where `/dev` is writable) made it a regular file for every program after.
        var target = stat()
        if stat(path, &target) == 0, (target.st_mode & S_IFMT) != S_IFREG, (target.st_mode & S_IFMT) != S_IFDIR {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd < 0 {
                throw OutputError("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            descriptor = fd
            temporaryPath = nil
            writesThrough = true
            return
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory.isEmpty ? "/" : directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 {
            throw OutputError("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        fchmod(fd, 0o644)
        descriptor = fd
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if durable {
            writebackStart = 0
            writesDirectly = aims_set_direct_io(fd, 1) == 0
        }
    }

    /// Standard output (`descriptor`; 1 for `init(path: "-")`), written through, or through a
    /// descriptor of its own with direct I/O (see `directDescriptor(forStandardOutput:)`).
    init(standardOutput descriptor: Int32) {
        path = "-"
        keepUnchanged = false
        temporaryPath = nil
        (self.descriptor, standardOutput) = OutputFile.directDescriptor(forStandardOutput: descriptor)
        writesDirectly = standardOutput != nil
    }

    /// A descriptor of its own, under direct I/O, for standard output `output` when it is a
    /// regular file written at a block boundary and not in append mode: the same file opened
    /// again (through `/proc/self/fd`). Its own, because direct I/O is a setting of the open
    /// file, which standard output shares with the shell and the programs after. Each write
    /// still goes where standard output stands, and moves it past its bytes (see `writeAll`), as
    /// a write to standard output would: what else is written to standard output, before or
    /// after, keeps its place. `(output, nil)` otherwise: a pipe, a terminal, a file in append
    /// mode or written at another place, no `/proc`, or a file system without direct I/O.
    private static func directDescriptor(forStandardOutput output: Int32) -> (Int32, Int32?) {
        var status = stat()
        let flags = fcntl(output, F_GETFL)
        guard fstat(output, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, flags >= 0,
              flags & O_APPEND == 0, flags & O_ACCMODE != O_RDONLY else { return (output, nil) }
        let start = lseek(output, 0, SEEK_CUR)
        guard start >= 0, start % off_t(OutputFile.directIOAlignment) == 0 else { return (output, nil) }
        let own = open("/proc/self/fd/\(output)", O_WRONLY | O_CLOEXEC)
        guard own >= 0 else { return (output, nil) }
        var same = stat()
        guard fstat(own, &same) == 0, same.st_dev == status.st_dev, same.st_ino == status.st_ino,
              aims_set_direct_io(own, 1) == 0 else {
            close(own)
            return (output, nil)
        }
        return (own, output)
    }

    /// Where the bytes written so far are (after `flush()`): the temporary file until `commit()`.
    var contentsPath: String { temporaryPath ?? path }

    /// A temporary file (for spooling), read back through `spoolReader`. Its name is removed as
    /// soon as it is made, so that the file goes when its descriptors close, even when the run is
    /// killed (a report on 1,000,000 risks spools about a gigabyte of them).
    static func temporary() throws(OutputError) -> OutputFile {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        // A spool is read back and removed, never committed: its bytes need not reach the disk.
        let spool = try OutputFile(path: "\(directory)/aims-spool-\(getpid())", keepUnchanged: false, durable: false)
        let path = spool.contentsPath
        spool.spoolReader = open(path, O_RDONLY | O_CLOEXEC)
        guard spool.spoolReader >= 0 else {
            throw OutputError("cannot read back the temporary file '\(path)': \(String(cString: strerror(errno)))")
        }
        unlink(path)
        return spool
    }

    deinit {
        staging.deallocate()
        if spoolReader >= 0 {
            close(spoolReader)
            close(descriptor)
        } else if let temporaryPath, !committed {
            close(descriptor)
            unlink(temporaryPath)
        } else if writesThrough || standardOutput != nil {
            close(descriptor)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: some Collection<UInt8>) throws(OutputError) {
        try stage(bytes)
    }

    /// Appends a large block: written straight through when the buffer would only copy it.
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(OutputError) in try write(raw) } }.get()
    }

    /// Appends bytes lent by the caller, as `write(_: [UInt8])` does.
    /// Direct I/O writes only from `staging`, so its bytes are always staged.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        if writesDirectly || bytes.count < OutputFile.bufferLimit / 4 {
            try stage(bytes)
            return
        }
        try flush()
        try writeAll(bytes)
    }

    /// Adds bytes to the staging buffer, writing it out each time it is full.
    private func stage(_ bytes: some Collection<UInt8>) throws(OutputError) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let part = rest.prefix(staging.count - staged)
            UnsafeMutableRawBufferPointer(rebasing: staging[staged...]).copyBytes(from: part)
            staged += part.count
            rest = rest[part.endIndex...]
            if staged == staging.count {
                try writeAll(UnsafeRawBufferPointer(staging))
                staged = 0
            }
        }
    }

    /// Writes the staged bytes out. Their last block may be partial, which direct I/O cannot
    /// write, so the output leaves direct I/O first: a flush ends the output or reads it back.
    public func flush() throws(OutputError) {
        if writesDirectly { endDirectIO() }
        try writeAll(UnsafeRawBufferPointer(rebasing: staging[..<staged]))
        staged = 0
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws(OutputError) {
        var direct = writesDirectly
        var status: Int32
        if let standardOutput {
            // Where standard output stands, which then moves past the bytes.
            let place = lseek(standardOutput, 0, SEEK_CUR)
            status = place < 0 ? errno : OutputFile.writeFully(descriptor, raw, direct: &direct, at: place)
            if status == 0 && lseek(standardOutput, place + off_t(raw.count), SEEK_SET) < 0 { status = errno }
        } else {
            status = OutputFile.writeFully(descriptor, raw, direct: &direct)
        }
        if writesDirectly && !direct { endDirectIO() }
        if status != 0 {
            throw OutputError("cannot write '\(path)': \(String(cString: strerror(status)))")
        }
        written += Int64(raw.count)
        startWriteback()
    }

    /// Writes all of `raw` to `descriptor` (at `place` in the file, when given); returns 0, or
    /// the `errno` of the write that failed. A file system (or disk) may refuse a write under
    /// direct I/O only when it comes (`EINVAL`; so does any place or length off the disk's
    /// blocks): the descriptor then leaves direct I/O (`direct` becomes false) and the same bytes
    /// go through the page cache.
    static func writeFully(_ descriptor: Int32, _ raw: UnsafeRawBufferPointer, direct: inout Bool,
                           at place: off_t? = nil) -> Int32 {
        var offset = 0
        while offset < raw.count {
            let done = place.map { pwrite(descriptor, raw.baseAddress! + offset, raw.count - offset, $0 + off_t(offset)) }
                ?? Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if done < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && direct {
                    _ = aims_set_direct_io(descriptor, 0)
                    direct = false
                    continue
                }
                return errno
            }
            offset += done
        }
        return 0
    }

    /// Writes through the page cache from here on; the bytes already written are on the disk.
    private func endDirectIO() {
        _ = aims_set_direct_io(descriptor, 0)
        writesDirectly = false
        if writebackStart != nil { writebackStart = written }
    }

    /// Hands each full step of written bytes to the kernel's writeback as it fills, so that the
    /// disk writes them while the conversion goes on: otherwise they all wait for the `fsync`
    /// in `commit()`, which then stalls the run's end (about 60 ms per 200 MB, measured). Only a
    /// hint: a failure here is ignored, and `commit()`'s `fsync` reports any real one.
    private func startWriteback() {
        guard !writesDirectly, let start = writebackStart, written - start >= OutputFile.writebackStep else { return }
        _ = aims_start_writeback(descriptor, start, written - start)
        writebackStart = written
    }

    /// Flushes and moves the file into place (for standard output, only flushes).
    public func commit() throws(OutputError) {
        try flush()
        guard let temporaryPath else { return }
        if fsync(descriptor) != 0 || close(descriptor) != 0 {
            throw OutputError("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        committed = true
        if keepUnchanged, OutputFile.sameContent(temporaryPath, path) {
            unlink(temporaryPath)
            return
        }
        replaced = true
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError("cannot move output into place at '\(path)': \(reason)")
        }
    }

    /// Whether two files hold the same bytes (false when either cannot be read). Compared a block
    /// at a time, so that memory does not grow with the files (a batch's register can be large).
    static func sameContent(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0, first.st_size == second.st_size else { return false }
        let x = open(a, O_RDONLY)
        let y = open(b, O_RDONLY)
        defer {
            if x >= 0 { close(x) }
            if y >= 0 { close(y) }
        }
        guard x >= 0, y >= 0 else { return false }
        let size = 1 << 18
        var left = [UInt8](repeating: 0, count: size)
        var right = [UInt8](repeating: 0, count: size)
        while true {
            let count = readFully(x, into: &left)
            guard count >= 0, readFully(y, into: &right) == count else { return false }
            if count == 0 { return true }
            if memcmp(left, right, count) != 0 { return false }
        }
    }

    /// Reads from `descriptor` until `buffer` is full or the file ends; the bytes read, or -1.
    private static func readFully(_ descriptor: Int32, into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { raw in
            var filled = 0
            while filled < raw.count {
                let count = read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { return -1 }
                if count == 0 { break }
                filled += count
            }
            return filled
        }
    }

    /// Copies everything written so far into `other` (for spool files).
    func drain(into other: OutputFile) throws(OutputError) {
        try flush()
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw OutputError("cannot read back spool file: \(String(cString: strerror(errno)))")
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let count = OutputFile.readFully(descriptor, into: &chunk)
            if count < 0 {
                throw OutputError("cannot read back spool file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try other.write(chunk[..<count])
        }
    }
}
