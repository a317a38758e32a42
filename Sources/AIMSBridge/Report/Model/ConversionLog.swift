/// One source of the register, what converting it gave, and how many warnings it raised.
public struct LoggedSource: Sendable, Encodable {
    /// The source's summary (path, format, profile, digest, counts, unmapped fields).
    public var source: SourceSummary
    /// Warnings while converting it.
    public var warnings: Int
}

/// A problem found while converting, with where it is.
public struct LoggedProblem: Sendable, Encodable {
    /// `path:line:col`.
    public var location: String
    /// `error`, `warning`, `note`, or `rejected`.
    public var severity: String
    /// What.
    public var message: String
}

/// The conversion log: per source, records read, converted, rejected with reasons and
/// locators, unmapped fields, the profile used, and the warnings; for a merged register, the
/// merged records and the conflicts kept per field.
public struct ConversionLog: Sendable, Encodable {
    /// The sources.
    public var sources: [LoggedSource]
    /// Rejected records with their reasons.
    public var rejects: [LoggedProblem]
    /// Warnings and notes.
    public var warnings: [LoggedProblem]
    /// Inputs read as registers (their conversion's rejects and warnings are not in them).
    public var registerFiles: [String]
    /// What merging did, when the register holds merged records (`aims merge`).
    public var merge: MergeSummary?
    /// What the lists above leave out, when a conversion raised more problems than an input
    /// keeps (`RegisterInput.keptProblems`); nil when they are complete.
    public var omitted: OmittedProblems?

    /// Problems counted but not listed.
    public struct OmittedProblems: Sendable, Encodable {
        /// Rejected records.
        public var rejects: Int
        /// Warnings.
        public var warnings: Int
        /// Notes.
        public var notes: Int
    }

    /// Builds the log; `merge` is what merging did, read off the register and its risks
    /// (read here when nil).
    public init(input: RegisterInput, merge: MergeSummary? = nil) {
        let warnings = input.diagnostics.filter { $0.severity != .error }
        sources = input.register.sources.map {
            LoggedSource(source: $0, warnings: input.diagnosticCounts.warningsPerFile[$0.path] ?? 0)
        }
        rejects = input.rejects.map {
            LoggedProblem(location: $0.locator.description, severity: "rejected", message: $0.reason)
        }
        self.warnings = warnings.map {
            LoggedProblem(location: $0.locator?.description ?? "", severity: $0.severity.rawValue, message: $0.message)
        }
        registerFiles = input.registerFiles
        let counts = input.diagnosticCounts
        if input.rejectCount > input.rejects.count || counts.omittedWarnings + counts.omittedNotes > 0 {
            omitted = OmittedProblems(rejects: input.rejectCount - input.rejects.count, warnings: counts.omittedWarnings,
                                      notes: counts.omittedNotes)
        }
        let summary = merge ?? {
            var tally = MergeSummary.Tally(records: input.register.records)
            input.risks.forEach { _, risk in tally.add(risk) }
            return tally.summary
        }()
        self.merge = summary.isEmpty ? nil : summary
    }
}
