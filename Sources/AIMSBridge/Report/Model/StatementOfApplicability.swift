/// One control of a Statement of Applicability.
public struct SoAEntry: Sendable, Encodable {
    /// The control's id (`A.6.2.4`).
    public var id: String
    /// Its short title.
    public var title: String
    /// `applicable`, `not-applicable`, `applicable (inferred)` or `not determined`.
    public var applicability: String
    /// Where the applicability comes from.
    public var applicabilityBasis: String
    /// The justification a control record gives.
    public var justification: String?
    /// The implementation status a control record gives (`implemented`, `partial`, …).
    public var implementationStatus: String?
    /// The owner a control record gives.
    public var owner: String?
    /// Control records implementing it (directly or through a crosswalk).
    public var controls: LinkList
    /// Risks treated by it.
    public var risks: LinkList
    /// Evidence for it.
    public var evidence: LinkList
}

/// The controls of one annex.
public struct SoAAnnex: Sendable, Encodable {
    /// The framework key (`iso42001:2023`).
    public var framework: String
    /// The standard's name.
    public var standard: String
    /// One entry per control, in catalog order.
    public var entries: [SoAEntry]
}

/// The Statement of Applicability (ISO/IEC 42001 6.1.3): ISO/IEC 42001 Annex A, and any annex
/// included beside it.
public struct StatementOfApplicability: Sendable, Encodable {
    /// ISO/IEC 42001 Annex A first, then the included annexes.
    public var annexes: [SoAAnnex]

    /// Builds the SoA from the register; `risks` is the fold of its risks (folded here when nil).
    public init(index: RegisterIndex, settings: ReportSettings, risks: RequirementRisks? = nil) {
        let risks = risks ?? RequirementRisks(folding: index, limit: settings.maxLinks)
        annexes = (["iso42001:2023"] + settings.includeAnnexes).compactMap { framework in
            guard let catalog = index.library.catalog(framework) else { return nil }
            let entries = catalog.requirements.filter { $0.kind == "control" }.map {
                StatementOfApplicability.entry(RequirementKey(framework: framework, id: $0.id), title: $0.title, index: index,
                                               risks: risks, limit: settings.maxLinks)
            }
            return SoAAnnex(framework: framework, standard: catalog.title, entries: entries)
        }
    }

    private static func entry(_ key: RequirementKey, title: String, index: RegisterIndex, risks: RequirementRisks,
                              limit: Int) -> SoAEntry {
        let addressing = index.addressing(key)
        let reachingRisks = risks.entry(key)
        let direct = addressing.filter { $0.mapping == nil }.map { index.record(at: $0.record) }
        let directControls = direct.filter { $0.kind == .control }
        var entry = SoAEntry(id: key.id, title: title, applicability: "not determined",
                             applicabilityBasis: "no control record, risk or evidence references it",
                             justification: directControls.lazy.compactMap { $0.text(.justification) }.first,
                             implementationStatus: directControls.lazy.compactMap { $0.text(.implementationStatus) }.first,
                             owner: directControls.lazy.compactMap { $0.text(.owner) }.first,
                             controls: LinkList(limit: limit), risks: reachingRisks?.links ?? LinkList(limit: limit),
                             evidence: LinkList(limit: limit))
        let stated = directControls.compactMap { control in control.termValue(.applicability).map { (control, $0) } }
        if let (control, value) = stated.first(where: { $0.1 == "applicable" }) ?? stated.first {
            entry.applicability = value
            entry.applicabilityBasis = "stated by control \(control.id) (\(control.locator.description))"
            let others = stated.filter { $0.1 != value }.map { "\($0.0.id) says \($0.1)" }
            if !others.isEmpty { entry.applicabilityBasis += "; but \(others.joined(separator: ", "))" }
        } else if !direct.isEmpty || (reachingRisks?.direct ?? 0) > 0 {
            entry.applicability = "applicable (inferred)"
            // Register order: systems, then risks, then the other kinds.
            let label = { (record: CanonicalRecord) in "\(record.kind.rawValue) \(record.id)" }
            let labels = direct.filter { $0.kind == .system }.map(label) + (reachingRisks?.directLabels ?? [])
                + direct.filter { $0.kind != .system }.map(label)
            let count = direct.count + (reachingRisks?.direct ?? 0)
            let shown = limit == 0 ? labels : Array(labels.prefix(limit))
            entry.applicabilityBasis = "referenced by " + shown.joined(separator: ", ")
                + (count > shown.count ? " and \(count - shown.count) more" : "")
        } else if !addressing.isEmpty || reachingRisks != nil {
            entry.applicabilityBasis = "reached only through crosswalks; applicability to be decided"
        }
        for item in addressing {
            let record = index.record(at: item.record)
            let link = index.linked(item, to: key)
            switch record.kind {
            case .control: entry.controls.append(link)
            case .evidence, .assessment: entry.evidence.append(link)
            case .risk, .system, .dataset: break
            }
        }
        // Risks and evidence a control record names are linked through that control.
        for control in directControls {
            for name in control.list(.risks) {
                guard let named = risks.named(name), !named.reached.contains(key) else { continue }
                var link = named.link
                link.via = "control \(control.id)"
                entry.risks.append(link)
            }
            for name in control.list(.evidence) {
                guard let record = index.record(.evidence, named: name) else { continue }
                entry.evidence.append(index.linked(record, via: "control \(control.id)"))
            }
        }
        return entry
    }
}
