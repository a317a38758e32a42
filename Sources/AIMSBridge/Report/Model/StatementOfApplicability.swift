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

    /// Builds the SoA from the register.
    public init(index: RegisterIndex, settings: ReportSettings) {
        annexes = (["iso42001:2023"] + settings.includeAnnexes).compactMap { framework in
            guard let catalog = index.library.catalog(framework) else { return nil }
            let entries = catalog.requirements.filter { $0.kind == "control" }.map {
                StatementOfApplicability.entry(RequirementKey(framework: framework, id: $0.id), title: $0.title, index: index,
                                               limit: settings.maxLinks)
            }
            return SoAAnnex(framework: framework, standard: catalog.title, entries: entries)
        }
    }

    private static func entry(_ key: RequirementKey, title: String, index: RegisterIndex, limit: Int) -> SoAEntry {
        let addressing = index.addressing(key)
        let direct = addressing.filter { $0.mapping == nil }.map { index.record(at: $0.record) }
        let directControls = direct.filter { $0.kind == .control }
        var entry = SoAEntry(id: key.id, title: title, applicability: "not determined",
                             applicabilityBasis: "no control record, risk or evidence references it",
                             justification: directControls.lazy.compactMap { $0.text(.justification) }.first,
                             implementationStatus: directControls.lazy.compactMap { $0.text(.implementationStatus) }.first,
                             owner: directControls.lazy.compactMap { $0.text(.owner) }.first,
                             controls: LinkList(limit: limit), risks: LinkList(limit: limit), evidence: LinkList(limit: limit))
        let stated = directControls.compactMap { control in control.termValue(.applicability).map { (control, $0) } }
        if let (control, value) = stated.first(where: { $0.1 == "applicable" }) ?? stated.first {
            entry.applicability = value
            entry.applicabilityBasis = "stated by control \(control.id) (\(control.locator.description))"
            let others = stated.filter { $0.1 != value }.map { "\($0.0.id) says \($0.1)" }
            if !others.isEmpty { entry.applicabilityBasis += "; but \(others.joined(separator: ", "))" }
        } else if !direct.isEmpty {
            entry.applicability = "applicable (inferred)"
            entry.applicabilityBasis = "referenced by " + direct.map { "\($0.kind.rawValue) \($0.id)" }.joined(separator: ", ")
        } else if !addressing.isEmpty {
            entry.applicabilityBasis = "reached only through crosswalks; applicability to be decided"
        }
        for item in addressing {
            let record = index.record(at: item.record)
            let link = index.linked(item, to: key)
            switch record.kind {
            case .control: entry.controls.append(link)
            case .risk: entry.risks.append(link)
            case .evidence, .assessment: entry.evidence.append(link)
            case .system, .dataset: break
            }
        }
        // Risks and evidence a control record names are linked through that control.
        for control in directControls {
            for (field, kind) in [(CanonicalField.risks, RecordKind.risk), (.evidence, .evidence)] {
                for name in control.list(field) {
                    guard let record = index.record(kind, named: name) else { continue }
                    let link = index.linked(record, via: "control \(control.id)")
                    if kind == .risk { entry.risks.append(link) } else { entry.evidence.append(link) }
                }
            }
        }
        return entry
    }
}
