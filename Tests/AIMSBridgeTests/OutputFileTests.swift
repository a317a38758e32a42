import CSystemShims
import Foundation
import Testing
@testable import AIMSBridge

/// Atomic outputs that leave an identical target alone (`keepUnchanged`, used by `aims batch`).
@Suite struct OutputFileTests {
    /// Content over several of the comparison's blocks (256 KiB each), so that a difference in
    /// the last block is only found by reading every block.
    static let content: [UInt8] = (0..<(700 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    private func write(_ bytes: [UInt8], to path: String, keepUnchanged: Bool = true) throws -> Bool {
        let file = try OutputFile(path: path, keepUnchanged: keepUnchanged)
        try file.write(bytes)
        try file.commit()
        return file.replaced
    }

    private func inode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
    }

    @Test func aSpoolHasNoNameAndIsReadAgainFromItsStart() throws {
        // Its name is gone as soon as it is made: a killed run leaves nothing in the temporary folder.
        let spool = try OutputFile.temporary()
        #expect(!FileManager.default.fileExists(atPath: spool.contentsPath))
        // It is read back soon: through the page cache, not from the disk.
        #expect(!spool.writesDirectly)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try spool.write(bytes)
        try spool.flush()
        for _ in 0..<2 {
            let source = try ByteSource(rereading: spool.spoolReader, name: "spool", chunkSize: 1 << 16)
            var read: [UInt8] = []
            while let chunk = try source.nextChunk() { read += chunk }
            #expect(read == bytes)
        }
    }

    /// A target that is not a file (a pipe here; `/dev/null` in use) is written to, not replaced
    /// by a file renamed over it.
    @Test func aPipeIsWrittenThroughAndStaysAPipe() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("pipe").path
        #expect(mkfifo(path, 0o600) == 0)
        // The reading end is opened first, without waiting for a writer; what is written fits in
        // the pipe's buffer, so nothing has to read it while it is written.
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        let bytes = Array(Self.content.prefix(10_000))
        do {
            let file = try OutputFile(path: path)
            try file.write(bytes)
            try file.commit()
            #expect(!file.replaced)
        }
        var received = [UInt8](repeating: 0, count: 20_000)
        let count = read(reader, &received, received.count)
        #expect(count == bytes.count && Array(received.prefix(max(0, count))) == bytes)
        var info = stat()
        #expect(stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test func anIdenticalTargetIsKeptAndAChangedOneReplaced() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("register.json").path
        #expect(try write(Self.content, to: path))
        let first = try inode(path)
        #expect(try write(Self.content, to: path) == false)
        #expect(try inode(path) == first)

        var changed = Self.content
        changed[changed.count - 1] ^= 1
        #expect(try write(changed, to: path))
        #expect(try inode(path) != first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(changed))

        #expect(try write(Array(changed.dropLast()), to: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == changed.count - 1)
    }

    @Test func filesCompareBlockByBlock() throws {
        let folder = try TestSupport.temporaryDirectory()
        let a = folder.appendingPathComponent("a").path
        let b = folder.appendingPathComponent("b").path
        try Data(Self.content).write(to: URL(fileURLWithPath: a))
        try Data(Self.content).write(to: URL(fileURLWithPath: b))
        #expect(OutputFile.sameContent(a, b))
        var middle = Self.content
        middle[300 * 1024] ^= 0x80
        try Data(middle).write(to: URL(fileURLWithPath: b))
        #expect(!OutputFile.sameContent(a, b))
        try Data().write(to: URL(fileURLWithPath: a))
        try Data().write(to: URL(fileURLWithPath: b))
        #expect(OutputFile.sameContent(a, b))
        #expect(!OutputFile.sameContent(a, folder.appendingPathComponent("missing").path))
    }

    /// Past several writeback steps (8 MiB each) and staging buffers (1 MiB each), in small
    /// writes and large ones, ending in a partial disk block: the committed file holds every byte
    /// in order. Where the folder's file system has direct I/O, the output uses it until its end.
    @Test func outputsPastTheWritebackStepKeepEveryByte() throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("large.ndjson").path
        let file = try OutputFile(path: path)
        #expect(file.writesDirectly == SystemShimsTests.directIOWorks(in: folder.path))
        var expected: [UInt8] = []
        for round in 0..<30 {
            let small = Array(Self.content.prefix(1000 + round))
            for _ in 0..<100 { try file.write(small) }
            try file.write(Self.content)
            for _ in 0..<100 { expected += small }
            expected += Self.content
        }
        #expect(file.writesDirectly == SystemShimsTests.directIOWorks(in: folder.path))
        try file.commit()
        #expect(!file.writesDirectly)
        #expect(expected.count > 2 * (8 << 20) && expected.count % 4096 != 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    }

    /// A write refused under direct I/O (here for its length and place in memory, which a file
    /// system without direct I/O would refuse whatever they were) is made through the page
    /// cache, and the descriptor leaves direct I/O.
    @Test(.enabled(if: SystemShimsTests.directIOWorks(in: FileManager.default.temporaryDirectory.path)))
    func aRefusedDirectWriteGoesThroughThePageCache() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("refused").path
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        try #require(aims_set_direct_io(descriptor, 1) == 0)
        let bytes = Array(Self.content[1..<1001])
        var direct = true
        let status = bytes.withUnsafeBytes { OutputFile.writeFully(descriptor, $0, direct: &direct) }
        #expect(status == 0 && !direct)
        #expect(fcntl(descriptor, F_GETFL) & __O_DIRECT == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        // Any other failure is returned, not retried: the descriptor is not open for reading.
        let reader = open(path, O_RDONLY)
        defer { close(reader) }
        direct = false
        #expect(bytes.withUnsafeBytes { OutputFile.writeFully(reader, $0, direct: &direct) } == EBADF)
    }

    /// Standard output that is a regular file (`> file`) is written through a descriptor of its
    /// own, with direct I/O where the file system has it, from where standard output stood; what
    /// is written to standard output afterwards follows the output's bytes.
    @Test func standardOutputToAFileKeepsItsPlaceForWhatFollows() throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("stdout.ndjson").path
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let before = Array(Self.content.prefix(8192))
        try #require(before.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, $0.count) } == 8192)
        var expected = before
        do {
            let file = OutputFile(standardOutput: descriptor)
            #expect(file.writesDirectly == SystemShimsTests.directIOWorks(in: folder.path))
            for round in 0..<3 {
                try file.write(Array(Self.content.prefix(1000 + round)))
                try file.write(Self.content)
                expected += Self.content.prefix(1000 + round) + Self.content
            }
            try file.commit()
            #expect(!file.writesDirectly)
        }
        #expect(lseek(descriptor, 0, SEEK_CUR) == off_t(expected.count))
        #expect(Array("after\n".utf8).withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, $0.count) } == 6)
        expected += Array("after\n".utf8)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    }

    /// Two outputs to one standard output (the register and its rejects) land in the order of
    /// their writes, as they did through standard output itself: a write goes where standard
    /// output stands, leaving direct I/O when that is not a block boundary.
    @Test func twoOutputsToStandardOutputKeepTheOrderOfTheirWrites() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("both").path
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let register = OutputFile(standardOutput: descriptor)
        let rejects = OutputFile(standardOutput: descriptor)
        let first = Array(repeating: UInt8(ascii: "a"), count: 1 << 20)
        try register.write(first)           // a full staging buffer: written at once
        try rejects.write(Array("rejected\n".utf8))
        try rejects.commit()
        try register.write(Array("rest\n".utf8))
        try register.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(first + Array("rejected\nrest\n".utf8)))
        #expect(lseek(descriptor, 0, SEEK_CUR) == off_t((1 << 20) + 14))
    }

    /// Standard output in append mode (`>> file`), or at a place that is not a block boundary,
    /// is written through as it is, without direct I/O.
    @Test func standardOutputAppendingOrMidBlockIsWrittenThrough() throws {
        let folder = try TestSupport.temporaryDirectory()
        for (name, flags, head) in [("append", O_APPEND, 4096), ("midblock", 0, 100)] {
            let path = folder.appendingPathComponent(name).path
            let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC | flags, 0o600)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            let before = Array(Self.content.prefix(head))
            try #require(before.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, $0.count) } == head)
            let file = OutputFile(standardOutput: descriptor)
            #expect(!file.writesDirectly)
            try file.write(Self.content)
            try file.commit()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(before + Self.content))
        }
    }

    /// A sink that notes how many records and bytes each batch handed to it held.
    private final class BatchSizes: RegisterSink {
        var batches: [(records: Int, bytes: Int)] = []
        func add(_ records: EncodedRecords) throws(OutputError) { batches.append((records.records.count, records.byteCount)) }
        func finish(sources: [SourceSummary]) throws(OutputError) {}
    }

    @Test func recordsAreHandedOnByTheBatchOrByTheMegabyte() throws {
        func record(_ id: Int, description: String) -> CanonicalRecord {
            var values = CanonicalValues()
            values[.description] = .text(description)
            return CanonicalRecord(kind: .risk, id: "R-\(id)", source: "t.csv", locator: Locator(file: "t.csv", line: id + 2), values: values)
        }
        let small = BatchSizes()
        var batcher = RecordBatcher(into: small)
        for id in 0..<1100 { try batcher.add(record(id, description: "short")) }
        try batcher.finish(sources: [])
        #expect(small.batches.map(\.records) == [512, 512, 76])

        // Merged records with thousands of conflicts run to hundreds of KB each.
        let large = BatchSizes()
        batcher = RecordBatcher(into: large)
        let text = String(repeating: "x", count: 300 * 1024)
        for id in 0..<10 { try batcher.add(record(id, description: text)) }
        try batcher.finish(sources: [])
        #expect(large.batches.map(\.records) == [4, 4, 2])
        #expect(large.batches.allSatisfy { $0.bytes < RecordBatcher.batchBytes + 400 * 1024 })
    }
}
