import CSystemShims
import Foundation
import Testing

/// The system calls the converter reaches through `CSystemShims`.
@Suite struct SystemShimsTests {
    /// The nice value of the calling thread.
    private static func threadNiceness() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(gettid()))
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
