#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What matching and ordering read of a record to merge: enough that the record itself can wait
/// on disk until its group is merged.
public struct MergeEntry: Sendable {
    /// The record's kind.
    public let kind: RecordKind
    /// The source it came from.
    public let source: String
    /// Where it starts in the source.
    public let line: Int
    /// The column where it starts.
    public let column: Int
    /// Its id.
    public let id: String
    /// The latest review, collection, assessment or identification date (empty when none).
    let newest: String
    /// Whether the converter made the id up (`<file stem>#<n>`): a position, meaningful only in
    /// its own file.
    let madeUpID: Bool
    /// The key of the record's title and linked systems, when titles are matched and it has one.
    let titleKey: String?

    init(_ record: CanonicalRecord, match: MergeMatch) {
        kind = record.kind
        source = record.source
        line = record.locator.line
        column = record.locator.column
        id = record.id
        newest = [CanonicalField.reviewed, .collected, .assessed, .identified].compactMap { record.lastDay($0) }.max() ?? ""
        madeUpID = record.id.hasPrefix(RecordNormalizer.idStem(forSource: record.source) + "#")
        let title = match == .id ? "" : RegisterMerger.normalized(record.label)
        if !title.isEmpty, title != RegisterMerger.normalized(record.id) || record.values.contains(.title) || record.values.contains(.name) {
            let systems = record.list(.systems).map(RegisterMerger.normalized).sorted().joined(separator: ",")
            titleKey = "title|\(record.kind.rawValue)|\(title)|\(systems)"
        } else {
            titleKey = nil
        }
    }
}

/// The records of a merge, kept on disk while they are matched: each record's JSON in a
/// temporary file (removed with the store), and in memory only its `MergeEntry` and where its
/// JSON is. A merge holds a few hundred bytes per record instead of the records themselves
/// (about 2 KB each in memory: 465 MB for a register of 200,000, now 107 MB).
///
/// `@unchecked Sendable`: a store is filled and then read back by one thread at a time.
public final class MergeStore: @unchecked Sendable {
    private let file: OutputFile
    private let match: MergeMatch
    private var json = JSONBuffer()
    /// Where each record's JSON is in the file.
    private var ranges: [Range<Int>] = []
    /// How many bytes were written to the file, and how many of them reached it (the rest wait
    /// in its buffer).
    private var written = 0
    private var flushed = 0
    /// The records' entries, in the order they were added.
    public private(set) var entries: [MergeEntry] = []

    /// An empty store, in the temporary folder, for the records `merger` is to merge (their
    /// entries hold the keys it matches by).
    public init(for merger: RegisterMerger) throws(OutputError) {
        file = try OutputFile.temporary()
        match = merger.match
    }

    /// How many records the store holds.
    public var count: Int { entries.count }

    /// Adds a record.
    public func append(_ record: CanonicalRecord) throws(OutputError) {
        json.reset()
        RegisterEncoding.write(record, into: &json)
        try json.withBytes { bytes throws(OutputError) in try file.write(bytes) }
        ranges.append(written..<written + json.count)
        written += json.count
        entries.append(MergeEntry(record, match: match))
    }

    /// Drops the records added after the first `count` (those of an input that could not be
    /// read to its end).
    public func keepFirst(_ count: Int) {
        entries.removeLast(entries.count - count)
        ranges.removeLast(ranges.count - count)
    }

    /// Record `index`, read back from the file.
    public func record(at index: Int) throws(OutputError) -> CanonicalRecord {
        let range = ranges[index]
        if range.upperBound > flushed {
            try file.flush()
            flushed = written
        }
        let start = range.lowerBound
        let count = range.count
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(file.spoolReader, $0.baseAddress, count, off_t(start)) }
        guard read == count else { throw readFailure(read < 0 ? String(cString: strerror(errno)) : "the file is shorter than written") }
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(RegisterReadError) -> CanonicalRecord in try RegisterReader.record(encoded: raw) }
        }
        switch decoded {
        case .success(let record): return record
        case .failure(let error): throw readFailure(error.message)
        }
    }

    private func readFailure(_ reason: String) -> OutputError {
        OutputError("cannot read back the records being merged from '\(file.contentsPath)': \(reason)")
    }
}
