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

        /// Makes `file` the current one. Diagnostics come file by file: the current file's counts
        /// are kept at hand rather than the path hashed for every one of a large file's warnings.
        mutating func switchFile(to file: String) {
            guard file != currentFile else { return }
            printedPerFile[currentFile] = printedInCurrentFile
            suppressedPerFile[currentFile] = suppressedInCurrentFile
            currentFile = file
            printedInCurrentFile = printedPerFile[file, default: 0]
            suppressedInCurrentFile = suppressedPerFile[file, default: 0]
        }
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
            state.switchFile(to: diagnostic.locator?.file ?? "")
            if state.printedInCurrentFile >= perFileLimit {
                state.suppressedInCurrentFile += 1
                return nil
            }
            state.printedInCurrentFile += 1
            return diagnostic.description
        }
        // The description is printable already (`Diagnostic.description`).
        if let line { writeToStandardError(line + "\n") }
    }

    /// No more than `perFileLimit` diagnostics of a file are printed.
    var fullDiagnosticsPerFile: Int? { perFileLimit }

    /// Counts diagnostics that come after a file's first `perFileLimit`: none is printed.
    func emitCounted(_ severity: Diagnostic.Severity, file: String, count: Int) {
        state.withLock { state in
            switch severity {
            case .warning: state.warnings += count
            case .error: state.errors += count
            case .note: break
            }
            state.switchFile(to: file)
            state.suppressedInCurrentFile += count
        }
    }

    /// Prints plain messages on standard error, in one write: each as one line
    /// (`Diagnostic.printable`).
    func printError(_ lines: String...) {
        writeToStandardError(lines.map { Diagnostic.printable($0) + "\n" }.joined())
    }

    /// Writes text to standard error as it is, in one write.
    private func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
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
