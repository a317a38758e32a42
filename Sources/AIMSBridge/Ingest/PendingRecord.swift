/// A record as a reader finishes it, before its values are made strings.
///
/// Making a string of each value (an allocation, a UTF-8 check, a copy) is much of the cost of
/// reading a record. Kept as bytes, that work moves to whichever thread materializes the record:
/// in a conversion, the worker that normalizes it, which allocates and frees the strings itself,
/// while the reader's thread, which every record passes through, only parses.
struct PendingRecord: Sendable {
    var fields: PendingFields
    var locator: Locator
    var ordinal: Int
    var parent: ParentLink?
    /// Why the record is rejected (a limit it passed), if it is.
    var overLimit: String?

    /// The record, or its rejection with the fields read as its raw text.
    func materialized() -> IngestItem {
        var record = SourceRecord(fields: fields.materialized(), locator: locator, ordinal: ordinal)
        record.parent = parent
        guard let overLimit else { return .record(record) }
        return .rejected(RejectedRecord(locator: locator, reason: overLimit, raw: record.rawText))
    }
}

/// The fields of a `PendingRecord`, in order: each value either bytes in one buffer shared by
/// the record's values or, where the reader had to make one anyway, a value.
///
/// A field is plain numbers (its path's and its value's places), so that making and dropping a
/// record retains and releases nothing per field: its paths are an array of their own, for a
/// CSV row the header's names, shared by every row.
struct PendingFields: Sendable {
    enum Value: Sendable {
        /// UTF-8 bytes at `start..<end` of the fields' bytes.
        case bytes(start: Int, end: Int)
        /// The fields' value at this index.
        case value(Int)
    }

    struct Field: Sendable {
        /// The index of its path in the fields' paths.
        let path: Int
        let column: Int
        let value: Value
    }

    private var fields: [Field] = []
    private var paths: [String] = []
    private var values: [FieldValue] = []
    private var bytes: [UInt8] = []
    /// The UTF-8 bytes of the values held as values.
    private var valueByteCount = 0

    /// How many fields there are.
    var count: Int { fields.count }

    /// How many bytes of values are held, as bytes or as values.
    var byteCount: Int { bytes.count + valueByteCount }

    /// Creates no fields.
    init() {}

    /// Creates `fields` (copied), whose values are ranges of `bytes` (copied once, whole) and
    /// whose paths are among `paths`. Copied from a buffer the caller reuses, rather than written
    /// in place: the array made for writing in place (`init(unsafeUninitializedCapacity:)`) was
    /// allocated by the standard library's unspecialized code, which looked up the array's type
    /// metadata, under a lock, for every row.
    init(copying bytes: UnsafeBufferPointer<UInt8>, paths: [String], fields: UnsafeBufferPointer<Field>) {
        self.bytes = Array(bytes)
        self.paths = paths
        self.fields = Array(fields)
    }

    /// Adds a path after the others, for the fields `init(copying:paths:fields:)` made pointing
    /// past those it was given.
    mutating func addPath(_ path: String) {
        paths.append(path)
    }

    /// Makes room for `count` fields holding `byteCount` bytes of values.
    mutating func reserveCapacity(_ count: Int, bytes byteCount: Int) {
        fields.reserveCapacity(count)
        paths.reserveCapacity(count)
        bytes.reserveCapacity(byteCount)
    }

    /// Inserts a field whose value is `utf8` (copied) at `slot`.
    mutating func insert(path: String, column: Int, utf8: UnsafeBufferPointer<UInt8>, at slot: Int) {
        let start = bytes.count
        bytes.append(contentsOf: utf8)
        insert(Field(path: add(path), column: column, value: .bytes(start: start, end: bytes.count)), at: slot)
    }

    /// Inserts a field holding `value` at `slot`.
    mutating func insert(path: String, column: Int, value: FieldValue, at slot: Int) {
        valueByteCount += value.byteCount
        values.append(value)
        insert(Field(path: add(path), column: column, value: .value(values.count - 1)), at: slot)
    }

    /// Adds a path; its index.
    private mutating func add(_ path: String) -> Int {
        paths.append(path)
        return paths.count - 1
    }

    private mutating func insert(_ field: Field, at slot: Int) {
        if slot == fields.count { fields.append(field) } else { fields.insert(field, at: slot) }
    }

    /// Calls `body` with the bytes of the values, the fields and their paths, when every value
    /// is held as bytes; nil, without calling it, when one was made a value on reading.
    func withByteFields<Result>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Field>, UnsafeBufferPointer<String>) -> Result
    ) -> Result? {
        guard values.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { bytes in
            fields.withUnsafeBufferPointer { fields in paths.withUnsafeBufferPointer { body(bytes, fields, $0) } }
        }
    }

    /// The fields with their values made strings.
    func materialized() -> [SourceField] {
        var result: [SourceField] = []
        result.reserveCapacity(fields.count)
        bytes.withUnsafeBufferPointer { buffer in
            for field in fields {
                switch field.value {
                case .bytes(let start, let end):
                    let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
                    result.append(SourceField(path: paths[field.path], value: .text(text), column: field.column))
                case .value(let index):
                    result.append(SourceField(path: paths[field.path], value: values[index], column: field.column))
                }
            }
        }
        return result
    }
}

/// An item from a reader whose records may still be pending (see `DeferringRecordReader`),
/// with what batching needs to know of it kept apart.
///
/// A struct rather than the enum of its two cases: reading `isTopLevel` and `footprint` through
/// a `switch` over the cases bound a copy of the record (every one of its arrays retained and
/// released) twice a row on the reading thread and once on a worker.
struct DeferredIngestItem: Sendable {
    /// What the item is.
    enum Content: Sendable {
        case ready(IngestItem)
        case pending(PendingRecord)
    }

    let content: Content
    /// Whether it starts a record tree (anything but a child record).
    let isTopLevel: Bool
    /// About how many bytes it takes in memory once made (see `IngestItem.footprint`).
    let footprint: Int

    /// A ready item.
    /// (The facts are read before the item is moved into the content: read after, they made the
    /// move a copy, every array of the record retained and released.)
    @inline(__always)
    static func ready(_ item: consuming IngestItem) -> DeferredIngestItem {
        let (isTopLevel, footprint) = (item.isTopLevel, item.footprint)
        return DeferredIngestItem(content: .ready(item), isTopLevel: isTopLevel, footprint: footprint)
    }

    /// A pending record.
    @inline(__always)
    static func pending(_ record: consuming PendingRecord) -> DeferredIngestItem {
        let isTopLevel = record.parent == nil
        let footprint = IngestItem.footprint(bytes: record.fields.byteCount, fields: record.fields.count)
        return DeferredIngestItem(content: .pending(record), isTopLevel: isTopLevel, footprint: footprint)
    }

    /// The item, its record made if it was pending.
    consuming func materialized() -> IngestItem {
        switch content {
        case .ready(let item): return item
        case .pending(let record): return record.materialized()
        }
    }
}

/// A reader that can hand out records before their values are made strings, for a pipeline
/// that makes them on another thread. `next()` gives the same items, materialized.
protocol DeferringRecordReader: RecordReader {
    /// The next item, possibly pending, or nil at the end of the input.
    mutating func nextDeferred() throws(IngestError) -> DeferredIngestItem?
}

/// A reader's items, pending where the reader can defer them (`DeferringRecordReader`), else
/// ready.
struct DeferredItemReader {
    private var plain: (any RecordReader)?
    private var deferring: (any DeferringRecordReader)?

    init(_ reader: any RecordReader) {
        if let deferring = reader as? any DeferringRecordReader {
            self.deferring = deferring
        } else {
            plain = reader
        }
    }

    /// The next item, or nil at the end of the input.
    mutating func next() throws(IngestError) -> DeferredIngestItem? {
        if deferring != nil { return try deferring!.nextDeferred() }
        return try plain!.next().map { .ready($0) }
    }
}
