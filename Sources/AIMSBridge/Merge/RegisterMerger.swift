/// Which value a merged record keeps when its contributors disagree.
public enum MergePreference: Sendable, Hashable {
    /// The contributor with the latest review, collection, assessment or identification date
    /// (ties: the source path, then the position in it). Independent of input order.
    case newest
    /// The contributor from the source given first.
    case first
    /// The contributor from this source (a path, a file name, a profile or a tool name); then
    /// as `newest`.
    case source(String)

    /// Parses `newest`, `first` or anything else as a source.
    public init(_ text: String) {
        switch text {
        case "newest": self = .newest
        case "first": self = .first
        default: self = .source(text)
        }
    }
}

/// Which records describe the same thing.
public enum MergeMatch: String, Sendable, CaseIterable {
    /// Same kind and id within one source family (sources of the same tool).
    case id
    /// Same kind, normalized title and linked systems, across sources.
    case title
    /// Either.
    case both
}

/// What `aims merge` is told.
public struct MergeOptions: Sendable {
    /// Which value wins.
    public var prefer: MergePreference
    /// How records are matched.
    public var match: MergeMatch
    /// The tool behind each profile name: sources read with profiles of one tool form one family.
    /// A profile not listed (such as `generic`) is a family of its own.
    public var families: [String: String]
    /// When set, every resolved reference gets the requirements it leads to in the other
    /// frameworks (so 27001 evidence carries to the 42001 controls it supports, and back).
    public var expandWith: MappingLibrary?

    /// Creates options.
    public init(prefer: MergePreference = .newest, match: MergeMatch = .id, families: [String: String] = [:],
                expandWith: MappingLibrary? = nil) {
        self.prefer = prefer
        self.match = match
        self.families = families
        self.expandWith = expandWith
    }
}

/// Merges the records of a register that describe the same thing into one record each, keeping
/// the provenance of every contributor (`mergedFrom`) and every value that lost (`conflicts`).
///
/// The result does not depend on the order of the records or of the inputs (except under
/// `--prefer first`, which is about order): groups are found by key, contributors ranked by
/// content, and records and sources written in a sorted order. Merging a merged register again,
/// or with itself, gives it back unchanged.
public struct RegisterMerger: Sendable {
    private let options: MergeOptions

    /// Creates a merger.
    public init(options: MergeOptions) {
        self.options = options
    }

    /// How records are matched.
    var match: MergeMatch { options.match }

    /// The merged register.
    public func merge(_ register: Register) -> Register {
        var result = Register()
        result.sources = mergedSources(register.sources)
        mergedRecords(of: register) { result.records.append($0) }
        return result
    }

    /// Merges the records of `store` (from `sources`) into `sink`, each merged record written as
    /// it is made, none held, and handed to `each` too (to keep what reports need). Returns what
    /// the merge did.
    public func merge(_ store: MergeStore, sources: [SourceSummary], into sink: any RegisterSink,
                      each: (CanonicalRecord) throws(OutputError) -> Void = { _ in }) throws(OutputError) -> MergeSummary {
        var writer = RecordBatcher(into: sink)
        var tally = MergeSummary.Tally(records: [])
        try mergedRecords(of: store, sources: sources) { record throws(OutputError) in
            tally.add(record)
            try writer.add(record)
            try each(record)
        }
        try writer.finish(sources: mergedSources(sources))
        return tally.summary
    }

    /// The sources of the merged register: each once, in a sorted order.
    public func mergedSources(_ sources: [SourceSummary]) -> [SourceSummary] {
        var seen: Set<SourceSummary> = []
        return sources.filter { seen.insert($0).inserted }.sorted { ($0.path, $0.sha256) < ($1.path, $1.sha256) }
    }

    /// Hands each merged record to `body` in the merged register's order, made one at a time
    /// rather than all held: merged records carry every reference's mappings, and a register of
    /// 200,000 took most of a gigabyte that way.
    public func mergedRecords<Failure: Error>(of register: Register,
                                              _ body: (CanonicalRecord) throws(Failure) -> Void) throws(Failure) {
        let entries = register.records.map { MergeEntry($0, match: options.match) }
        try mergedRecords(entries: entries, sources: register.sources,
                          record: { (index: Int) throws(Failure) -> CanonicalRecord in register.records[index] }, body)
    }

    /// Merges the records of `store`, read back group by group, as `mergedRecords(of:_:)` does;
    /// `sources` are the sources they came from.
    public func mergedRecords(of store: MergeStore, sources: [SourceSummary],
                              _ body: (CanonicalRecord) throws(OutputError) -> Void) throws(OutputError) {
        try mergedRecords(entries: store.entries, sources: sources, record: { index throws(OutputError) in try store.record(at: index) }, body)
    }

    /// Finds the groups from what each record's entry says, ranks each group's records, puts
    /// the groups in the register's order and merges them one at a time (`record` gives record n).
    ///
    /// Beyond the entries, memory holds a few machine words per record: the groups are runs of
    /// one array of positions sorted by group and rank, rather than an array per group, and
    /// records are ranked by comparing their entries rather than copies of them.
    private func mergedRecords<Failure: Error>(entries: [MergeEntry], sources: [SourceSummary],
                                               record: (Int) throws(Failure) -> CanonicalRecord,
                                               _ body: (CanonicalRecord) throws(Failure) -> Void) throws(Failure) {
        var sourceOrder: [String: Int] = [:]
        var profiles: [String: String] = [:]
        for (position, source) in sources.enumerated() where sourceOrder[source.path] == nil {
            sourceOrder[source.path] = position
            profiles[source.path] = source.profile
        }
        var groups = UnionFind(count: entries.count)
        var owners: [MatchKey: Int] = [:]
        func meet(_ key: MatchKey, _ position: Int) {
            if let owner = owners[key] { groups.union(owner, position) } else { owners[key] = position }
        }
        for (position, entry) in entries.enumerated() {
            if options.match != .title {
                // An id the converter made up (`<file stem>#<n>`) is a position, meaningful only in its own file.
                let scope = entry.madeUpID ? entry.source : profiles[entry.source].map { options.families[$0] ?? $0 } ?? "unknown"
                meet(.id(entry.kind, inFile: entry.madeUpID, scope: scope, id: entry.id), position)
            }
            if options.match != .id, let titleKey = entry.titleKey { meet(.title(titleKey), position) }
        }
        owners = [:]
        let roots = entries.indices.map { groups.find($0) }
        groups = UnionFind(count: 0) // not needed past here: its memory goes
        // Each group's contributors best first (ties: the order they came in); a merged record
        // takes its kind, source, locator and id from the first.
        let preferred = entries.map { preference($0, order: sourceOrder, profiles: profiles) }
        var order = Array(entries.indices)
        order.sort { a, b in
            if roots[a] != roots[b] { return roots[a] < roots[b] }
            if preferred[a] != preferred[b] { return preferred[a] < preferred[b] }
            let (x, y) = (entries[a], entries[b])
            // Later dates first.
            if x.newest != y.newest { return x.newest > y.newest }
            return (x.source, x.line, x.column, x.id, a) < (y.source, y.line, y.column, y.id, b)
        }
        var runs: [Range<Int>] = []
        var start = 0
        for index in order.indices.dropFirst() where roots[order[index]] != roots[order[start]] {
            runs.append(start..<index)
            start = index
        }
        if !order.isEmpty { runs.append(start..<order.count) }
        // The groups in the register's order (ties: the order their best records came in).
        runs.sort {
            let (a, b) = (order[$0.lowerBound], order[$1.lowerBound])
            let (x, y) = (entries[a], entries[b])
            return (x.kind, x.source, x.line, x.column, x.id, a) < (y.kind, y.source, y.line, y.column, y.id, b)
        }
        var expander = options.expandWith.map(ReferenceExpander.init)
        for run in runs {
            var contributors: [CanonicalRecord] = []
            for position in order[run] { contributors.append(try record(position)) }
            try body(combine(contributors, expander: &expander))
        }
    }

    // MARK: Matching

    /// A key under which records meet the records they merge with.
    private enum MatchKey: Hashable {
        /// The same kind and id within a scope: the source family, or the file for a made-up id.
        case id(RecordKind, inFile: Bool, scope: String, id: String)
        /// The same kind, normalized title and linked systems (`MergeEntry.titleKey`).
        case title(String)
    }

    /// Lower-case letters and digits, single spaces between words.
    static func normalized(_ text: String) -> String {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
    }

    // MARK: Ranking

    /// How much `--prefer` prefers a record: 0 first (then the newest, see `mergedRecords`).
    private func preference(_ record: MergeEntry, order: [String: Int], profiles: [String: String]) -> Int {
        switch options.prefer {
        case .newest: return 0
        case .first: return order[record.source] ?? Int.max
        case .source(let wanted):
            let profile = profiles[record.source]
            let matches = record.source == wanted || record.source.hasSuffix("/" + wanted) || profile == wanted
                || profile.flatMap { options.families[$0] } == wanted
            return matches ? 0 : 1
        }
    }

    // MARK: Combining

    /// One record from a group ranked best first.
    private func combine(_ group: [CanonicalRecord], expander: inout ReferenceExpander?) -> CanonicalRecord {
        var result = group[0]
        var conflicts: [FieldConflict] = []
        for field in CanonicalField.allCases {
            let given = group.compactMap { record in record.values[field].map { (record, $0) } }
            guard let chosen = given.first?.1 else { continue }
            result.values[field] = chosen
            for (record, value) in given where !RegisterMerger.sameMeaning(value, chosen) {
                conflicts.append(FieldConflict(field: field.name, value: .canonical(value), source: record.source, id: record.id))
            }
        }
        var extensions: [ExtensionField] = []
        for record in group {
            for field in record.extensions {
                if let kept = extensions.first(where: { $0.name == field.name }) {
                    if kept.value != field.value {
                        conflicts.append(FieldConflict(field: "extensions.\(field.name)", value: .extensionValue(field.value),
                                                       source: record.source, id: record.id))
                    }
                } else {
                    extensions.append(field)
                }
            }
        }
        result.extensions = extensions.sorted { $0.name < $1.name }
        result.refs = mergedReferences(group, expander: &expander)
        result.parent = group.lazy.compactMap(\.parent).first
        // Conflicts already recorded by earlier merges stay, unless their value is now the one kept.
        for conflict in group.flatMap(\.conflicts) {
            if case .canonical(let value) = conflict.value, let field = CanonicalField(name: conflict.field),
               let kept = result.values[field], RegisterMerger.sameMeaning(value, kept) { continue }
            conflicts.append(conflict)
        }
        var unique: Set<FieldConflict> = []
        result.conflicts = conflicts.filter { unique.insert($0).inserted }.sorted {
            ($0.field, $0.source, $0.id) < ($1.field, $1.source, $1.id)
        }
        var contributions: Set<Contribution> = []
        for record in group {
            let own = record.mergedFrom.isEmpty ? [Contribution(source: record.source, id: record.id, locator: record.locator)] : record.mergedFrom
            contributions.formUnion(own)
        }
        result.mergedFrom = contributions.count < 2 ? [] : contributions.sorted {
            ($0.source, $0.locator.line, $0.locator.column, $0.id) < ($1.source, $1.locator.line, $1.locator.column, $1.id)
        }
        return result
    }

    /// The references of a group's records, each once, in order (expanded when asked). Two are
    /// the same when both are resolved and name the same requirement, or else have the same text;
    /// looked up by hashing, as records can cite tens of thousands (three such records merged
    /// with their copies took 43 s compared one by one).
    private func mergedReferences(_ group: [CanonicalRecord], expander: inout ReferenceExpander?) -> [RequirementReference] {
        var refs: [RequirementReference] = []
        var resolved: Set<RequirementReference.Requirement> = []
        var unresolvedTexts: Set<String> = []
        var texts: Set<String> = []
        for record in group {
            for reference in record.refs {
                // A resolved reference meets resolved ones by requirement and unresolved ones by
                // text; an unresolved one meets every one by text.
                let known = reference.resolved
                    ? resolved.contains(reference.requirement) || unresolvedTexts.contains(reference.raw)
                    : texts.contains(reference.raw)
                guard !known else { continue }
                if reference.resolved { resolved.insert(reference.requirement) } else { unresolvedTexts.insert(reference.raw) }
                texts.insert(reference.raw)
                refs.append(expander?.expanded(reference) ?? reference)
            }
        }
        return refs
    }

    /// Whether two values say the same thing, whatever the source's words: terms with the same
    /// canonical word, dates on the same day, ratings at the same place on the same scale.
    static func sameMeaning(_ a: CanonicalValue, _ b: CanonicalValue) -> Bool {
        switch (a, b) {
        case (.term(let x), .term(let y)):
            return x.value != nil ? x.value == y.value : x == y
        case (.terms(let x), .terms(let y)):
            return x.map { $0.value ?? $0.source } == y.map { $0.value ?? $0.source }
        case (.date(let x), .date(let y)):
            return x.iso != nil ? x.iso == y.iso : x == y
        case (.rating(let x), .rating(let y)):
            return x.level != nil ? (x.level, x.of) == (y.level, y.of) : x.label == y.label
        case (.score(let x), .score(let y)):
            return x.value != nil ? x.value == y.value : x.label == y.label
        case (.riskClass(let x), .riskClass(let y)):
            return (x.value, x.basis) == (y.value, y.basis)
        case (.text(let x), .text(let y)):
            // Foundation's trimming (by way of NSString) took a sixth of merging three registers.
            return x == y || x.trimmingWhitespace() == y.trimmingWhitespace()
        default:
            return a == b
        }
    }
}

/// Disjoint sets over record positions (path halving; the smaller root joins the larger one
/// so the representative never depends on the order unions are made in).
struct UnionFind {
    private var parent: [Int]

    init(count: Int) {
        parent = Array(0..<count)
    }

    mutating func find(_ element: Int) -> Int {
        var element = element
        while parent[element] != element {
            parent[element] = parent[parent[element]]
            element = parent[element]
        }
        return element
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (x, y) = (find(a), find(b))
        if x != y { parent[max(x, y)] = min(x, y) }
    }
}
