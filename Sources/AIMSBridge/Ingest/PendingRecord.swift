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
///
/// The fields are held in arrays of their own, or, for a CSV row, in a `PendingRowBlock` shared
/// with the rows read before and after it: then making and dropping the record allocates and
/// frees nothing.
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

    // Six stored values, no more, and none with a default value: with more, or with defaults,
    // the compiler made a row's fields aside, then copied and destroyed them (every array
    // retained and released) on every row.
    private var fields: [Field]
    private var paths: [String]
    private var values: [FieldValue]
    private var bytes: [UInt8]
    /// The row block holding the fields, if one does (the arrays above are then empty), and the
    /// row's number in it.
    private var block: PendingRowBlock?
    private var blockRow: Int

    /// How many fields there are.
    var count: Int { block?.place(ofRow: blockRow).fields.count ?? fields.count }

    /// How many bytes of values are held, as bytes or as values.
    var byteCount: Int {
        if let block { return block.place(ofRow: blockRow).bytes.count }
        return values.reduce(bytes.count) { $0 + $1.byteCount }
    }

    /// Creates no fields.
    init() {
        self.init(fields: [], paths: [], bytes: [])
    }

    private init(fields: [Field], paths: [String], bytes: [UInt8]) {
        self.fields = fields
        self.paths = paths
        values = []
        self.bytes = bytes
        block = nil
        blockRow = 0
    }

    /// Creates `fields` (copied), whose values are ranges of `bytes` (copied once, whole) and
    /// whose paths are among `paths`. Copied from a buffer the caller reuses, rather than written
    /// in place: the array made for writing in place (`init(unsafeUninitializedCapacity:)`) was
    /// allocated by the standard library's unspecialized code, which looked up the array's type
    /// metadata, under a lock, for every row.
    init(copying bytes: UnsafeBufferPointer<UInt8>, paths: [String], fields: UnsafeBufferPointer<Field>) {
        self.init(fields: Array(fields), paths: paths, bytes: Array(bytes))
    }

    /// The fields of row `row` of `block`.
    fileprivate init(row: Int, of block: PendingRowBlock) {
        fields = []
        paths = []
        values = []
        bytes = []
        self.block = block
        blockRow = row
    }

    /// Adds a path after the others, for the fields `init(copying:paths:fields:)` made pointing
    /// past those it was given.
    mutating func addPath(_ path: String) {
        precondition(block == nil, "PendingFields: a row block's fields are complete")
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
        values.append(value)
        insert(Field(path: add(path), column: column, value: .value(values.count - 1)), at: slot)
    }

    /// Adds a path; its index.
    private mutating func add(_ path: String) -> Int {
        precondition(block == nil, "PendingFields: a row block's fields are complete")
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
        if let block { return block.withRow(blockRow, body) }
        return bytes.withUnsafeBufferPointer { bytes in
            fields.withUnsafeBufferPointer { fields in paths.withUnsafeBufferPointer { body(bytes, fields, $0) } }
        }
    }

    /// The fields with their values made strings.
    func materialized() -> [SourceField] {
        if let block {
            return block.withRow(blockRow) { Self.materialized($0, $1, $2, values: []) }
        }
        return bytes.withUnsafeBufferPointer { bytes in
            fields.withUnsafeBufferPointer { fields in
                paths.withUnsafeBufferPointer { Self.materialized(bytes, fields, $0, values: values) }
            }
        }
    }

    private static func materialized(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: UnsafeBufferPointer<Field>,
                                     _ paths: UnsafeBufferPointer<String>, values: [FieldValue]) -> [SourceField] {
        var result: [SourceField] = []
        result.reserveCapacity(fields.count)
        for field in fields {
            switch field.value {
            case .bytes(let start, let end):
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                result.append(SourceField(path: paths[field.path], value: .text(text), column: field.column))
            case .value(let index):
                result.append(SourceField(path: paths[field.path], value: values[index], column: field.column))
            }
        }
        return result
    }
}

/// Memory a CSV reader writes its rows' fields into, one row after another, for the records it
/// hands to the threads that normalize them: a row's record holds the block (one retain) and
/// where its fields are in it, so that reading a row allocates nothing and dropping its record
/// frees nothing. The block's memory is freed with the last record holding it.
///
/// The paths of the rows' fields are the block's `paths` (the header's names). A block is
/// written by one reader only, always after the rows it has already handed out, which are never
/// written again; a record is read on another thread only after being handed over through a
/// queue (which orders the writes before the reads). That is what makes sharing the class
/// between threads safe, which the compiler cannot check (`@unchecked Sendable`).
final class PendingRowBlock: @unchecked Sendable {
    /// Where a row's fields and their bytes are in the block.
    struct Place {
        let fields: Range<Int>
        let bytes: Range<Int>
    }

    /// The bytes a block holds unless a row needs more.
    static let byteCapacity = 64 << 10
    /// The fields a block holds unless a row has more.
    static let fieldCapacity = 2_048
    /// The rows a block holds at most: the records of a batch share a few blocks, and the
    /// reference counts of those pass between the cores, not one for each row.
    static let rowCapacity = 256

    /// The paths of the fields (`PendingFields.Field.path`).
    let paths: [String]
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let fields: UnsafeMutableBufferPointer<PendingFields.Field>
    private let places: UnsafeMutableBufferPointer<Place>
    private var byteCount = 0
    private var fieldCount = 0
    private var rowCount = 0

    /// A block for rows whose fields have these paths, with room for a row of `bytes` bytes and
    /// `fields` fields at least.
    init(paths: [String], bytes: Int, fields: Int) {
        self.paths = paths
        self.bytes = .allocate(capacity: max(bytes, PendingRowBlock.byteCapacity))
        self.fields = .allocate(capacity: max(fields, PendingRowBlock.fieldCapacity))
        places = .allocate(capacity: PendingRowBlock.rowCapacity)
    }

    deinit {
        bytes.deallocate()
        fields.deallocate()
        places.deallocate()
    }

    /// Whether a row of `byteCount` bytes and at most `fieldCount` fields fits.
    func hasRoom(bytes byteCount: Int, fields fieldCount: Int) -> Bool {
        rowCount < PendingRowBlock.rowCapacity && self.byteCount + byteCount <= bytes.count
            && self.fieldCount + fieldCount <= fields.count
    }

    /// Appends a row (which fits, see `hasRoom`): copies `rowBytes`, then has `write` put the
    /// row's fields (their values' ranges in `rowBytes`) in the slots it is given, at most
    /// `maxFields` of them, and return how many it wrote. The row's fields.
    func append(_ rowBytes: UnsafeBufferPointer<UInt8>, maxFields: Int,
                _ write: (UnsafeMutableBufferPointer<PendingFields.Field>) -> Int) -> PendingFields {
        precondition(hasRoom(bytes: rowBytes.count, fields: maxFields), "PendingRowBlock.append: no room")
        let byteStart = byteCount
        if let base = rowBytes.baseAddress {
            (bytes.baseAddress! + byteStart).initialize(from: base, count: rowBytes.count)
        }
        byteCount += rowBytes.count
        let fieldStart = fieldCount
        let written = write(UnsafeMutableBufferPointer(rebasing: fields[fieldStart..<fieldStart + maxFields]))
        precondition(written <= maxFields, "PendingRowBlock.append: more fields than slots")
        fieldCount += written
        places.initializeElement(at: rowCount, to: Place(fields: fieldStart..<fieldCount, bytes: byteStart..<byteCount))
        rowCount += 1
        return PendingFields(row: rowCount - 1, of: self)
    }

    /// Where row `row` is.
    fileprivate func place(ofRow row: Int) -> Place {
        places[row]
    }

    /// Calls `body` with the bytes, fields and paths of row `row`.
    fileprivate func withRow<Result>(
        _ row: Int,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<PendingFields.Field>, UnsafeBufferPointer<String>) -> Result
    ) -> Result {
        let place = places[row]
        return paths.withUnsafeBufferPointer { paths in
            body(UnsafeBufferPointer(rebasing: bytes[place.bytes]), UnsafeBufferPointer(rebasing: fields[place.fields]), paths)
        }
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
