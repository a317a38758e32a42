/// What the user sets for a conversion.
public struct ConvertOptions: Sendable {
    /// Forces the input format instead of detecting it.
    public var format: SourceFormat?
    /// XML element path or JSON Pointer of the records.
    public var recordPath: String?
    /// Options of the normalize stage.
    public var normalize: NormalizeOptions
    /// Reader limits.
    public var limits: ReaderLimits

    /// Creates options.
    public init(format: SourceFormat? = nil, recordPath: String? = nil,
                normalize: NormalizeOptions = NormalizeOptions(), limits: ReaderLimits = .standard) {
        self.format = format
        self.recordPath = recordPath
        self.normalize = normalize
        self.limits = limits
    }
}

/// How converting one source ended.
public struct SourceOutcome: Sendable {
    /// The source's summary (counts as far as the source could be read).
    public var summary: SourceSummary
    /// Set when the source could not be read or parsed to its end.
    public var failure: IngestError?
}

/// Runs ingest and normalize over one source and hands records to a sink: the composition of
/// the first two pipeline stages. Records stream through; nothing holds a whole source.
public struct Converter {
    /// How many records are looked at before normalizing, to size rating scales.
    static let sampleSize = 256

    private let options: ConvertOptions
    private let diagnostics: any DiagnosticCollector

    /// Creates a converter.
    public init(options: ConvertOptions, diagnostics: any DiagnosticCollector) {
        self.options = options
        self.diagnostics = diagnostics
    }

    /// Converts the source at `path` (`-` for standard input) into `sink`; rejected records go to
    /// `rejects`. Output errors are thrown; input problems are reported in the outcome.
    public func convert(path: String, into sink: inout some RegisterSink,
                        rejects: (RejectedRecord) throws(OutputError) -> Void) throws(OutputError) -> SourceOutcome {
        var summary = SourceSummary(path: path, format: options.format?.rawValue ?? "unknown", profile: "generic",
                                    sha256: "", records: 0, converted: 0, rejected: 0, unmappedFields: [])
        let source: ByteSource
        do {
            source = try ByteSource(path: path)
        } catch {
            return SourceOutcome(summary: summary, failure: error)
        }
        var normalizer = RecordNormalizer(sourcePath: path, options: options.normalize, diagnostics: diagnostics)
        var failure: IngestError?
        // The first records wait here until the rating scales have been sized from them.
        var sample: [IngestItem] = []
        do {
            var reader = try makeReader(source: source, summary: &summary)
            var sampling = true
            while let item = try reader.next() {
                if sampling {
                    sample.append(item)
                    if sample.count < Converter.sampleSize { continue }
                    sampling = false
                    try flush(&sample, normalizer: &normalizer, sink: &sink, rejects: rejects, summary: &summary)
                    continue
                }
                try handle(item, normalizer: &normalizer, sink: &sink, rejects: rejects, summary: &summary)
            }
        } catch let error as IngestError {
            failure = error
        } catch let error as OutputError {
            throw error
        } catch {
            failure = IngestError("\(error)", at: Locator(file: path, line: 1))
        }
        // Records read before a fatal error are still converted.
        try flush(&sample, normalizer: &normalizer, sink: &sink, rejects: rejects, summary: &summary)
        if failure == nil && summary.records == 0 {
            diagnostics.emit(Diagnostic(.warning, "no records found (empty file, or a header without data)",
                                        at: Locator(file: path, line: 1)))
        }
        summary.sha256 = (try? source.finishDigest()) ?? ""
        summary.unmappedFields = normalizer.unmappedFields
        return SourceOutcome(summary: summary, failure: failure)
    }

    private func flush(_ sample: inout [IngestItem], normalizer: inout RecordNormalizer, sink: inout some RegisterSink,
                       rejects: (RejectedRecord) throws(OutputError) -> Void, summary: inout SourceSummary) throws(OutputError) {
        guard !sample.isEmpty else { return }
        normalizer.prepare(sample: sample.compactMap {
            if case .record(let record) = $0 { return record } else { return nil }
        })
        for item in sample {
            try handle(item, normalizer: &normalizer, sink: &sink, rejects: rejects, summary: &summary)
        }
        sample.removeAll()
    }

    private func handle(_ item: IngestItem, normalizer: inout RecordNormalizer, sink: inout some RegisterSink,
                        rejects: (RejectedRecord) throws(OutputError) -> Void, summary: inout SourceSummary) throws(OutputError) {
        summary.records += 1
        let result: Result<CanonicalRecord, RejectedRecord>
        switch item {
        case .record(let record): result = normalizer.normalize(record)
        case .rejected(let rejected): result = .failure(rejected)
        }
        switch result {
        case .success(let record):
            summary.converted += 1
            try sink.add(record)
        case .failure(let rejected):
            summary.rejected += 1
            diagnostics.emit(Diagnostic(.error, "record rejected: \(rejected.reason)", at: rejected.locator))
            try rejects(rejected)
        }
    }

    private func makeReader(source: ByteSource, summary: inout SourceSummary) throws(IngestError) -> any RecordReader {
        let prefix = try source.peek(4096)
        let format = options.format ?? SourceFormat.detect(path: source.name, prefix: prefix)
        summary.format = format.rawValue
        switch format {
        case .csv:
            return try CSVRecordReader(source: source, limits: options.limits, diagnostics: diagnostics)
        case .xml:
            return try XMLRecordReader(source: source, recordPath: options.recordPath, limits: options.limits,
                                       diagnostics: diagnostics)
        case .json, .ndjson:
            return try JSONRecordReader(source: source, recordPath: options.recordPath, limits: options.limits)
        }
    }
}
