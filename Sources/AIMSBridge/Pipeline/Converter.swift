import CSystemShims
import DequeModule
import Foundation

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
    /// The import profile every source is read with (`--profile`); nil to detect one.
    public var profile: ImportProfile?
    /// The profiles detection chooses from (empty: the generic header synonyms only).
    public var candidateProfiles: [ImportProfile]
    /// Whether CSV rows read without a profile are written straight to JSON where they can be
    /// (see `FlatRowPlan`); off only to compare that path's output with the general one's.
    var flatRows = true
    /// How many records are looked at before normalizing (see `Converter.sampleSize`); set
    /// lower only by tests, so that the records of small samples pass through the workers.
    var sampleSize = Converter.sampleSize

    /// Creates options.
    public init(format: SourceFormat? = nil, recordPath: String? = nil,
                normalize: NormalizeOptions = NormalizeOptions(), limits: ReaderLimits = .standard,
                profile: ImportProfile? = nil, candidateProfiles: [ImportProfile] = []) {
        self.format = format
        self.recordPath = recordPath
        self.normalize = normalize
        self.limits = limits
        self.profile = profile
        self.candidateProfiles = candidateProfiles
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
///
/// A source larger than one sample is converted by three kinds of thread: one reads and cuts
/// the record stream into batches (at top-level records, so a system and its risks stay
/// together), `workers` normalize and encode batches, and the calling thread writes batches,
/// diagnostics and rejects in input order. Output and diagnostics are therefore the same
/// whatever the thread timing.
public struct Converter: Sendable {
    /// How many records are looked at before normalizing, to size rating scales: 256, or fewer
    /// when they hold more than `sampleBytes`.
    static let sampleSize = 256
    static let sampleBytes = 4 << 20
    /// Records per batch between threads: 512, or fewer when more would hold over `batchBytes`
    /// (records of a megabyte each, 512 at a time, took a conversion to 2 GB).
    static let batchSize = 512
    static let batchBytes = 1 << 20
    /// Bytes of records between reading and writing at most, whatever the batches' number: it is
    /// what bounds memory when single records are megabytes (records of 3.9 MB took 91 MB with
    /// only the queues' counts to hold them).
    static let bytesInFlight = 8 << 20

    private let options: ConvertOptions
    private let diagnostics: any DiagnosticCollector
    private let workers: Int
    /// How much lower the workers' scheduling priority is than the rest of the process's (a
    /// nice value: 3 to 19 measured alike).
    static let workerNiceness: Int32 = 5
    /// How many batches per worker may wait to be normalized, and to be written.
    static let batchesPerWorker = 2

    /// Creates a converter. `workers` is the number of normalizing threads (default: one more
    /// than the processors, which measured faster than one per processor on 2 cores: a worker is
    /// always ready when another waits for its next batch).
    public init(options: ConvertOptions, diagnostics: any DiagnosticCollector,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount + 1) {
        self.options = options
        self.diagnostics = diagnostics
        self.workers = max(1, workers)
    }

    /// A batch of ingest output on its way to a worker, which makes its pending records.
    private struct InputBatch: Sendable {
        var sequence: Int
        /// The bytes taken for it from the conversion's `ByteBudget`: its items' footprints, times
        /// the budget's `expansion` when they were read.
        var bytes = 0
        /// Its items' footprints (see `IngestItem.footprint`).
        var footprint = 0
        var items: Deque<DeferredIngestItem>
        /// Diagnostics the reader emitted while reading these items.
        var diagnostics: [Diagnostic]
    }

    /// What a worker made of a batch.
    private struct OutputBatch: Sendable {
        var encoded = EncodedRecords()
        var rejected: [RejectedRecord] = []
        var diagnostics: [Diagnostic] = []
        /// Diagnostics past what the collector takes in full, only counted.
        var countedDiagnostics = DiagnosticCounts()
        var unmappedFields: [String] = []
        /// The bytes taken from the budget for it (for the input batch it was made from, and
        /// charged for output beyond that), given back once it is written.
        var takenBytes = 0
        /// Whether the worker found unmapped fields past the names it lists.
        var unlistedUnmappedFields = false
        var records = 0
    }

    /// What the batches of a source add up to: its summary, with each unmapped field name once
    /// (workers list the names each finds first, so one name can come from several), the first
    /// `RecordNormalizer.unmappedNameLimit` of them.
    private struct SourceTally {
        var summary: SourceSummary
        private var listed: Set<String> = []
        /// Whether more fields were kept as extensions than the summary names.
        private(set) var unlistedUnmappedFields = false

        init(_ summary: SourceSummary) {
            self.summary = summary
        }

        mutating func add(_ batch: OutputBatch) {
            summary.records += batch.records
            summary.rejected += batch.rejected.count
            summary.converted += batch.records - batch.rejected.count
            for field in batch.unmappedFields where !listed.contains(field) {
                if summary.unmappedFields.count < RecordNormalizer.unmappedNameLimit {
                    listed.insert(field)
                    summary.unmappedFields.append(field)
                } else {
                    unlistedUnmappedFields = true
                }
            }
            if batch.unlistedUnmappedFields { unlistedUnmappedFields = true }
        }
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
            diagnostics.emit(Diagnostic(.error, error.message, at: error.locator))
            return SourceOutcome(summary: summary, failure: error)
        }
        // Reader diagnostics are held and released with the batch they belong to.
        let readerDiagnostics = DiagnosticList()
        var normalizer = RecordNormalizer(sourcePath: path, options: options.normalize)
        var failure: IngestError?
        var sample: [IngestItem] = []
        var sampled = 0
        var reader: (any RecordReader)?
        do throws(IngestError) {
            let prefix = try source.peek(4096)
            if let document = SourceFormat.binaryDocument(path: source.name, prefix: prefix) {
                throw IngestError("this file is \(document)", at: Locator(file: path, line: 1))
            }
            let format = options.format ?? SourceFormat.detect(path: source.name, prefix: prefix)
            summary.format = format.rawValue
            let (profile, recordPath) = try selectProfile(source: source, format: format)
            summary.profile = profile?.name ?? "generic"
            normalizer = RecordNormalizer(sourcePath: path, options: options.normalize, profile: profile)
            if format == .csv && options.flatRows { normalizer.writeFlatRows() }
            var opened = try makeReader(source: source, format: format, recordPath: recordPath,
                                        fieldDefinitions: profile?.fieldDefinitions,
                                        childPaths: profile?.childPaths ?? [], diagnostics: readerDiagnostics)
            if let limit = options.limits.maxRecords { opened = RecordCountLimit(opened, limit: limit) }
            if let profile, let graph = profile.graph {
                // A graph is resolved whole before any of it is normalized (bounded); what was read
                // before a fatal error is resolved too, as records before one are kept elsewhere.
                do throws(IngestError) {
                    while let item = try opened.next() {
                        sample.append(item)
                        if sample.count > GraphResolver.limit {
                            throw IngestError("more than \(GraphResolver.limit) elements in a graph export", at: Locator(file: path, line: 1))
                        }
                    }
                } catch {
                    failure = error
                }
                let resolved = GraphResolver.resolve(sample, spec: graph, profile: profile)
                sample = resolved.items
                if resolved.folded > 0 {
                    diagnostics.emit(Diagnostic(.note, "\(resolved.folded) graph elements (relationships, agents, creation info, documents) were folded into the records they describe",
                                                at: Locator(file: path, line: 1)))
                }
            } else {
                while sample.count < options.sampleSize, sampled < Converter.sampleBytes {
                    guard let item = try opened.next() else { break }
                    sampled += item.footprint
                    sample.append(item)
                }
                if sample.count == options.sampleSize || sampled >= Converter.sampleBytes { reader = opened }
            }
        } catch {
            failure = error
        }
        normalizer.prepare(sample: sample.compactMap {
            if case .record(let record) = $0 { return record } else { return nil }
        })
        // The sample is normalized and written in batches cut as the rest's are: as one batch,
        // records that grow when normalized (a cell of 98,000 references, 1 MB, is 5 MB of
        // JSON) held four times 4 MiB at once. Its items are let go as they are batched.
        var unbatched = Deque(sample)
        sample = []
        var tally = SourceTally(summary)
        var sampleOutput = 0
        repeat {
            var batch = InputBatch(sequence: 0, items: [], diagnostics: readerDiagnostics.take())
            while let item = unbatched.first {
                let size = item.footprint
                if Converter.startsBatch(size, isTopLevel: item.isTopLevel, after: batch.items.count, holding: batch.bytes) { break }
                batch.bytes += size
                batch.items.append(.ready(unbatched.removeFirst()))
            }
            var output = normalize(consume batch, with: &normalizer)
            sampleOutput += output.encoded.byteCount
            try deliver(&output, into: &sink, rejects: rejects, tally: &tally)
        } while !unbatched.isEmpty
        if let reader {
            // What the sample's records became is the first guess of what the rest become.
            let budget = ByteBudget(limit: Converter.bytesInFlight)
            budget.observe(footprint: sampled, output: sampleOutput)
            failure = try convertConcurrently(reader, readerDiagnostics: readerDiagnostics, normalizer: normalizer,
                                              budget: budget, into: &sink, rejects: rejects, tally: &tally)
        }
        summary = tally.summary
        if tally.unlistedUnmappedFields {
            diagnostics.emit(Diagnostic(.note, "more than \(RecordNormalizer.unmappedNameLimit) source fields are kept as extensions; the source's summary names the first \(RecordNormalizer.unmappedNameLimit)",
                                        at: Locator(file: path, line: 1)))
        }
        if failure == nil && summary.records == 0 {
            diagnostics.emit(Diagnostic(.warning, "no records found (empty file, or a header without data)",
                                        at: Locator(file: path, line: 1)))
        }
        if let failure { diagnostics.emit(Diagnostic(.error, failure.message, at: failure.locator)) }
        summary.sha256 = (try? source.finishDigest()) ?? ""
        return SourceOutcome(summary: summary, failure: failure)
    }

    /// Reads, normalizes and writes the rest of a source on several threads. Returns the fatal
    /// input error, if reading stopped on one.
    private func convertConcurrently(_ reader: any RecordReader, readerDiagnostics: DiagnosticList,
                                     normalizer: RecordNormalizer, budget: ByteBudget, into sink: inout some RegisterSink,
                                     rejects: (RejectedRecord) throws(OutputError) -> Void,
                                     tally: inout SourceTally) throws(OutputError) -> IngestError? {
        // Two batches per worker each way: with the workers giving way to the reader, the reader
        // keeps the queue full, and three per worker took XML conversions to 59-64 MiB at the
        // peak for no gain in speed (two: 55-57 MiB, one: 52 MiB and 2 % slower).
        let inputs = BoundedQueue<InputBatch>(capacity: workers * Converter.batchesPerWorker)
        let outputs = ReorderBuffer<OutputBatch>(window: workers * Converter.batchesPerWorker)
        let ownedReader = Handoff(DeferredItemReader(reader))
        let failure = Handoff<IngestError?>(nil)
        let total = Handoff(0)
        // The batches of JSON the writer is done with, for the workers to fill again: freed and
        // allocated anew, most of a megabyte each, their pages were given back to the system and
        // faulted in again, tens of thousands of times on a million rows (a tenth of a second of
        // system time). The pool holds as many as can be in flight at once, so a batch is either
        // in flight or in the pool; none larger than two batches' worth (a batch of one huge
        // record) is kept. Measured on a million rows: system time 0.23-0.28 s instead of
        // 0.32-0.45 s, peak memory 47-49 MiB instead of 44-46 MiB.
        let spareOutputs = SparePool<EncodedRecords>(capacity: workers * (Converter.batchesPerWorker + 1))
        let readerThread = Thread {
            var sequence = 1
            var items = Deque<DeferredIngestItem>()
            var bytes = 0
            var footprint = 0
            // Read once a batch rather than for every item: it changes as batches are finished.
            var expansion = budget.expansion
            func send() {
                // The items are moved into the batch, and the batch into the queue (`consume`):
                // were the reader still holding them when a worker started on the batch, the
                // worker would copy every record (retaining each of its strings) and the reader
                // would then free them all.
                var batch = InputBatch(sequence: sequence, bytes: bytes, footprint: footprint, items: [],
                                       diagnostics: readerDiagnostics.take())
                budget.take(bytes)
                bytes = 0
                footprint = 0
                expansion = budget.expansion
                swap(&batch.items, &items)
                items.reserveCapacity(Converter.batchSize + 1)
                inputs.push(consume batch)
                sequence += 1
            }
            do throws(IngestError) {
                while let item = try ownedReader.value.next() {
                    let itemFootprint = item.footprint
                    let size = expansion == 1 ? itemFootprint : Int(Double(itemFootprint) * expansion)
                    if Converter.startsBatch(size, isTopLevel: item.isTopLevel, after: items.count, holding: bytes) { send() }
                    bytes += size
                    footprint += itemFootprint
                    items.append(item)
                }
            } catch {
                failure.value = error
            }
            if !items.isEmpty || !readerDiagnostics.isEmpty { send() }
            total.value = sequence - 1
            inputs.close()
            outputs.close()
        }
        readerThread.stackSize = 1 << 20
        let finished = DispatchGroup()
        for _ in 0..<workers {
            finished.enter()
            let worker = Handoff(normalizer)
            Thread {
                // The workers give way to the reading and writing threads: those are the serial
                // stages, and with the workers taking equal turns with them on the cores the
                // reader fell behind and left cores idle (5-7 % more wall time, measured).
                _ = aims_lower_thread_priority(Converter.workerNiceness)
                // Each batch's output gets room for as much JSON as the last one needed.
                var lastSize = 4096
                while let batch = inputs.pop() {
                    // The sequence is read first, and the batch handed over (`consume`): a second
                    // reference to its items would make normalizing copy them all.
                    let (sequence, taken, footprint) = (batch.sequence, batch.bytes, batch.footprint)
                    var encoded = spareOutputs.take() ?? EncodedRecords(capacity: lastSize)
                    encoded.removeAll(keepingRoomFor: lastSize)
                    var output = normalize(consume batch, with: &worker.value, into: consume encoded)
                    budget.observe(footprint: footprint, output: output.encoded.byteCount)
                    // Output beyond what was taken for the batch is counted too, until it is written.
                    let beyond = output.encoded.byteCount - taken
                    if beyond > 0 {
                        budget.charge(beyond)
                        output.takenBytes += beyond
                    }
                    lastSize = output.encoded.byteCount + output.encoded.byteCount / 8
                    outputs.put(output, sequence: sequence)
                }
                finished.leave()
            }.start()
        }
        readerThread.start()
        var sequence = 1
        defer {
            inputs.close()
            budget.close()
            finished.wait()
        }
        while var batch = outputs.take(sequence) {
            try deliver(&batch, into: &sink, rejects: rejects, tally: &tally)
            budget.give(batch.takenBytes)
            // Moved out of the batch, so that a worker taking it holds the only reference.
            var written = EncodedRecords(capacity: 0)
            swap(&written, &batch.encoded)
            if written.capacity <= 2 * Converter.batchBytes { spareOutputs.put(consume written) }
            sequence += 1
        }
        // The reader closed the buffer: take what the workers still finish, in order.
        inputs.close()
        finished.wait()
        while sequence <= total.value, var batch = outputs.take(sequence) {
            try deliver(&batch, into: &sink, rejects: rejects, tally: &tally)
            budget.give(batch.takenBytes)
            sequence += 1
        }
        return failure.value
    }

    /// Whether an item of `size` bytes starts a new batch after one of `count` items holding
    /// `bytes`: when that one is full, by count or by bytes, and the item starts a record tree
    /// (a record and the records nested in it stay in one batch).
    private static func startsBatch(_ size: Int, isTopLevel: Bool, after count: Int, holding bytes: Int) -> Bool {
        isTopLevel && (count >= Converter.batchSize || (count > 0 && bytes + size > Converter.batchBytes))
    }

    /// Normalizes and encodes one batch (on a worker thread).
    private func normalize(_ batch: consuming InputBatch, with normalizer: inout RecordNormalizer,
                           into encoded: consuming EncodedRecords = EncodedRecords()) -> OutputBatch {
        let collected = BatchDiagnostics(fullLimit: diagnostics.fullDiagnosticsPerFile)
        var output = OutputBatch(encoded: consume encoded, takenBytes: batch.bytes)
        // Items are moved out of the batch (popped off the front), not copied: a copy would
        // retain and release every string of every record.
        var items = batch.items
        batch.items = []
        // A top-level record and its children are held until the tree is complete, so that
        // nested objects of no kind can be kept in their holder's extensions.
        var tree: [CanonicalRecord] = []
        var positions: [Int: Int] = [:]
        func flush() {
            guard !tree.isEmpty else { return }
            for record in tree { output.encoded.append(record) }
            tree.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
        }
        while let deferred = items.popFirst() {
            if deferred.isTopLevel { flush() }
            // Most records have no nested ones: those go straight out, without the tree.
            // Read in place: `items.first` was a copy of the item, retained and released.
            let childFollows = !items.isEmpty && !items[items.startIndex].isTopLevel
            // A CSV row is written straight from its bytes where it can be (see `FlatRowPlan`).
            // The item is taken apart (`consume`), not matched: a pending record bound out of it
            // was a copy, each of its arrays retained and released.
            let item: IngestItem
            switch (consume deferred).content {
            case .pending(let pending):
                if tree.isEmpty && !childFollows && normalizer.encodeFlatRow(pending, into: &output.encoded, diagnostics: collected) {
                    output.records += 1
                    continue
                }
                item = pending.materialized()
            case .ready(let ready):
                item = ready
            }
            // Taken apart too (`consume`): a record bound out of the item was a copy.
            switch consume item {
            case .record(let record):
                switch normalizer.normalize(record, diagnostics: collected) {
                case .record(let canonical) where tree.isEmpty && !childFollows:
                    output.records += 1
                    output.encoded.append(canonical)
                case .record(let canonical):
                    output.records += 1
                    positions[record.ordinal] = tree.count
                    tree.append(canonical)
                case .rejected(let rejected):
                    output.records += 1
                    output.rejected.append(rejected)
                case .attached(let nested, let field, let parent):
                    if let position = positions[parent] {
                        normalizer.attach(nested, in: field, to: &tree[position], diagnostics: collected)
                        // Objects nested in this one go to the same holder.
                        positions[record.ordinal] = position
                    } else {
                        // Its holder was rejected: reject it too rather than drop it.
                        output.records += 1
                        output.rejected.append(RejectedRecord(locator: record.locator, reason: "nested in a record that was not converted",
                                                              raw: record.rawText))
                    }
                }
            case .rejected(let rejected):
                output.records += 1
                output.rejected.append(rejected)
            }
        }
        flush()
        let warnings = collected.full
        output.diagnostics = batch.diagnostics.isEmpty ? warnings : batch.diagnostics + warnings
        output.countedDiagnostics = collected.counted
        output.unmappedFields = normalizer.takeNewUnmappedFields()
        output.unlistedUnmappedFields = normalizer.hasUnlistedUnmappedFields
        return output
    }

    /// Writes a normalized batch and accounts for it (on the calling thread, in input order).
    private func deliver(_ batch: inout OutputBatch, into sink: inout some RegisterSink,
                         rejects: (RejectedRecord) throws(OutputError) -> Void,
                         tally: inout SourceTally) throws(OutputError) {
        for diagnostic in batch.diagnostics { diagnostics.emit(diagnostic) }
        batch.countedDiagnostics.report(to: diagnostics)
        for rejected in batch.rejected {
            diagnostics.emit(Diagnostic(.error, "record rejected: \(rejected.reason)", at: rejected.locator))
            try rejects(rejected)
        }
        try sink.add(batch.encoded)
        tally.add(batch)
    }

    private func makeReader(source: ByteSource, format: SourceFormat, recordPath: String?,
                            fieldDefinitions: XMLFieldDefinitions? = nil, childPaths: Set<String> = [],
                            diagnostics: DiagnosticList) throws(IngestError) -> any RecordReader {
        switch format {
        case .csv:
            return try CSVRecordReader(source: source, limits: options.limits, diagnostics: diagnostics)
        case .xml:
            return try XMLRecordReader(source: source, recordPath: recordPath, fieldDefinitions: fieldDefinitions,
                                       childPaths: childPaths, limits: options.limits, diagnostics: diagnostics)
        case .json, .ndjson:
            return try JSONRecordReader(source: source, recordPath: recordPath, limits: options.limits,
                                        lines: format == .ndjson, diagnostics: diagnostics)
        }
    }

    /// The profile a source is read with, and the record path to read it at: the one the user
    /// gave, else the best match among the candidate profiles (each tried with its own record
    /// path on the first 256 KiB), else none (generic header synonyms).
    private func selectProfile(source: ByteSource, format: SourceFormat) throws(IngestError) -> (ImportProfile?, String?) {
        if let forced = options.profile { return (forced, options.recordPath ?? forced.recordPath) }
        guard !options.candidateProfiles.isEmpty else { return (nil, options.recordPath) }
        let ranked = try rankProfiles(source: source, format: format).ranked
        guard let best = ProfileDetector.best(ranked) else { return (nil, options.recordPath) }
        return (best.profile, options.recordPath ?? best.profile.recordPath)
    }

    /// Ranks the candidate profiles against the start of a source, each read at its own record
    /// path; also returns the records read where the best match reads them (for reporting).
    public func rankProfiles(source: ByteSource, format: SourceFormat) throws(IngestError)
        -> (ranked: [ProfileMatch], records: [SourceRecord]) {
        let prefix = Array(try source.peek(256 * 1024))
        var probes: [String: (records: [SourceRecord], xmlPath: [String]?)] = [:]
        func probe(_ recordPath: String?, _ profile: ImportProfile? = nil) -> (records: [SourceRecord], xmlPath: [String]?) {
            let key = (recordPath ?? "") + (profile.map { "#" + $0.name } ?? "")
            if let known = probes[key] { return known }
            var records: [SourceRecord] = []
            var xmlPath: [String]?
            let sample = ByteSource(name: source.name, bytes: prefix)
            do {
                var reader = try makeReader(source: sample, format: format, recordPath: recordPath,
                                            fieldDefinitions: profile?.fieldDefinitions,
                                            childPaths: profile?.childPaths ?? [], diagnostics: DiagnosticList())
                if let xml = reader as? XMLRecordReader { xmlPath = xml.recordPath }
                while records.count < 64, let item = try reader.next() {
                    if case .record(let record) = item { records.append(record) }
                }
            } catch {
                // The prefix ends mid-record; what was read before that is enough to compare.
            }
            probes[key] = (records, xmlPath)
            return (records, xmlPath)
        }
        // Only profiles for the source's format are tried: those of other formats score nothing,
        // and reading the prefix at each of their record paths (a CSV source read ten times over)
        // was most of the start-up of converting a large source.
        let candidates = options.candidateProfiles.filter { ProfileDetector.reads(format, $0) }
        // Profiles that read at the same record path are ranked together, on one reading: the
        // records' field names are reduced to header keys once, not once per profile.
        var ranked: [ProfileMatch] = []
        var recordPaths: [String?] = []
        for profile in candidates where !recordPaths.contains(options.recordPath ?? profile.recordPath) {
            recordPaths.append(options.recordPath ?? profile.recordPath)
        }
        for recordPath in recordPaths {
            let found = probe(recordPath)
            let profiles = candidates.filter { (options.recordPath ?? $0.recordPath) == recordPath }
            ranked += ProfileDetector.rank(profiles, format: format, records: found.records, recordPath: found.xmlPath)
        }
        ranked.sort { ($0.score, $1.profile.name) > ($1.score, $0.profile.name) }
        let best = ProfileDetector.best(ranked)?.profile
        return (ranked, probe(options.recordPath ?? best?.recordPath, best).records)
    }
}

extension IngestItem {
    /// Whether this item starts a new top-level record (not a child of the previous one).
    var isTopLevel: Bool {
        switch self {
        case .record(let record): return record.parent == nil
        case .rejected: return true
        }
    }
}
