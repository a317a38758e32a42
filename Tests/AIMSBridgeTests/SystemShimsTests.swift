import CSystemShims
import Foundation
import Testing

/// The system calls the converter reaches through `CSystemShims`.
@Suite struct SystemShimsTests {
    /// The nice value of the calling thread.
    private static func threadNiceness() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(gettid()))
    }

    /// Whether direct I/O can be turned on for a new file in `folder` (not on every file system).
    static func directIOWorks(in folder: String) -> Bool {
        let path = "\(folder)/direct-io-probe"
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        defer {
            close(descriptor)
            unlink(path)
        }
        return descriptor >= 0 && aims_set_direct_io(descriptor, 1) == 0
    }

    /// Under direct I/O a write must be whole disk blocks from block-aligned memory: a short
    /// write is refused, an aligned one taken; turned off, any write is taken again. (Run where
    /// the tests' temporary folder has direct I/O, as ext4 and XFS do; CI's does.)
    @Test(.enabled(if: directIOWorks(in: FileManager.default.temporaryDirectory.path)))
    func directIOIsTurnedOnAndOff() throws {
        let folder = try TestSupport.temporaryDirectory().path
        let descriptor = open("\(folder)/direct", O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        #expect(aims_set_direct_io(descriptor, 1) == 0)
        #expect(fcntl(descriptor, F_GETFL) & __O_DIRECT != 0)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { block.deallocate() }
        block.initializeMemory(as: UInt8.self, repeating: 0x61)
        #expect(write(descriptor, block.baseAddress, 100) == -1 && errno == EINVAL)
        #expect(write(descriptor, block.baseAddress, 4096) == 4096)
        #expect(aims_set_direct_io(descriptor, 0) == 0)
        #expect(fcntl(descriptor, F_GETFL) & __O_DIRECT == 0)
        #expect(write(descriptor, block.baseAddress, 100) == 100)
        var info = stat()
        #expect(fstat(descriptor, &info) == 0 && info.st_size == 4196)
    }

    /// A worker lowers its own priority, not the process's: the other threads keep theirs.
    @Test func loweringAThreadsPriorityLeavesTheOthersAlone() async throws {
        let before = Self.threadNiceness()
        let result = await withCheckedContinuation { (done: CheckedContinuation<(Int32, Int32, Int32), Never>) in
            Thread {
                let start = Self.threadNiceness()
                let status = aims_lower_thread_priority(3)
                done.resume(returning: (start, status, Self.threadNiceness()))
            }.start()
        }
        #expect(result.1 == 0)
        #expect(result.2 == min(19, result.0 + 3))
        #expect(Self.threadNiceness() == before)
    }
}
