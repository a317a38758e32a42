/// The risks that reach each requirement (by a reference to it or through the crosswalks; not
/// counting requirements below it), folded in one risk at a time: what the Statement of
/// Applicability and the gaps report show of them. Also the risks that control records name
/// (`risks: [R-12]`), found by id or else by title, as `RegisterIndex.record(_:named:)` finds
/// held records.
public struct RequirementRisks: Sendable {
    /// The risks of one requirement.
    public struct Entry: Sendable {
        /// Links to the risks that reach it: the first, up to the limit, and how many.
        public var links: LinkList
        /// How many reference it directly.
        public var direct = 0
        /// `risk R-1` for the first that reference it directly, up to the limit.
        public var directLabels: [String] = []
    }

    /// A risk a control record names, as found, and the requirements it reaches.
    public struct NamedRisk: Sendable {
        /// The risk as a report names it.
        public var link: ReportLink
        /// Where it reaches (a row that already links it does not link it again).
        public var reached: Set<RequirementKey>
    }

    private let limit: Int
    private var entries: [RequirementKey: Entry] = [:]
    private let names: Set<String>
    private let lowercasedNames: Set<String>
    private var byID: [String: NamedRisk] = [:]
    private var byName: [String: NamedRisk] = [:]

    /// An empty fold for the index's control records, keeping `limit` links per requirement (0: all).
    public init(index: RegisterIndex, limit: Int) {
        self.limit = limit
        names = Set(index.register.records(of: .control).flatMap { $0.list(.risks) })
        lowercasedNames = Set(names.map { $0.lowercased() })
    }

    /// Folds in every risk of the index (for a report built on its own).
    public init(folding index: RegisterIndex, limit: Int) {
        self.init(index: index, limit: limit)
        index.risks.forEach { position, risk in add(risk, reach: index.reach(of: risk, at: position), index: index) }
    }

    /// Folds in one risk.
    public mutating func add(_ risk: CanonicalRecord, reach: Reach, index: RegisterIndex) {
        for (key, link) in reach.links {
            entries[key, default: Entry(links: LinkList(limit: limit))].add(risk, link, to: key, index: index, limit: limit)
        }
        guard !names.isEmpty else { return }
        if names.contains(risk.id), byID[risk.id] == nil {
            byID[risk.id] = NamedRisk(link: index.linked(risk), reached: Set(reach.links.keys))
        }
        let lowercased = risk.label.lowercased()
        if lowercasedNames.contains(lowercased), byName[lowercased] == nil {
            byName[lowercased] = NamedRisk(link: index.linked(risk), reached: Set(reach.links.keys))
        }
    }

    /// The risks of a requirement (nil when none reaches it).
    public func entry(_ key: RequirementKey) -> Entry? {
        entries[key]
    }

    /// The risk a control record names by `name`: the first with that id, else the first with
    /// that title (case-insensitive).
    public func named(_ name: String) -> NamedRisk? {
        byID[name] ?? byName[name.lowercased()]
    }
}

extension RequirementRisks.Entry {
    fileprivate mutating func add(_ risk: CanonicalRecord, _ link: Addressing, to key: RequirementKey, index: RegisterIndex,
                                  limit: Int) {
        links.appendNew(index.linked(risk, by: link, to: key))
        guard link.mapping == nil else { return }
        direct += 1
        if limit == 0 || directLabels.count < limit { directLabels.append("\(RecordKind.risk.rawValue) \(risk.id)") }
    }
}
