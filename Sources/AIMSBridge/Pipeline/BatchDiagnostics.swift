/// The diagnostics that normalizing one batch raises, gathered on the thread that normalizes it:
/// the first `fullLimit` in full, the rest only counted by severity.
///
/// The limit is what the collector they go to keeps or shows of one file
/// (``DiagnosticCollector/fullDiagnosticsPerFile``): a diagnostic past it in its batch is past it
/// in its file too, so it would only have been counted. An export can raise a warning on every
/// row (an ambiguous reference in each); making, handing over and dropping each of them was a
/// twentieth of a conversion's time.
final class BatchDiagnostics: DiagnosticCollector, @unchecked Sendable {
    // Unchecked: a batch's diagnostics are gathered by one thread, then handed over with it.
    private let fullLimit: Int?
    /// The diagnostics made in full, in the order they came.
    private(set) var full: [Diagnostic] = []
    /// How many more came, by severity, and the file they are about.
    private(set) var counted = DiagnosticCounts()

    /// Gathers every diagnostic in full when `fullLimit` is nil.
    init(fullLimit: Int?) {
        self.fullLimit = fullLimit
    }

    /// Whether the diagnostics that come next are only counted.
    private var isFull: Bool { fullLimit.map { full.count >= $0 } ?? false }

    func emit(_ diagnostic: Diagnostic) {
        if isFull, let file = diagnostic.locator?.file {
            counted.add(diagnostic.severity, file: file)
        } else {
            full.append(diagnostic)
        }
    }

    func emit(_ severity: Diagnostic.Severity, at locator: Locator, message: () -> String) {
        if isFull {
            counted.add(severity, file: locator.file)
        } else {
            full.append(Diagnostic(severity, message(), at: locator))
        }
    }
}

/// Diagnostics of one file counted by severity, not made one by one.
struct DiagnosticCounts: Sendable {
    private(set) var file = ""
    private(set) var bySeverity: [(severity: Diagnostic.Severity, count: Int)] = []

    mutating func add(_ severity: Diagnostic.Severity, file: String) {
        // Set only when it changes (it is the batch's one file): set each time, it was a retain
        // and a release for every warning counted.
        if self.file != file { self.file = file }
        if let index = bySeverity.firstIndex(where: { $0.severity == severity }) {
            bySeverity[index].count += 1
        } else {
            bySeverity.append((severity, 1))
        }
    }

    /// Hands the counts to `collector`.
    func report(to collector: any DiagnosticCollector) {
        for (severity, count) in bySeverity { collector.emitCounted(severity, file: file, count: count) }
    }
}
