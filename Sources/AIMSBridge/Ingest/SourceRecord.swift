/// Where a record or a value came from in its source file.
///
/// `line` and `column` are 1-based; `path` is an XPath for XML sources and a JSON Pointer for
/// JSON sources (nil for CSV).
public struct Locator: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (`-` for standard input).
    public var file: String
    /// 1-based line where the record starts.
    public var line: Int
    /// 1-based column (in bytes) where the record starts.
    public var column: Int
    /// XPath (XML) or JSON Pointer (JSON) of the record; nil for CSV.
    public var path: String?

    /// Creates a locator.
    public init(file: String, line: Int, column: Int = 1, path: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// `file:line:col`, the prefix of a compiler-style diagnostic.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A value read from a source field: a single string or, for JSON arrays of scalars, a list.
public enum FieldValue: Sendable, Hashable {
    /// A single value.
    case text(String)
    /// An array of scalar values (JSON only).
    case list([String])

    /// The value as one text: a list is joined with `separator`.
    public func joined(separator: String) -> String {
        switch self {
        case .text(let value): return value
        case .list(let values): return values.joined(separator: separator)
        }
    }

    /// How many bytes of UTF-8 it holds.
    var byteCount: Int {
        switch self {
        case .text(let value): return value.utf8.count
        case .list(let values): return values.reduce(0) { $0 + $1.utf8.count }
        }
    }

    /// The values as a list (a single text is a one-element list).
    public var strings: [String] {
        switch self {
        case .text(let value): return [value]
        case .list(let values): return values
        }
    }
}

/// One field of a source record: its path in the source (a header name, `owned_by@display_value`,
/// `model.version`) and its value.
public struct SourceField: Sendable, Hashable {
    /// The field's path in the source, under its original name.
    public var path: String
    /// The value; absent values (empty cells, null markers) are not represented as fields.
    public var value: FieldValue
    /// The field's number in its source, else -1: its column (0-based) in a CSV source, its
    /// path's number in an XML source. Fields with the same path share a number within a
    /// source, which lets later stages keep per-field state without looking the path up for
    /// every value.
    public var column: Int

    /// Creates a field.
    public init(path: String, value: FieldValue, column: Int = -1) {
        self.path = path
        self.value = value
        self.column = column
    }

    /// Creates a field holding one string.
    public init(_ path: String, _ value: String) {
        self.init(path: path, value: .text(value))
    }

    public static func == (lhs: SourceField, rhs: SourceField) -> Bool {
        lhs.path == rhs.path && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(value)
    }
}

/// A link from a child record (a risk nested inside a system) to the record that holds it.
public struct ParentLink: Sendable, Hashable {
    /// The field path of the array that held the child (e.g. `risks`).
    public var field: String
    /// The parent's locator.
    public var locator: Locator
    /// The parent's ordinal in the source (used to find its id after normalization).
    public var parentOrdinal: Int

    /// Creates a link.
    public init(field: String, locator: Locator, parentOrdinal: Int) {
        self.field = field
        self.locator = locator
        self.parentOrdinal = parentOrdinal
    }
}

/// What the ingest stage yields: an ordered list of fields and where they came from.
/// It knows formats, not meanings.
public struct SourceRecord: Sendable, Hashable {
    /// The fields in source order. Absent values are left out.
    public var fields: [SourceField]
    /// Where the record starts.
    public var locator: Locator
    /// Position of this record in its source (0-based, counting child records too).
    public var ordinal: Int
    /// Set for child records found inside another record (JSON arrays of objects). Set after
    /// the record is made, not through `init` (see ``CanonicalRecord/parent``).
    public var parent: ParentLink? = nil

    /// Creates a record.
    public init(fields: [SourceField], locator: Locator, ordinal: Int) {
        self.fields = fields
        self.locator = locator
        self.ordinal = ordinal
    }

    /// The fields as `path=value` text, for the rejects file (at most 4 KiB).
    public var rawText: String {
        String(fields.map { "\($0.path)=\($0.value.joined(separator: ","))" }.joined(separator: "; ").prefix(RejectedRecord.rawLimit))
    }

    /// The first value of the field with this path, if present.
    public subscript(path: String) -> String? {
        fields.first { $0.path == path }?.value.strings.first
    }
}

/// A record the ingest stage could not read (a CSV row with a quoting error, an XML record
/// deeper than the limit): its location, the reason and the raw text as far as it is known.
public struct RejectedRecord: Error, Sendable, Hashable {
    /// Where the record starts (and, in `column`, where the problem is).
    public var locator: Locator
    /// Why it was rejected, in one sentence.
    public var reason: String
    /// The record's raw text (possibly truncated for very large records).
    public var raw: String

    /// How much of a rejected record's raw text the readers keep (4 KiB): enough to find the
    /// record in its source, never a whole oversized one.
    public static let rawLimit = 4096

    /// Creates a rejected record.
    public init(locator: Locator, reason: String, raw: String) {
        self.locator = locator
        self.reason = reason
        self.raw = raw
    }
}

/// One item of a reader's output: a record to normalize or a record that could not be read.
public enum IngestItem: Sendable {
    /// A record read successfully.
    case record(SourceRecord)
    /// A record that could not be read; the reader carries on after it.
    case rejected(RejectedRecord)

    /// About how many bytes it takes in memory once normalized (see `footprint(bytes:fields:)`;
    /// a rejected record: its raw text). What holding items is bounded by, beside their number,
    /// as a record can be megabytes, or thousands of fields.
    var footprint: Int {
        switch self {
        case .record(let record):
            return IngestItem.footprint(bytes: record.fields.reduce(0) { $0 + $1.value.byteCount }, fields: record.fields.count)
        case .rejected(let rejected): return rejected.raw.utf8.count
        }
    }

    /// The footprint of a record of `fields` fields whose values hold `bytes` bytes: each field
    /// takes about 64 bytes besides its value's, as a source field and then as a canonical value
    /// or extension (their structures and references).
    static func footprint(bytes: Int, fields: Int) -> Int {
        bytes + fields * 64
    }
}

/// A streaming reader of one source: pull items until `next()` returns nil.
///
/// Readers throw `IngestError` only when the file cannot be read at all (not the format it
/// claims, broken structure that leaves no record boundary to recover from).
public protocol RecordReader {
    /// The next record or rejected record, or nil at the end of the input.
    mutating func next() throws(IngestError) -> IngestItem?
}

/// A reader that stops a source after `limit` items (records and rejected records), with an
/// error at the first record over the limit (`--max-records`).
struct RecordCountLimit: RecordReader {
    private var base: any RecordReader
    private let limit: Int
    private var count = 0

    init(_ base: any RecordReader, limit: Int) {
        self.base = base
        self.limit = limit
    }

    mutating func next() throws(IngestError) -> IngestItem? {
        guard let item = try base.next() else { return nil }
        count += 1
        if count > limit {
            let locator: Locator
            switch item {
            case .record(let record): locator = record.locator
            case .rejected(let rejected): locator = rejected.locator
            }
            throw IngestError("more than \(limit) records in this source (the limit set with --max-records); the records before this one are kept", at: locator)
        }
        return item
    }
}

/// A fatal problem reading a source: the file cannot be read or parsed at all.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public var locator: Locator
    /// What is wrong, in one sentence.
    public var message: String

    /// Creates an error.
    public init(_ message: String, at locator: Locator) {
        self.locator = locator
        self.message = message
    }

    /// `path:line:col: error: message`.
    public var description: String { "\(locator.description): error: \(message)" }
}
