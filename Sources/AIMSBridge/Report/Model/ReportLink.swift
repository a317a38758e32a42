/// A record or requirement named in a report: what it is, its label, and how it is linked to
/// the row it appears in.
public struct ReportLink: Sendable, Hashable, Encodable {
    /// For a record, its kind (`system`, `risk`, `control`, `evidence`, `assessment`,
    /// `dataset`); for a requirement, its framework key (`eu-ai-act:2024`).
    public var kind: String
    /// The record's or requirement's id.
    public var id: String
    /// Its title or name.
    public var title: String
    /// How it reaches the row: nil when referenced directly; otherwise the requirement referenced
    /// and the crosswalk path from there, or the record that links it.
    public var via: String?
    /// The relationship of a crosswalk path (`equal`, `subset-of`, …, `derived`).
    public var relationship: String? = nil
    /// Why it applies when no reference says so (`inferred: a treatment is recorded`).
    public var note: String? = nil

    /// `R-12 Model drift (via iso27001:2022/A.8.15 =intersects-with=> iso42001:2023/A.6.2.8)`.
    public var text: String {
        "\(id) \(title)" + (via.map { " (via \($0))" } ?? "") + (note.map { " (\($0))" } ?? "")
    }
}
