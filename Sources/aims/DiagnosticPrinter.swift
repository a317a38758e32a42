import AIMSBridge
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Prints diagnostics to standard error as they arrive, compiler style, and counts them.
/// After `perFileLimit` warnings or errors for one file, further ones are counted, not printed,
/// and a closing note says how many were held back.
final class DiagnosticPrinter: DiagnosticCollector {
    private struct State {
        var warnings = 0
        var errors = 0
        var printedPerFile: [String: Int] = [:]
        var suppressedPerFile: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let perFileLimit: Int

    init(perFileLimit: Int = 25) {
        self.perFileLimit = perFileLimit
    }

    func emit(_ diagnostic: Diagnostic) {
        let line: String? = state.withLock { state in
            switch diagnostic.severity {
            case .warning: state.warnings += 1
            case .error: state.errors += 1
            case .note: break
            }
            let file = diagnostic.locator?.file ?? ""
            if state.printedPerFile[file, default: 0] >= perFileLimit {
                state.suppressedPerFile[file, default: 0] += 1
                return nil
            }
            state.printedPerFile[file, default: 0] += 1
            return diagnostic.description
        }
        if let line { printError(line) }
    }

    /// Prints a plain message on standard error.
    func printError(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { break }
            offset += written
        }
    }

    /// Notes, per file, the diagnostics that were counted but not printed.
    func flushSuppressed() {
        let suppressed = state.withLock { $0.suppressedPerFile }
        for (file, count) in suppressed.sorted(by: { $0.key < $1.key }) {
            printError("\(file): note: \(count) more warnings and errors not shown (see --rejects for rejected records)")
        }
        state.withLock { $0.suppressedPerFile.removeAll() }
    }

    var warningCount: Int { state.withLock { $0.warnings } }
    var errorCount: Int { state.withLock { $0.errors } }
}
