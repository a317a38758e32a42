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
        var currentFile = ""
        var printedInCurrentFile = 0
        var suppressedInCurrentFile = 0
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
            // Diagnostics come file by file: keep the current file's count at hand rather than
            // hashing the path for every one of a large file's warnings.
            if file != state.currentFile {
                state.printedPerFile[state.currentFile] = state.printedInCurrentFile
                state.suppressedPerFile[state.currentFile] = state.suppressedInCurrentFile
                state.currentFile = file
                state.printedInCurrentFile = state.printedPerFile[file, default: 0]
                state.suppressedInCurrentFile = state.suppressedPerFile[file, default: 0]
            }
            if state.printedInCurrentFile >= perFileLimit {
                state.suppressedInCurrentFile += 1
                return nil
            }
            state.printedInCurrentFile += 1
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
        let suppressed = state.withLock { state in
            state.suppressedPerFile[state.currentFile] = state.suppressedInCurrentFile
            defer {
                state.suppressedPerFile.removeAll()
                state.suppressedInCurrentFile = 0
            }
            return state.suppressedPerFile
        }
        for (file, count) in suppressed.sorted(by: { $0.key < $1.key }) where count > 0 {
            printError("\(file): note: \(count) more warnings and errors not shown (see --rejects for rejected records)")
        }
    }

    var warningCount: Int { state.withLock { $0.warnings } }
    var errorCount: Int { state.withLock { $0.errors } }
}
