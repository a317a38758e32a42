/// How one requirement is covered.
public struct RequirementCoverage: Sendable, Encodable {
    /// The id.
    public var id: String
    /// Its short title.
    public var title: String
    /// The clause group it is counted in.
    public var group: String
    /// `covered`, `partly covered` or `not covered`.
    public var status: String
    /// The records that address it and how (direct, or the crosswalk path and relationship).
    public var how: LinkList
}

/// Coverage of one clause group (a top-level clause, annex objective or chapter).
public struct GroupCoverage: Sendable, Encodable {
    /// The group (`6`, `A.6`, `Chapter III`).
    public var id: String
    /// Its title.
    public var title: String
    /// Requirements in it.
    public var total: Int
    /// Covered.
    public var covered: Int
    /// Partly covered.
    public var partly: Int
    /// Share covered, 0–100 (rounded down).
    public var coveredPercent: Int
    /// Share partly covered, 0–100 (rounded down).
    public var partlyPercent: Int
}

/// The coverage of one target framework.
public struct FrameworkCoverage: Sendable, Encodable {
    /// The framework key.
    public var framework: String
    /// The standard's name.
    public var standard: String
    /// Per clause group.
    public var groups: [GroupCoverage]
    /// Per requirement, in catalog order.
    public var requirements: [RequirementCoverage]
}

/// Coverage and gaps: for each target framework, each leaf requirement (one without
/// sub-requirements) is `covered` when evidence, an assessment or an implemented control
/// references it, or reaches it through a crosswalk path whose relationship is `equal` or
/// `superset-of` (`RegisterIndex.meetsFully`); `partly covered` when it is reached only by
/// weaker paths, by risks, or by controls not yet implemented; `not covered` otherwise.
public struct GapsReport: Sendable, Encodable {
    /// One entry per target framework.
    public var frameworks: [FrameworkCoverage]

    /// Builds the report for `settings.targets` (every loaded framework when empty, ISO/IEC 42001
    /// first); `risks` is the fold of the register's risks (folded here when nil).
    public init(index: RegisterIndex, settings: ReportSettings, risks: RequirementRisks? = nil) {
        let risks = risks ?? RequirementRisks(folding: index, limit: settings.maxLinks)
        // By default ISO/IEC 42001 first (the management system the reports are about), then load order.
        let loaded = index.library.catalogs.map(\.framework)
        let targets = settings.targets.isEmpty
            ? loaded.filter { $0 == IntegratedMatrix.base } + loaded.filter { $0 != IntegratedMatrix.base } : settings.targets
        frameworks = targets.compactMap { framework in
            guard let catalog = index.library.catalog(framework) else { return nil }
            let parents = Set(catalog.requirements.compactMap(\.parent))
            var groups: [GroupCoverage] = []
            var requirements: [RequirementCoverage] = []
            for requirement in catalog.requirements where !parents.contains(requirement.id) {
                let (groupID, groupTitle) = GapsReport.group(of: requirement, in: catalog)
                let key = RequirementKey(framework: framework, id: requirement.id)
                let addressing = index.addressing(key)
                let reachingRisks = risks.entry(key)
                // A risk never meets a requirement: it is at most a partial cover.
                let status = addressing.contains(where: index.meetsFully) ? "covered"
                    : addressing.isEmpty && reachingRisks == nil ? "not covered" : "partly covered"
                // Register order: systems, then risks, then the other kinds.
                var how = LinkList(limit: settings.maxLinks)
                for entry in addressing where index.record(at: entry.record).kind == .system { how.append(index.linked(entry, to: key)) }
                if let reachingRisks { how.append(contentsOf: reachingRisks.links) }
                for entry in addressing where index.record(at: entry.record).kind != .system { how.append(index.linked(entry, to: key)) }
                requirements.append(RequirementCoverage(id: requirement.id, title: requirement.title, group: groupID, status: status,
                                                        how: how))
                if !groups.contains(where: { $0.id == groupID }) {
                    groups.append(GroupCoverage(id: groupID, title: groupTitle, total: 0, covered: 0, partly: 0,
                                                coveredPercent: 0, partlyPercent: 0))
                }
                let position = groups.firstIndex { $0.id == groupID }!
                groups[position].total += 1
                if status == "covered" { groups[position].covered += 1 }
                if status == "partly covered" { groups[position].partly += 1 }
            }
            for position in groups.indices {
                groups[position].coveredPercent = groups[position].covered * 100 / groups[position].total
                groups[position].partlyPercent = groups[position].partly * 100 / groups[position].total
            }
            return FrameworkCoverage(framework: framework, standard: catalog.title, groups: groups, requirements: requirements)
        }
    }

    /// The chapter, when the catalog gives one (its annexes together), else the top-level ancestor.
    private static func group(of requirement: CatalogRequirement, in catalog: FrameworkCatalog) -> (String, String) {
        var top = requirement
        var steps = 0
        while let parent = top.parent.flatMap({ catalog[$0] }), steps < 16 {
            top = parent
            steps += 1
        }
        if let chapter = top.chapter { return ("Chapter \(chapter)", "Chapter \(chapter)") }
        // In a catalog organised in chapters (the EU AI Act), what has none is an annex: one group.
        if top.kind == "annex", catalog.requirements.contains(where: { $0.chapter != nil }) { return ("Annexes", "Annexes") }
        return (top.id, top.title)
    }
}
