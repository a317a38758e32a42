/// What `aims report` and `aims merge` read: the register, and what converting raw exports into
/// it produced (empty when the inputs were registers already).
public struct RegisterInput: Sendable {
    /// The register (without its risks when they were spilled, see `risks`).
    public var register: Register
    /// Risks read into a spill file rather than into `register` (empty unless the loader was
    /// asked to spill them).
    public var risks = RiskRecords()
    /// Records rejected while converting raw exports: the first `keptProblems` of them.
    public var rejects: [RejectedRecord]
    /// How many records were rejected (kept in `rejects` or not).
    public var rejectCount: Int
    /// Warnings and errors from converting raw exports: the first `keptProblems` of them.
    public var diagnostics: [Diagnostic]
    /// Every warning counted per file, and how many diagnostics `diagnostics` leaves out.
    public var diagnosticCounts = DiagnosticLog.Counts()
    /// The inputs that were registers already (their conversion's rejects and warnings are not
    /// in them).
    public var registerFiles: [String]

    /// Creates an input.
    public init(register: Register, risks: RiskRecords = RiskRecords(), rejects: [RejectedRecord] = [],
                diagnostics: [Diagnostic] = [], registerFiles: [String] = []) {
        self.register = register
        self.risks = risks
        self.rejects = rejects
        rejectCount = rejects.count
        self.diagnostics = diagnostics
        for diagnostic in diagnostics { diagnosticCounts.count(diagnostic) }
        self.registerFiles = registerFiles
    }

    /// How many rejects and diagnostics of a conversion an input keeps for the conversion log
    /// (the rest are counted): an export that raises a warning on each of its million rows must
    /// not hold them all. `aims convert --rejects FILE` writes every rejected record.
    public static let keptProblems = 10_000
}

/// Reads the inputs of `aims report` and `aims merge`: each is a canonical register (read back)
/// or a raw export (converted on the way, exactly as `aims convert` would).
public struct RegisterInputLoader {
    private let options: ConvertOptions

    /// Creates a loader; `options` apply to raw exports.
    public init(options: ConvertOptions) {
        self.options = options
    }

    /// Reads every input into one register. Diagnostics (conversion warnings, rejects, errors)
    /// go to `diagnostics` and into the result; inputs that fail are reported and the rest read.
    /// With a `spill`, risks go there rather than into the register (`RegisterInput.risks`);
    /// with a `store`, every record goes there (for a merge). Held records that share their kind
    /// and id with an earlier one are pointed out (`SharedIDs`).
    public func load(paths: [String], diagnostics: DiagnosticLog, spill: RiskSpill? = nil,
                     store: MergeStore? = nil) -> (input: RegisterInput, failed: Bool) {
        var input = RegisterInput(register: Register())
        var failed = false
        var collector = RegisterCollector(spillingRisksTo: spill, storingIn: store)
        var summaries: [SourceSummary] = []
        let converter = Converter(options: options, diagnostics: diagnostics)
        for path in paths {
            if path != "-", let source = try? ByteSource(path: path), let prefix = try? source.peek(4096),
               RegisterReader.isRegister(prefix: prefix) {
                do throws(RegisterReadError) {
                    input.register.sources += try RegisterReader.read(path: path) { record throws(RegisterReadError) in
                        do throws(OutputError) {
                            if let store {
                                try store.append(record)
                            } else if let spill, record.kind == .risk {
                                try spill.append(record)
                            } else {
                                input.register.records.append(record)
                            }
                        } catch {
                            throw RegisterReadError(locator: record.locator, message: error.message)
                        }
                    }
                    input.registerFiles.append(path)
                } catch {
                    diagnostics.emit(Diagnostic(.error, error.message, at: error.locator))
                    failed = true
                }
                continue
            }
            do {
                let outcome = try converter.convert(path: path, into: &collector) { rejected in
                    input.rejectCount += 1
                    if input.rejects.count < RegisterInput.keptProblems { input.rejects.append(rejected) }
                }
                summaries.append(outcome.summary)
                if outcome.failure != nil { failed = true }
            } catch {
                diagnostics.emit(Diagnostic(.error, error.message, at: Locator(file: path, line: 1)))
                failed = true
            }
        }
        try? collector.finish(sources: summaries)
        input.register.sources += collector.register.sources
        input.register.records += collector.register.records
        for shared in SharedIDs.diagnostics(for: input.register.records) { diagnostics.emit(shared) }
        input.diagnostics = diagnostics.diagnostics
        input.diagnosticCounts = diagnostics.counts
        if let spill { input.risks = RiskRecords(spill: spill) }
        return (input, failed)
    }
}
