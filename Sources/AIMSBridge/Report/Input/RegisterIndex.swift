/// How a record reaches a requirement: by referencing it, or through a crosswalk path from a
/// requirement it references.
public struct Addressing: Sendable, Hashable {
    /// The record's position in the register.
    public var record: Int
    /// The crosswalk path; nil for a direct reference.
    public var mapping: MappedRequirement?

    /// Whether doing what the record does meets the whole requirement: a direct reference, or a
    /// crosswalk path whose relationship is `equal` or `superset-of` (the referenced requirement
    /// asks at least what this one asks).
    public var isComplete: Bool {
        guard let mapping else { return true }
        return mapping.relationship == .equal || mapping.relationship == .supersetOf
    }
}

/// Where one record reaches: for each requirement it references, or reaches through the
/// crosswalks, its most direct link (direct references first, then shorter paths).
public struct Reach: Sendable {
    /// The links, by requirement.
    public var links: [RequirementKey: Addressing] = [:]
}

/// The register with the lookups every report needs: records by id and name, and for every
/// requirement of every loaded catalog, the records that address it directly or through the
/// crosswalks. Built once per report run; pure.
///
/// Risks are not held (see `RiskRecords`): the index holds the other records (systems,
/// controls, evidence, assessments, datasets: an organisation's inventory and control set),
/// and each report folds the risks in, one at a time, with `reach(of:at:)`.
public struct RegisterIndex: Sendable {
    /// The register without its risks, kind by kind.
    public let register: Register
    /// The risks.
    public let risks: RiskRecords
    /// The loaded catalogs and crosswalks.
    public let library: MappingLibrary
    private var byID: [RecordKind: [String: Int]] = [:]
    private var byName: [RecordKind: [String: Int]] = [:]
    private var addressing: [RequirementKey: [Addressing]] = [:]
    private var children: [RequirementKey: [RequirementKey]] = [:]
    /// Where each requirement leads through the crosswalks (paths through `no-relationship`
    /// edges left out), computed once per requirement: every catalog requirement up front (so
    /// folding millions of risks never maps one again), others on first use by a held record.
    private var mappings: [RequirementKey: [MappedRequirement]] = [:]
    /// Each catalog requirement with the requirements above it (see `selfAndAncestors(of:)`),
    /// walked once here rather than for every requirement every risk reaches.
    private var lineages: [RequirementKey: [RequirementKey]] = [:]
    /// For each requirement in `mappings`, the requirements of each other framework it leads to,
    /// as `requirements(reachedBy:in:)` lists them: made once here, since every risk asks again.
    private var frameworkLinks: [FrameworkLeads: [FrameworkLink]] = [:]

    private struct FrameworkLeads: Hashable {
        let from: RequirementKey
        let framework: String
    }

    /// A catalog requirement reached through the crosswalks, linked with its title and path.
    private struct FrameworkLink: Sendable {
        /// Shorter paths first, then by the target's id (`RequirementKey.sortKey`).
        let order: (Int, String)
        let target: RequirementKey
        let link: ReportLink
    }

    /// Indexes a register against a mapping library. The register's risks are read before
    /// those of `risks` (a spill of them).
    public init(register: Register, risks: RiskRecords = RiskRecords(), library: MappingLibrary) {
        // Kind by kind, each in source order: the order of a JSON register, whatever the input
        // (an NDJSON register or raw exports interleave kinds), so every input gives the same reports.
        var held = register
        held.records = RecordKind.allCases.filter { $0 != .risk }.flatMap { kind in register.records.filter { $0.kind == kind } }
        self.register = held
        let heldRisks = register.records.filter { $0.kind == .risk }
        self.risks = risks.prepending(heldRisks)
        self.library = library
        for catalog in library.catalogs {
            for requirement in catalog.requirements {
                let key = RequirementKey(framework: catalog.framework, id: requirement.id)
                mappings[key] = leads(from: key)
                lineages[key] = RegisterIndex.lineage(of: key, in: library)
                guard let parent = requirement.parent else { continue }
                children[RequirementKey(framework: catalog.framework, id: parent), default: []].append(key)
            }
        }
        for (position, record) in held.records.enumerated() {
            if byID[record.kind]?[record.id] == nil { byID[record.kind, default: [:]][record.id] = position }
            let name = record.label.lowercased()
            if byName[record.kind]?[name] == nil { byName[record.kind, default: [:]][name] = position }
        }
        for (position, record) in held.records.enumerated() {
            for key in record.requirementKeys where mappings[key] == nil { mappings[key] = leads(from: key) }
            for (key, entry) in reach(of: record, at: position).ordered {
                addressing[key, default: []].append(entry)
            }
        }
        for (key, leads) in mappings {
            for (framework, links) in RegisterIndex.frameworkLinks(of: leads, library: library) {
                frameworkLinks[FrameworkLeads(from: key, framework: framework)] = links
            }
        }
    }

    /// Where `leads` (one requirement's mappings) reach, by framework: each target in the
    /// framework's catalog, linked by its mapping, in `FrameworkLink.order`.
    private static func frameworkLinks(of leads: [MappedRequirement], library: MappingLibrary,
                                       only framework: String? = nil) -> [String: [FrameworkLink]] {
        var found: [String: [FrameworkLink]] = [:]
        for mapping in leads where framework == nil || mapping.target.framework == framework {
            let target = mapping.target
            guard let title = library.catalog(target.framework)?[target.id]?.title else { continue }
            let link = ReportLink(kind: target.framework, id: target.id, title: title, via: mapping.pathDescription,
                                  relationship: mapping.relationshipName)
            found[target.framework, default: []].append(
                FrameworkLink(order: (mapping.path.count, RequirementKey.sortKey(target.id)), target: target, link: link))
        }
        return found.mapValues { links in links.sorted { $0.order < $1.order } }
    }

    /// Where a record reaches (its position names it in the links): its direct references
    /// first, so that a record citing both ends of a mapping is linked directly.
    public func reach(of record: CanonicalRecord, at position: Int) -> Reach {
        reach(of: record, at: position).reach
    }

    private func reach(of record: CanonicalRecord, at position: Int) -> (reach: Reach, ordered: [(RequirementKey, Addressing)]) {
        var reach = Reach()
        var ordered: [(RequirementKey, Addressing)] = []
        let keys = record.requirementKeys
        for key in keys where reach.links[key] == nil {
            let entry = Addressing(record: position, mapping: nil)
            reach.links[key] = entry
            ordered.append((key, entry))
        }
        for key in keys {
            for mapping in mappings[key] ?? leads(from: key) where reach.links[mapping.target] == nil {
                let entry = Addressing(record: position, mapping: mapping)
                reach.links[mapping.target] = entry
                ordered.append((mapping.target, entry))
            }
        }
        return (reach, ordered)
    }

    /// The most direct link in `reach` to `key` or any requirement below it, found in the order
    /// `addressing(_:descendants:)` looks (so ties resolve the same way); nil when none.
    public func link(in reach: Reach, toOrBelow key: RequirementKey) -> Addressing? {
        var best: Addressing?
        var pending = [key]
        while let next = pending.popLast() {
            if let entry = reach.links[next], best.map({ RegisterIndex.rank($0) > RegisterIndex.rank(entry) }) ?? true {
                best = entry
            }
            pending += children[next] ?? []
        }
        return best
    }

    /// `key` and the requirements above it in its catalog.
    public func selfAndAncestors(of key: RequirementKey) -> [RequirementKey] {
        lineages[key] ?? [key]
    }

    /// `key` and the requirements above it in its catalog, walked up (at most 16).
    private static func lineage(of key: RequirementKey, in library: MappingLibrary) -> [RequirementKey] {
        var keys = [key]
        var current = key
        while let parent = library.catalog(current.framework)?[current.id]?.parent, keys.count < 16 {
            current = RequirementKey(framework: current.framework, id: parent)
            keys.append(current)
        }
        return keys
    }

    /// Where `key` leads through the crosswalks, leaving out paths through `no-relationship` edges.
    private func leads(from key: RequirementKey) -> [MappedRequirement] {
        library.map(key).filter { mapping in mapping.path.allSatisfy { $0.relationship != .noRelationship } }
    }

    /// The record of `kind` with this id, or else with this title or name (case-insensitive);
    /// never a risk (risks are not held).
    public func record(_ kind: RecordKind, named text: String) -> CanonicalRecord? {
        position(kind, named: text).map { register.records[$0] }
    }

    /// The position of the record `record(_:named:)` finds (the first, when records share an id).
    public func position(_ kind: RecordKind, named text: String) -> Int? {
        byID[kind]?[text] ?? byName[kind]?[text.lowercased()]
    }

    /// The held records (not risks) that address `key` (and, with `descendants`, any requirement
    /// below it), each once, by its most direct link: register order.
    public func addressing(_ key: RequirementKey, descendants: Bool = false) -> [Addressing] {
        var best: [Int: Addressing] = [:]
        var pending = [key]
        while let next = pending.popLast() {
            for entry in addressing[next] ?? [] {
                if let known = best[entry.record], RegisterIndex.rank(known) <= RegisterIndex.rank(entry) { continue }
                best[entry.record] = entry
            }
            if descendants { pending += children[next] ?? [] }
        }
        return best.values.sorted { $0.record < $1.record }
    }

    /// Whether the record behind `entry` meets the whole requirement: the link is complete (see
    /// `Addressing.isComplete`) and the record shows it done: evidence or an assessment, or a
    /// control that is implemented (or gives no status). A risk that cites a requirement, or a
    /// control that is partial, planned or not implemented, meets it only in part.
    public func meetsFully(_ entry: Addressing) -> Bool {
        guard entry.isComplete else { return false }
        let record = register.records[entry.record]
        switch record.kind {
        case .evidence, .assessment: return true
        case .control:
            guard let status = record.termValue(.implementationStatus) else { return true }
            return status == "implemented" || status == "not-applicable"
        case .risk, .system, .dataset: return false
        }
    }

    /// Direct links first, then shorter crosswalk paths.
    private static func rank(_ entry: Addressing) -> Int {
        entry.mapping?.path.count ?? 0
    }

    /// The register record at a position.
    public func record(at position: Int) -> CanonicalRecord {
        register.records[position]
    }

    /// A record as a report names it, linked by `entry`; a direct reference to something other
    /// than `key` itself (a sub-requirement) says so.
    public func linked(_ entry: Addressing, to key: RequirementKey) -> ReportLink {
        linked(register.records[entry.record], by: entry, to: key)
    }

    /// `record` as a report names it, linked by `entry` (from its `Reach`) to `key`.
    public func linked(_ record: CanonicalRecord, by entry: Addressing, to key: RequirementKey) -> ReportLink {
        var link = ReportLink(kind: record.kind.rawValue, id: record.id, title: record.label, source: record.source)
        if let mapping = entry.mapping {
            link.via = mapping.pathDescription
            link.relationship = mapping.relationshipName
            if mapping.target != key { link.via! += " (under \(key.id))" }
        } else if !record.refs.contains(where: { $0.resolved && $0.framework == key.framework && $0.id == key.id }) {
            let under = record.refs.first { $0.resolved && $0.framework == key.framework && $0.id.hasPrefix(key.id) }
            link.via = under.map { "\($0.key)" }
        }
        return link
    }

    /// The requirements of `framework` a record references, directly or through the crosswalks
    /// (direct ones first, then by id; each once, by its shortest path), from the record's
    /// `requirementKeys` (made once by the caller for all the frameworks it asks about).
    public func requirements(reachedBy keys: [RequirementKey], in framework: String) -> [ReportLink] {
        var reached: Set<RequirementKey> = []
        var links: [ReportLink] = []
        for key in keys where key.framework == framework {
            guard !reached.contains(key), let title = library.catalog(framework)?[key.id]?.title else { continue }
            reached.insert(key)
            links.append(ReportLink(kind: framework, id: key.id, title: title))
        }
        // The register's references were mapped (and linked) when the index was built.
        var mapped: [FrameworkLink] = []
        for key in keys where key.framework != framework {
            if mappings[key] != nil {
                mapped += frameworkLinks[FrameworkLeads(from: key, framework: framework)] ?? []
            } else {
                mapped += RegisterIndex.frameworkLinks(of: leads(from: key), library: library, only: framework)[framework] ?? []
            }
        }
        if keys.count > 1 { mapped.sort { $0.order < $1.order } }
        for candidate in mapped where reached.insert(candidate.target).inserted {
            links.append(candidate.link)
        }
        return links
    }

    /// A record as a report names it, linked through another record (`via`).
    public func linked(_ record: CanonicalRecord, via: String? = nil) -> ReportLink {
        ReportLink(kind: record.kind.rawValue, id: record.id, title: record.label, source: record.source, via: via)
    }
}
