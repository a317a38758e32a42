/// Counts and facts about one converted source, written in the register's `sources`.
public struct SourceSummary: Sendable, Hashable, Encodable {
    /// The path as the user gave it.
    public var path: String
    /// `csv`, `xml`, `json` or `ndjson`.
    public var format: String
    /// The profile used (`generic` for the built-in header synonyms).
    public var profile: String
    /// SHA-256 of the input bytes.
    public var sha256: String
    /// Records read (converted + rejected).
    public var records: Int
    /// Records converted.
    public var converted: Int
    /// Records rejected.
    public var rejected: Int
    /// Source fields that mapped to no canonical field, kept in `extensions`.
    public var unmappedFields: [String]

    /// Creates a summary.
    public init(path: String, format: String, profile: String, sha256: String, records: Int,
                converted: Int, rejected: Int, unmappedFields: [String]) {
        self.path = path
        self.format = format
        self.profile = profile
        self.sha256 = sha256
        self.records = records
        self.converted = converted
        self.rejected = rejected
        self.unmappedFields = unmappedFields
    }
}

/// Canonical records already encoded as JSON (each with its `kind` tag), one per line in one
/// buffer: how batches travel from the normalizing threads to the writer. The buffer is
/// ready-made NDJSON; `records` gives each record's JSON without its newline.
public struct EncodedRecords: Sendable {
    /// Calls `body` with the JSON of every record, each followed by a newline (lent, not copied:
    /// a batch's JSON is most of a megabyte).
    public func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try json.withBytes(body)
    }

    /// Where one record's JSON is in the batch's bytes.
    public struct Slice: Sendable {
        /// The record's kind.
        public var kind: RecordKind
        /// Its bytes in `bytes`.
        public var range: Range<Int>
    }

    /// Each record's kind and where its JSON is in the batch's bytes.
    public private(set) var records: [Slice] = []
    private var json = JSONBuffer()

    /// Creates an empty batch with room for `capacity` bytes of JSON before it grows (a batch
    /// grown from a few KB to most of a megabyte copies itself a dozen times).
    public init(capacity: Int = 4096) {
        json = JSONBuffer(capacity: capacity)
    }

    /// How many bytes of JSON the batch holds.
    public var byteCount: Int { json.count }

    /// How many bytes of JSON the batch holds before it grows.
    var capacity: Int { json.capacity }

    /// Empties the batch, keeping its memory, with room for `capacity` bytes of JSON before it
    /// grows: a batch written out is used again for a later one (see `SparePool`).
    mutating func removeAll(keepingRoomFor capacity: Int) {
        records.removeAll(keepingCapacity: true)
        json.reset()
        json.reserveCapacity(capacity)
    }

    /// Encodes and appends a record.
    public mutating func append(_ record: CanonicalRecord) {
        append(kind: record.kind) { RegisterEncoding.write(record, into: &$0) }
    }

    /// Appends a record of `kind` whose JSON (one object) `write` writes.
    mutating func append(kind: RecordKind, _ write: (inout JSONBuffer) -> Void) {
        append(kind: kind, lending: ()) { _, json in write(&json) }
    }

    /// `append(kind:_:)`, with `context` lent to `write`: a value that `write` captured instead
    /// was copied for each call.
    mutating func append<Context>(kind: RecordKind, lending context: borrowing Context,
                                  _ write: (borrowing Context, inout JSONBuffer) -> Void) {
        let start = json.count
        json.startNextValue()
        write(context, &json)
        records.append(Slice(kind: kind, range: start..<json.count))
        json.newline()
    }
}

/// Where converted records go.
public protocol RegisterSink {
    /// Adds a batch of encoded records, in order.
    mutating func add(_ records: EncodedRecords) throws(OutputError)
    /// Ends the register with the sources it came from, and puts the output in place.
    mutating func finish(sources: [SourceSummary]) throws(OutputError)
}

extension RegisterSink {
    /// Adds one record.
    public mutating func add(_ record: CanonicalRecord) throws(OutputError) {
        var batch = EncodedRecords()
        batch.append(record)
        try add(batch)
    }
}

/// Writes the register as NDJSON: one record per line tagged with its `kind`, then one
/// `{"kind":"source",…}` line per source at the end (when its counts are known). Streams.
public struct NDJSONRegisterWriter: RegisterSink {
    private let output: OutputFile
    private var json = JSONBuffer()

    /// Creates a writer into `output`.
    public init(output: OutputFile) {
        self.output = output
    }

    public mutating func add(_ records: EncodedRecords) throws(OutputError) {
        try records.withBytes { bytes throws(OutputError) in try output.write(bytes) }
    }

    public mutating func finish(sources: [SourceSummary]) throws(OutputError) {
        for source in sources {
            json.reset()
            RegisterEncoding.write(source, into: &json, withKind: true)
            json.newline()
            try output.write(json.bytes)
        }
        try output.commit()
    }
}

/// Writes the register as one JSON document: `schema`, `sources`, then `systems`, `risks`,
/// `controls`, `evidence` and `assessments`, one record per line inside each array. Records
/// are spooled to a temporary file per kind while sources are read, so memory stays flat and
/// the sources (whose counts are known only at the end) can come first.
public struct JSONRegisterWriter: RegisterSink {
    private let output: OutputFile
    private var spools: [RecordKind: (file: OutputFile, count: Int)] = [:]
    private var json = JSONBuffer()

    /// Creates a writer into `output`.
    public init(output: OutputFile) {
        self.output = output
    }

    public mutating func add(_ records: EncodedRecords) throws(OutputError) {
        try records.withBytes { bytes throws(OutputError) in
            for record in records.records {
                if spools[record.kind] == nil { spools[record.kind] = (try OutputFile.temporary(), 0) }
                let spool = spools[record.kind]!
                try spool.file.write((spool.count == 0 ? "\n    " : ",\n    ").utf8)
                try spool.file.write(UnsafeRawBufferPointer(rebasing: bytes[record.range]))
                spools[record.kind]!.count += 1
            }
        }
    }

    public mutating func finish(sources: [SourceSummary]) throws(OutputError) {
        try output.write("{\n  \"schema\": \"\(RegisterEncoding.schema)\",\n  \"sources\": [".utf8)
        for (index, source) in sources.enumerated() {
            json.reset()
            RegisterEncoding.write(source, into: &json, withKind: false)
            try output.write((index == 0 ? "\n    " : ",\n    ").utf8)
            try output.write(json.bytes)
        }
        try output.write((sources.isEmpty ? "]" : "\n  ]").utf8)
        for kind in RecordKind.allCases {
            try output.write(",\n  \"\(kind.collectionKey)\": [".utf8)
            if let spool = spools[kind] {
                try spool.file.drain(into: output)
                try output.write("\n  ]".utf8)
            } else {
                try output.write("]".utf8)
            }
        }
        try output.write("\n}\n".utf8)
        spools.removeAll()
        try output.commit()
    }
}

/// Writes rejected records as NDJSON (`--rejects`): source, locator, reason, raw text.
public struct RejectsWriter {
    private let output: OutputFile
    private var json = JSONBuffer()

    /// Creates a writer into `output`.
    public init(output: OutputFile) {
        self.output = output
    }

    /// Adds one rejected record.
    public mutating func add(_ rejected: RejectedRecord) throws(OutputError) {
        json.reset()
        RegisterEncoding.write(rejected, into: &json)
        json.newline()
        try output.write(json.bytes)
    }

    /// Puts the file in place.
    public func finish() throws(OutputError) {
        try output.commit()
    }
}

extension Register {
    /// Writes the register as one `aims-register/1` JSON document (or NDJSON) into `output`,
    /// and puts the file in place.
    public func write(to output: OutputFile, ndjson: Bool = false) throws(OutputError) {
        var writer = RecordBatcher(into: ndjson ? NDJSONRegisterWriter(output: output) : JSONRegisterWriter(output: output))
        for record in records { try writer.add(record) }
        try writer.finish(sources: sources)
    }
}

/// Hands records to a register sink a batch at a time, as they are made. Encoded whole, a merged
/// register of 200,000 records was 561 MB of JSON in memory (in a buffer grown to twice that)
/// before the first byte was written.
public struct RecordBatcher {
    private var sink: any RegisterSink
    private var batch = EncodedRecords()
    /// Records encoded before they are handed to the sink, at most.
    static let batchSize = 512
    /// Bytes of JSON encoded before they are handed to the sink, at most (plus one record): a
    /// merged record can carry thousands of conflicts, and 512 of those took 530 MB.
    static let batchBytes = 1 << 20

    /// Creates a batcher into `sink`.
    public init(into sink: any RegisterSink) {
        self.sink = sink
    }

    /// Encodes a record, handing the batch on when it is full.
    public mutating func add(_ record: CanonicalRecord) throws(OutputError) {
        batch.append(record)
        if batch.records.count == RecordBatcher.batchSize || batch.byteCount >= RecordBatcher.batchBytes {
            try sink.add(batch)
            batch = EncodedRecords(capacity: min(batch.byteCount, RecordBatcher.batchBytes))
        }
    }

    /// Hands on the last batch and ends the register with `sources`.
    public mutating func finish(sources: [SourceSummary]) throws(OutputError) {
        try sink.add(batch)
        try sink.finish(sources: sources)
    }
}
