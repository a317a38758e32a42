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
        records = register.records.count
        let merged = register.records.filter { !$0.mergedFrom.isEmpty }
        mergedRecords = merged.count
        contributions = merged.reduce(0) { $0 + $1.mergedFrom.count }
        var counts: [String: Int] = [:]
        for conflict in register.records.flatMap(\.conflicts) { counts[conflict.field, default: 0] += 1 }
        conflicts = counts.map { FieldCount(field: $0.key, conflicts: $0.value) }
            .sorted { ($1.conflicts, $0.field) < ($0.conflicts, $1.field) }
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
