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
    /// For a record, the source it came from (records of two sources may share an id).
    public var source: String? = nil
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

/// The links of one row: how many there are, and the first of them up to the report's limit
/// (`--max-links`), so that a control cited by 20,000 risks makes a readable cell and a bounded
/// file. The register holds every link.
public struct LinkList: Sendable, Encodable {
    /// How many links there are.
    public private(set) var total = 0
    /// The first links, in order, at most `limit`.
    public private(set) var items: [ReportLink] = []
    private var ids: Set<String> = []
    private let limit: Int

    /// An empty list keeping at most `limit` links (0: all).
    public init(limit: Int) {
        self.limit = limit
    }

    /// Adds a link unless one to the same record or requirement is already there.
    public mutating func append(_ link: ReportLink) {
        guard ids.insert(LinkList.key(link.kind, link.source, link.id)).inserted else { return }
        total += 1
        if limit == 0 || items.count < limit { items.append(link) }
    }

    /// Adds a link to a record folded in once (a risk, see `RiskRecords`): counted and, within
    /// the limit, kept, but not remembered for `append(_:)`'s check, so that a row reached by a
    /// million risks holds the first links and a count, not a million ids. A link past the
    /// limit is not even made.
    public mutating func appendNew(_ link: @autoclosure () -> ReportLink) {
        total += 1
        if limit == 0 || items.count < limit { items.append(link()) }
    }

    /// Adds the links of another list (of other records): its shown links as far as this
    /// list's limit allows, and its count.
    public mutating func append(contentsOf other: LinkList) {
        for link in other.items where limit == 0 || items.count < limit {
            ids.insert(LinkList.key(link.kind, link.source, link.id))
            items.append(link)
        }
        total += other.total
    }

    private static func key(_ kind: String, _ source: String?, _ id: String) -> String {
        "\(kind)|\(source ?? "")|\(id)"
    }

    /// Whether the list is empty.
    public var isEmpty: Bool { total == 0 }

    /// One line per shown link, and `… and N more` when some are not shown.
    public var lines: [String] {
        items.map(\.text) + (total > items.count ? ["… and \(total - items.count) more"] : [])
    }

    private enum CodingKeys: String, CodingKey {
        case total, items
    }
}
