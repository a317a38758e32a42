/// Bounds that keep a hostile or broken input from exhausting memory or the stack.
/// A record over a limit is rejected with its locator; the reader carries on where it can.
public struct ReaderLimits: Sendable, Hashable {
    /// Largest single field value, in bytes.
    public var maxFieldBytes: Int
    /// Largest whole record (all its fields, or a CSV record's raw text), in bytes.
    public var maxRecordBytes: Int
    /// Most fields in one record.
    public var maxFieldsPerRecord: Int
    /// Deepest nesting of JSON arrays/objects or XML elements.
    public var maxDepth: Int
    /// Most records nested in one record (objects in a JSON record's arrays, an XML record's
    /// child records): a record and its nested records are held until it ends, at about 2 KB
    /// each; past the limit it is rejected with them.
    public var maxNestedRecords: Int = 10_000
    /// Most records read from one source (records nested in others count too); nil for no limit.
    /// A source with more stops there with an error; the records before are kept.
    public var maxRecords: Int? = nil

    /// Creates limits.
    public init(maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 4 << 20,
                maxFieldsPerRecord: Int = 10_000, maxDepth: Int = 256) {
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
        self.maxFieldsPerRecord = maxFieldsPerRecord
        self.maxDepth = maxDepth
    }

    /// The defaults: 1 MiB per field, 4 MiB per record, 10,000 fields, depth 256, 10,000 nested
    /// records.
    public static let standard = ReaderLimits()
}
