/// An obligation that applies to a system, and the evidence found for it.
public struct ObligationStatus: Sendable, Encodable {
    /// The article (`Art.26`).
    public var article: String
    /// Its title.
    public var title: String
    /// The role it applies through (`deployer`).
    public var role: String
    /// What a person still has to check.
    public var condition: String
    /// Evidence and control records addressing the article (for this system or for no system
    /// in particular).
    public var evidence: LinkList
    /// `evidence found` (evidence, an assessment or an implemented control references the
    /// article, or reaches it by an equal or superset crosswalk path), `partial evidence` (only
    /// weaker paths or unfinished controls) or `missing`.
    public var status: String
}

/// One AI system of the inventory.
public struct InventoryRow: Sendable, Encodable {
    /// The id.
    public var id: String
    /// The name.
    public var name: String
    /// The owner.
    public var owner: String?
    /// EU AI Act operator roles (canonical words, or the source's when not recognised).
    public var roles: [String]
    /// Life-cycle stage.
    public var lifecycleStage: String?
    /// EU AI Act risk class.
    public var riskClass: String?
    /// Its basis (`Annex.III(5)(b)`).
    public var riskClassBasis: String?
    /// The source's own words for the class.
    public var riskClassSource: String?
    /// Data categories.
    public var dataCategories: [String]
    /// Human oversight mode.
    public var humanOversight: String?
    /// Risks that name the system.
    public var risks: LinkList
    /// The obligations that follow from role × risk class.
    public var obligations: [ObligationStatus]
    /// Why no obligations could be derived, when so.
    public var obligationsNote: String?
}

/// The AI inventory with the EU AI Act obligations that follow from each system's operator role
/// and risk class (rules from `Mappings/obligations/`).
public struct InventoryReport: Sendable, Encodable {
    /// The systems in register order.
    public var systems: [InventoryRow]
    /// Obligations that apply, over all systems.
    public var obligations: Int
    /// Of those, obligations without evidence.
    public var missing: Int

    /// The risks that name each system (in their systems list, or by being nested in it),
    /// folded in one risk at a time.
    public struct SystemRisks: Sendable {
        /// By the system's position in the index (an id two systems share names the first).
        private var links: [Int: LinkList] = [:]
        private let limit: Int

        /// An empty fold keeping `limit` links per system (0: all).
        public init(limit: Int) {
            self.limit = limit
        }

        /// Folds in every risk of the index (for a report built on its own).
        public init(folding index: RegisterIndex, limit: Int) {
            self.init(limit: limit)
            index.risks.forEach { _, risk in add(risk, index: index) }
        }

        /// Folds in one risk.
        public mutating func add(_ risk: CanonicalRecord, index: RegisterIndex) {
            var names = risk.list(.systems)
            if let parent = risk.parent, parent.kind == .system { names.append(parent.id) }
            var seen: Set<Int> = []
            for name in names {
                guard let system = index.position(.system, named: name), seen.insert(system).inserted else { continue }
                links[system, default: LinkList(limit: limit)].appendNew(index.linked(risk))
            }
        }

        /// The risks of the system at `position` in the index.
        func links(_ position: Int) -> LinkList {
            links[position] ?? LinkList(limit: limit)
        }
    }

    /// Builds the report; `risks` is the fold of the register's risks (folded here when nil).
    public init(index: RegisterIndex, rules: [ObligationRules], settings: ReportSettings, risks: SystemRisks? = nil) {
        let risksBySystem = risks ?? SystemRisks(folding: index, limit: settings.maxLinks)
        var evidence = ObligationEvidence(index: index, limit: settings.maxLinks)
        let positions = index.register.records.indices.filter { index.register.records[$0].kind == .system }
        systems = positions.map { position in
            let system = index.record(at: position)
            var row = InventoryRow(id: system.id, name: system.label, owner: system.text(.owner), roles: [],
                                   lifecycleStage: system.text(.lifecycleStage), dataCategories: system.list(.dataCategories),
                                   humanOversight: system.text(.humanOversight),
                                   risks: risksBySystem.links(position),
                                   obligations: [])
            if case .terms(let terms)? = system.values[.roles] { row.roles = terms.map { $0.value ?? $0.source } }
            if case .riskClass(let riskClass)? = system.values[.riskClass] {
                row.riskClass = riskClass.value
                row.riskClassBasis = riskClass.basis
                row.riskClassSource = riskClass.source
            }
            row.obligations = InventoryReport.obligations(of: position, row: row, rules: rules, evidence: &evidence)
            if row.obligations.isEmpty {
                row.obligationsNote = row.roles.isEmpty ? "operator role not recorded"
                    : row.riskClass == nil ? "EU AI Act risk class not recorded"
                    : "no obligation rule for \(row.roles.joined(separator: "/")) × \(row.riskClass!)"
            }
            return row
        }
        obligations = systems.reduce(0) { $0 + $1.obligations.count }
        missing = systems.reduce(0) { $0 + $1.obligations.filter { $0.status == "missing" }.count }
    }

    /// The obligations of the system at `system` (its position in the index) and the records that meet them.
    private static func obligations(of system: Int, row: InventoryRow, rules: [ObligationRules],
                                    evidence: inout ObligationEvidence) -> [ObligationStatus] {
        guard let riskClass = row.riskClass else { return [] }
        var result: [ObligationStatus] = []
        for set in rules {
            for role in row.roles {
                for rule in set.rules where rule.applies(role: role, riskClass: riskClass, basis: row.riskClassBasis) {
                    for article in rule.articles where !result.contains(where: { $0.article == article }) {
                        let found = evidence.status(of: RequirementKey(framework: set.framework, id: article), for: system)
                        result.append(ObligationStatus(article: article, title: evidence.title(of: article, in: set.framework),
                                                       role: role, condition: rule.condition, evidence: found.links, status: found.status))
                    }
                }
            }
        }
        return result.sorted { RequirementKey.sortKey($0.article) < RequirementKey.sortKey($1.article) }
    }

    /// The evidence, control and assessment records that address each article (or a paragraph of
    /// it), found once per article for every system: those for no system in particular, which
    /// count for all, and those for named systems. Looked up again for each system, the records
    /// of 50,000 controls took 34 s for 5,000 systems.
    private struct ObligationEvidence {
        let index: RegisterIndex
        let limit: Int
        private var articles: [RequirementKey: Article] = [:]

        /// One article's records, each list in register order, and the status its records for no
        /// system give (the status of every system that has none of its own).
        private struct Article {
            var forAll: [Addressing] = []
            var bySystem: [Int: [Addressing]] = [:]
            var forAllStatus: (status: String, links: LinkList)?
        }

        init(index: RegisterIndex, limit: Int) {
            self.index = index
            self.limit = limit
        }

        /// The article's title in its catalog.
        func title(of article: String, in framework: String) -> String {
            index.library.catalog(framework)?[article]?.title ?? ""
        }

        /// Whether the system at `system` has evidence for `key`: `evidence found`, `partial
        /// evidence` (only through weaker crosswalk paths or unfinished controls) or `missing`,
        /// with the links to the records.
        mutating func status(of key: RequirementKey, for system: Int) -> (status: String, links: LinkList) {
            // Taken out and put back rather than changed in place through the dictionary.
            var article = articles.removeValue(forKey: key) ?? gather(key)
            defer { articles[key] = article }
            if let own = article.bySystem[system] {
                return status(of: (article.forAll + own).sorted { $0.record < $1.record }, key: key)
            }
            if article.forAllStatus == nil { article.forAllStatus = status(of: article.forAll, key: key) }
            return article.forAllStatus!
        }

        private func status(of found: [Addressing], key: RequirementKey) -> (status: String, links: LinkList) {
            let status = found.contains(where: index.meetsFully) ? "evidence found" : found.isEmpty ? "missing" : "partial evidence"
            var links = LinkList(limit: limit)
            for entry in found { links.append(index.linked(entry, to: key)) }
            return (status, links)
        }

        private func gather(_ key: RequirementKey) -> Article {
            var article = Article()
            for entry in index.addressing(key, descendants: true) {
                let record = index.register.records[entry.record]
                guard [.evidence, .control, .assessment].contains(record.kind) else { continue }
                let scope = record.list(.systems)
                if scope.isEmpty {
                    article.forAll.append(entry)
                    continue
                }
                var named: Set<Int> = []
                for name in scope {
                    guard let system = index.position(.system, named: name), named.insert(system).inserted else { continue }
                    article.bySystem[system, default: []].append(entry)
                }
            }
            return article
        }
    }
}
