/// A requirement of one standard beside a harmonized-structure clause.
public struct ClauseCounterpart: Sendable, Encodable {
    /// The requirement id (`6.1.2`).
    public var id: String
    /// Its short title.
    public var title: String
    /// How it relates to the ISO/IEC 42001 clause; nil for the clause itself.
    public var relationship: String?

    /// `6.1 Actions to address risks (intersects-with)`.
    public var text: String { "\(id) \(title)" + (relationship.map { " (\($0))" } ?? "") }
}

/// One harmonized-structure clause with the three standards side by side.
public struct IntegratedRow: Sendable, Encodable {
    /// The ISO/IEC 42001 clause (`6.1`).
    public var clause: ClauseCounterpart
    /// The ISO/IEC 27001:2022 requirements mapped to it.
    public var iso27001: [ClauseCounterpart]
    /// The ISO 9001:2015 requirements mapped to it.
    public var iso9001: [ClauseCounterpart]
    /// Control records addressing it.
    public var controls: LinkList
    /// Evidence addressing it.
    public var evidence: LinkList
    /// Risks referencing it.
    public var risks: LinkList
    /// `covered`, `partly covered` or `gap`.
    public var status: String
    /// Why.
    public var statusReason: String
}

/// The integrated management-system matrix: one row per harmonized-structure clause (4.1 …
/// 10.2) of ISO/IEC 42001, with the ISO/IEC 27001 and ISO 9001 requirements the crosswalks map
/// it to, and the records that address any of them.
///
/// Status: `covered` when current evidence (no valid-until date, or one not before the report
/// date) addresses the clause, directly or by an equal or superset crosswalk path; `partly
/// covered` when only control records, risks, expired evidence or evidence through weaker
/// crosswalk paths do; `gap` when nothing does.
public struct IntegratedMatrix: Sendable, Encodable {
    /// The rows in clause order.
    public var rows: [IntegratedRow]

    static let base = "iso42001:2023"
    static let sides = ["iso27001:2022", "iso9001:2015"]

    /// A harmonized-structure clause and the ISO/IEC 27001 and ISO 9001 requirements the
    /// crosswalks map it to (its counterparts).
    struct Clause {
        var requirement: CatalogRequirement
        var key: RequirementKey
        var counterparts: [CrosswalkEdge]
    }

    /// The clauses of the loaded ISO/IEC 42001 catalog with their counterparts.
    static func clauses(in library: MappingLibrary) -> [Clause] {
        guard let catalog = library.catalog(IntegratedMatrix.base) else { return [] }
        return catalog.requirements.filter(IntegratedMatrix.isHarmonizedClause).map { requirement in
            let key = RequirementKey(framework: IntegratedMatrix.base, id: requirement.id)
            return Clause(requirement: requirement, key: key, counterparts: library.edges(from: key).filter {
                IntegratedMatrix.sides.contains($0.target.framework) && $0.relationship != .noRelationship
                    && !$0.target.id.hasPrefix("A.")
            })
        }
    }

    /// The risks of each clause, folded in one risk at a time: a risk is linked to a clause when
    /// it reaches the clause or a requirement below it, or else references a counterpart (or a
    /// requirement below one) directly; once, by its most direct link.
    public struct ClauseRisks: Sendable {
        private let clauses: [Clause]
        /// The clauses each requirement can link a risk to (as itself or as a counterpart).
        private var clausesReached: [RequirementKey: [Int]] = [:]
        private var links: [RequirementKey: LinkList] = [:]
        private let limit: Int

        /// An empty fold for the index's library, keeping `limit` links per clause (0: all).
        public init(index: RegisterIndex, limit: Int) {
            self.limit = limit
            clauses = IntegratedMatrix.clauses(in: index.library)
            for (position, clause) in clauses.enumerated() {
                for key in [clause.key] + clause.counterparts.map(\.target) where clausesReached[key]?.last != position {
                    clausesReached[key, default: []].append(position)
                }
            }
        }

        /// Folds in every risk of the index (for a matrix built on its own).
        public init(folding index: RegisterIndex, limit: Int) {
            self.init(index: index, limit: limit)
            index.risks.forEach { position, risk in add(risk, reach: index.reach(of: risk, at: position), index: index) }
        }

        /// Folds in one risk.
        public mutating func add(_ risk: CanonicalRecord, reach: Reach, index: RegisterIndex) {
            // The clauses this risk may reach: those of the requirements it reaches or is below.
            var touched: Set<Int> = []
            for key in reach.links.keys {
                for above in index.selfAndAncestors(of: key) { touched.formUnion(clausesReached[above] ?? []) }
            }
            for position in touched.sorted() {
                let clause = clauses[position]
                if let link = index.link(in: reach, toOrBelow: clause.key) {
                    links[clause.key, default: LinkList(limit: limit)].appendNew(index.linked(risk, by: link, to: clause.key))
                    continue
                }
                for counterpart in clause.counterparts {
                    guard let link = index.link(in: reach, toOrBelow: counterpart.target), link.mapping == nil else { continue }
                    links[clause.key, default: LinkList(limit: limit)].appendNew(index.linked(risk, by: link, to: counterpart.target))
                    break
                }
            }
        }

        /// The risks of a clause.
        func links(_ key: RequirementKey) -> LinkList {
            links[key] ?? LinkList(limit: limit)
        }
    }

    /// Builds the matrix; `risks` is the fold of the register's risks (folded here when nil).
    public init(index: RegisterIndex, settings: ReportSettings, risks: ClauseRisks? = nil) {
        let risks = risks ?? ClauseRisks(folding: index, limit: settings.maxLinks)
        rows = IntegratedMatrix.clauses(in: index.library).map { clause in
            let (requirement, key, counterparts) = (clause.requirement, clause.key, clause.counterparts)
            func side(_ framework: String) -> [ClauseCounterpart] {
                counterparts.filter { $0.target.framework == framework }.sorted { $0.target < $1.target }.map {
                    ClauseCounterpart(id: $0.target.id, title: index.library.catalog(framework)?[$0.target.id]?.title ?? "",
                                      relationship: $0.relationship.rawValue)
                }
            }
            var links: [(Addressing, RequirementKey)] = index.addressing(key, descendants: true).map { ($0, key) }
            var linked = Set(links.map(\.0.record))
            for counterpart in counterparts {
                for entry in index.addressing(counterpart.target, descendants: true) where entry.mapping == nil
                    && linked.insert(entry.record).inserted {
                    links.append((entry, counterpart.target))
                }
            }
            links.sort { $0.0.record < $1.0.record }
            var row = IntegratedRow(clause: ClauseCounterpart(id: requirement.id, title: requirement.title),
                                    iso27001: side("iso27001:2022"), iso9001: side("iso9001:2015"),
                                    controls: LinkList(limit: settings.maxLinks), evidence: LinkList(limit: settings.maxLinks),
                                    risks: risks.links(key), status: "gap", statusReason: "no record addresses it")
            var currentEvidence = 0
            var expired = 0
            var weakEvidence = 0
            for (entry, reached) in links {
                let record = index.record(at: entry.record)
                let link = index.linked(entry, to: reached)
                switch record.kind {
                case .control: row.controls.append(link)
                case .evidence, .assessment:
                    row.evidence.append(link)
                    if let until = record.lastDay(.validUntil), until < settings.asOf {
                        expired += 1
                    } else if entry.isComplete {
                        currentEvidence += 1
                    } else {
                        weakEvidence += 1
                    }
                case .risk, .system, .dataset: break
                }
            }
            if currentEvidence > 0 {
                row.status = "covered"
                row.statusReason = "\(currentEvidence) current evidence record\(currentEvidence == 1 ? "" : "s")"
            } else if !links.isEmpty || !row.risks.isEmpty {
                row.status = "partly covered"
                var parts: [String] = []
                if weakEvidence > 0 { parts.append("evidence only through partial crosswalk paths") }
                if expired > 0 { parts.append("evidence expired before \(settings.asOf)") }
                if weakEvidence == 0 && expired == 0 { parts.append("no evidence") }
                if !row.controls.isEmpty { parts.append("\(row.controls.total) control\(row.controls.total == 1 ? "" : "s")") }
                if !row.risks.isEmpty { parts.append("\(row.risks.total) risk\(row.risks.total == 1 ? "" : "s")") }
                row.statusReason = parts.joined(separator: "; ")
            }
            return row
        }
    }

    /// Clauses 4.1 … 10.2: two-level numeric ids.
    static func isHarmonizedClause(_ requirement: CatalogRequirement) -> Bool {
        let parts = requirement.id.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
