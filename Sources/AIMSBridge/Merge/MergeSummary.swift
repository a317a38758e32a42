/// What a merge did, as read off a merged register: how many records each source gave, how many
/// records were merged from several, and how many values lost per field.
public struct MergeSummary: Sendable, Encodable {
    /// A field and how many values of it were kept as conflicts.
    public struct FieldCount: Sendable, Encodable {
        /// The field's name (`owner`, `extensions.Cost centre`).
        public var field: String
        /// How many values of it lost.
        public var conflicts: Int
    }

    /// Records in the register.
    public var records: Int
    /// Records merged from two or more source records.
    public var mergedRecords: Int
    /// Source records those were merged from.
    public var contributions: Int
    /// Values kept as conflicts, per field, most first (then by name).
    public var conflicts: [FieldCount]

    /// Reads the summary off a register.
    public init(register: Register) {
        self = Tally(records: register.records).summary
    }

    /// The summary's counts, gathered one record at a time.
    public struct Tally: Sendable {
        private var records = 0
        private var mergedRecords = 0
        private var contributions = 0
        private var conflicts: [String: Int] = [:]

        /// A tally of `records`.
        public init(records: some Sequence<CanonicalRecord>) {
            for record in records { add(record) }
        }

        /// Counts one more record.
        public mutating func add(_ record: CanonicalRecord) {
            records += 1
            if !record.mergedFrom.isEmpty {
                mergedRecords += 1
                contributions += record.mergedFrom.count
            }
            for conflict in record.conflicts { conflicts[conflict.field, default: 0] += 1 }
        }

        /// The summary of the records counted.
        public var summary: MergeSummary {
            MergeSummary(records: records, mergedRecords: mergedRecords, contributions: contributions,
                         conflicts: conflicts.map { FieldCount(field: $0.key, conflicts: $0.value) }
                             .sorted { ($1.conflicts, $0.field) < ($0.conflicts, $1.field) })
        }
    }

    private init(records: Int, mergedRecords: Int, contributions: Int, conflicts: [FieldCount]) {
        self.records = records
        self.mergedRecords = mergedRecords
        self.contributions = contributions
        self.conflicts = conflicts
    }

    /// Whether the register holds anything merged.
    public var isEmpty: Bool { mergedRecords == 0 && conflicts.isEmpty }

    /// `12 records (3 merged from 7 source records); conflicts kept: owner 2, validUntil 1`.
    public var line: String {
        var text = "\(records) records (\(mergedRecords) merged from \(contributions) source records)"
        text += conflicts.isEmpty ? "; no conflicts" : "; conflicts kept: " + conflicts.map { "\($0.field) \($0.conflicts)" }.joined(separator: ", ")
        return text
    }
}
