import Synchronization

/// A message for the user about an input, printed like a compiler's:
/// `path:line:col: warning: message`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable {
        /// Something was converted, but the user should look at it.
        case warning
        /// Something could not be converted.
        case error
        /// Extra information.
        case note
    }

    /// How serious it is.
    public var severity: Severity
    /// The message, one sentence, no trailing period required.
    public var message: String
    /// Where it applies; nil for messages about the whole run.
    public var locator: Locator?

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ message: String, at locator: Locator? = nil) {
        self.severity = severity
        self.message = message
        self.locator = locator
    }

    /// The compiler-style line, one line whatever the message quotes (see `printable(_:)`).
    public var description: String {
        if let locator {
            return Diagnostic.printable("\(locator.description): \(severity.rawValue): \(message)")
        }
        return Diagnostic.printable("aims: \(severity.rawValue): \(message)")
    }

    /// The text with its control characters written as escapes (`\n`, `\r`, `\t`, `\u{1B}`; C0,
    /// DEL and C1). Messages quote values and paths from the inputs, which can hold line breaks
    /// and terminal escape sequences: printed raw, one diagnostic would run over several lines
    /// (and could pass for others, `x.csv:1:1: error: …`) or drive the terminal that shows it.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// Receives recoverable problems as the pipeline finds them. Fatal problems are thrown.
public protocol DiagnosticCollector: Sendable {
    /// Records one diagnostic.
    func emit(_ diagnostic: Diagnostic)
    /// Records one diagnostic whose message is made only if the collector keeps it in full
    /// (see ``fullDiagnosticsPerFile``): most of a warning raised on every row of a large file
    /// is only counted.
    func emit(_ severity: Diagnostic.Severity, at locator: Locator, message: () -> String)
    /// How many diagnostics of one file the collector keeps or shows in full, if it only counts
    /// the ones after those; nil when it wants every one. A producer may then hand it the later
    /// ones as counts (`emitCounted`) without making them: a file can raise a warning on each of
    /// a million rows.
    var fullDiagnosticsPerFile: Int? { get }
    /// Counts `count` diagnostics of `severity` about `file` that were not made in full, each of
    /// which comes after at least ``fullDiagnosticsPerFile`` others of that file.
    func emitCounted(_ severity: Diagnostic.Severity, file: String, count: Int)
}

extension DiagnosticCollector {
    /// Every diagnostic in full.
    public var fullDiagnosticsPerFile: Int? { nil }

    /// Makes the message: the diagnostic is kept in full.
    public func emit(_ severity: Diagnostic.Severity, at locator: Locator, message: () -> String) {
        emit(Diagnostic(severity, message(), at: locator))
    }

    /// Counts are handed only to collectors that give ``fullDiagnosticsPerFile``; one that wants
    /// every diagnostic is still told how many there were rather than losing them.
    public func emitCounted(_ severity: Diagnostic.Severity, file: String, count: Int) {
        emit(Diagnostic(severity, "\(count) more \(severity.rawValue)s of this file, counted but not given one by one",
                        at: Locator(file: file, line: 1)))
    }
}

/// A collector that keeps every diagnostic in order, safe to use from several threads.
public final class DiagnosticList: DiagnosticCollector {
    private let storage = Mutex<[Diagnostic]>([])

    /// Creates an empty list.
    public init() {}

    /// Appends a diagnostic.
    public func emit(_ diagnostic: Diagnostic) {
        storage.withLock { $0.append(diagnostic) }
    }

    /// All diagnostics so far, in the order they were emitted.
    public var diagnostics: [Diagnostic] { storage.withLock { $0 } }

    /// Whether nothing has been emitted (or everything was taken).
    public var isEmpty: Bool { storage.withLock { $0.isEmpty } }

    /// Returns the diagnostics so far and empties the list.
    public func take() -> [Diagnostic] {
        storage.withLock { list in
            defer { list.removeAll() }
            return list
        }
    }
}

/// A collector for the conversion problems a report lists: keeps the first `limit` diagnostics,
/// counts every one, and hands each on to another collector (the printer) as it arrives, so
/// memory stays bounded however many warnings an export raises.
public final class DiagnosticLog: DiagnosticCollector {
    /// What was counted.
    public struct Counts: Sendable {
        /// Warnings per file (every one, kept or not).
        public var warningsPerFile: [String: Int] = [:]
        /// Warnings not kept.
        public var omittedWarnings = 0
        /// Notes not kept.
        public var omittedNotes = 0
        /// Errors not kept.
        public var omittedErrors = 0

        /// No counts.
        public init() {}

        /// Counts a diagnostic toward `warningsPerFile`.
        mutating func count(_ diagnostic: Diagnostic) {
            if diagnostic.severity == .warning, let file = diagnostic.locator?.file { warningsPerFile[file, default: 0] += 1 }
        }
    }

    private struct State {
        var kept: [Diagnostic] = []
        var counts = Counts()
    }

    private let state = Mutex(State())
    private let limit: Int
    private let next: (any DiagnosticCollector)?

    /// A log keeping the first `limit` diagnostics and passing each to `next`.
    public init(keeping limit: Int, forwardingTo next: (any DiagnosticCollector)? = nil) {
        self.limit = limit
        self.next = next
    }

    public func emit(_ diagnostic: Diagnostic) {
        state.withLock { state in
            state.counts.count(diagnostic)
            if state.kept.count < limit {
                state.kept.append(diagnostic)
            } else if diagnostic.severity == .warning {
                state.counts.omittedWarnings += 1
            } else if diagnostic.severity == .note {
                state.counts.omittedNotes += 1
            } else {
                state.counts.omittedErrors += 1
            }
        }
        next?.emit(diagnostic)
    }

    /// The log keeps the first `limit` diagnostics of all files together, so no more than that of
    /// any one file; the collector it passes them on to may want more.
    public var fullDiagnosticsPerFile: Int? {
        guard let next else { return limit }
        return next.fullDiagnosticsPerFile.map { max($0, limit) }
    }

    /// Counts diagnostics that come after the first `limit`: none of them is kept.
    public func emitCounted(_ severity: Diagnostic.Severity, file: String, count: Int) {
        state.withLock { state in
            switch severity {
            case .warning:
                state.counts.warningsPerFile[file, default: 0] += count
                state.counts.omittedWarnings += count
            case .note: state.counts.omittedNotes += count
            case .error: state.counts.omittedErrors += count
            }
        }
        next?.emitCounted(severity, file: file, count: count)
    }

    /// The diagnostics kept, in the order they arrived.
    public var diagnostics: [Diagnostic] { state.withLock { $0.kept } }

    /// The counts.
    public var counts: Counts { state.withLock { $0.counts } }
}
