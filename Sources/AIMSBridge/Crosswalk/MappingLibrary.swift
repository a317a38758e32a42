/// Where a requirement leads in another framework: the requirement reached, the relationship
/// of the whole path, and the path itself.
public struct MappedRequirement: Sendable, Hashable {
    /// The requirement reached.
    public let target: RequirementKey
    /// The relationship from the start to `target`; nil when a two-step path cannot be told
    /// (shown as `derived`, indeterminate).
    public let relationship: Relationship?
    /// The edges walked, in order (one or two).
    public let path: [CrosswalkEdge]
    /// The path as text: `iso27001:2013/A.12.4.1 =equal=> iso27001:2022/A.8.15 =intersects-with=> iso42001:2023/A.6.2.8`.
    /// Made once, with the mapping: reports name the path of every link to every risk, and
    /// making the text for each took a sixth of a report's time.
    public let pathDescription: String

    /// Creates a mapping reached over `path`.
    public init(target: RequirementKey, relationship: Relationship?, path: [CrosswalkEdge]) {
        self.target = target
        self.relationship = relationship
        self.path = path
        if let first = path.first {
            var text = first.source.description
            for edge in path { text += " =\(edge.relationship.rawValue)\(edge.derived ? " (inverse)" : "")=> \(edge.target)" }
            pathDescription = text
        } else {
            pathDescription = target.description
        }
    }

    /// `equal`, `subset-of`, …, or `derived` for an indeterminate composition.
    public var relationshipName: String { relationship?.rawValue ?? "derived" }
}

/// The loaded catalogs and crosswalks, with every edge reachable from both ends (inverses
/// derived: subset ↔ superset).
public struct MappingLibrary: Sendable {
    /// The catalogs, in load order.
    public let catalogs: [FrameworkCatalog]
    /// The crosswalks, in load order.
    public let crosswalks: [Crosswalk]
    private let catalogIndex: [String: Int]
    private let adjacency: [RequirementKey: [CrosswalkEdge]]

    /// Builds the library and its graph.
    public init(catalogs: [FrameworkCatalog], crosswalks: [Crosswalk]) {
        self.catalogs = catalogs
        self.crosswalks = crosswalks
        var index: [String: Int] = [:]
        for (position, catalog) in catalogs.enumerated() { index[catalog.framework] = position }
        catalogIndex = index
        var adjacency: [RequirementKey: [CrosswalkEdge]] = [:]
        for edge in crosswalks.flatMap(\.edges) {
            adjacency[edge.source, default: []].append(edge)
            adjacency[edge.target, default: []].append(edge.inverted)
        }
        self.adjacency = adjacency
    }

    /// The catalog of a framework key.
    public func catalog(_ framework: String) -> FrameworkCatalog? {
        catalogIndex[framework].map { catalogs[$0] }
    }

    /// Whether the requirement exists in a loaded catalog.
    public func contains(_ key: RequirementKey) -> Bool {
        catalog(key.framework)?.contains(key.id) ?? false
    }

    /// Every edge, authored and derived, sorted by source then target.
    public var allEdges: [CrosswalkEdge] {
        adjacency.values.flatMap { $0 }.sorted { ($0.source, $0.target, $0.derived ? 1 : 0) < ($1.source, $1.target, $1.derived ? 1 : 0) }
    }

    /// The edges that start at `key` (authored ones and inverses of those that end there).
    public func edges(from key: RequirementKey) -> [CrosswalkEdge] {
        adjacency[key] ?? []
    }

    /// Where `key` leads, in `framework` (or in every other framework), over paths of at most
    /// `hops` edges (1 or 2). Two-step paths compose only `equal∘X = X` and
    /// `subset∘subset = subset`; any other composition is indeterminate (`derived`). Paths do not
    /// go through `no-relationship` edges. Sorted: shortest first, then by target.
    public func map(_ key: RequirementKey, to framework: String? = nil, hops: Int = 2) -> [MappedRequirement] {
        var results: [MappedRequirement] = []
        for first in edges(from: key) {
            if framework == nil || first.target.framework == framework {
                results.append(MappedRequirement(target: first.target, relationship: first.relationship, path: [first]))
            }
            guard hops >= 2, first.relationship != .noRelationship else { continue }
            for second in edges(from: first.target) where second.relationship != .noRelationship {
                guard second.target != key, second.target.framework != key.framework,
                      second.target.framework != first.target.framework,
                      framework == nil || second.target.framework == framework else { continue }
                results.append(MappedRequirement(target: second.target,
                                                 relationship: Relationship.compose(first.relationship, second.relationship),
                                                 path: [first, second]))
            }
        }
        // The order's texts (the target's sort key, the path) are made once per result, not in
        // every comparison: made there, they were most of merging registers with expansion on.
        return results.map { (mapped: $0, order: ($0.path.count, $0.target.framework, RequirementKey.sortKey($0.target.id), $0.pathDescription)) }
            .sorted { $0.order < $1.order }
            .map(\.mapped)
    }
}

extension MappingLibrary {
    /// The reference with every requirement it leads to in the other frameworks (up to two
    /// hops), each with its relationship and path; unresolved references are returned as they are.
    public func expanded(_ reference: RequirementReference) -> RequirementReference {
        guard reference.resolved, let framework = reference.framework else { return reference }
        var result = reference
        result.mappings = mappings(of: RequirementKey(framework: framework, id: reference.id))
        return result
    }

    /// Every requirement `key` leads to (`map(_:)`) as a reference's mappings.
    func mappings(of key: RequirementKey) -> [ReferenceMapping] {
        map(key).map { ReferenceMapping(target: $0.target.description, relationship: $0.relationshipName, path: $0.pathDescription) }
    }
}

/// Expands references as `MappingLibrary.expanded(_:)` does, keeping each requirement's mappings
/// once found: records cite the same requirements over and over, and walking and sorting their
/// paths again for every reference was a third of merging three registers of 200,000 risks.
/// Holds at most `limit` requirements (a register not written by aims can claim any id resolved),
/// then starts again.
struct ReferenceExpander {
    /// How many requirements' mappings are kept at most.
    static let limit = 10_000
    let library: MappingLibrary
    private var found: [RequirementKey: [ReferenceMapping]] = [:]

    init(_ library: MappingLibrary) {
        self.library = library
    }

    /// The reference with the requirements it leads to; unresolved ones as they are.
    mutating func expanded(_ reference: RequirementReference) -> RequirementReference {
        guard reference.resolved, let framework = reference.framework else { return reference }
        let key = RequirementKey(framework: framework, id: reference.id)
        var result = reference
        if let known = found[key] {
            result.mappings = known
        } else {
            if found.count >= ReferenceExpander.limit { found.removeAll(keepingCapacity: true) }
            result.mappings = library.mappings(of: key)
            found[key] = result.mappings
        }
        return result
    }
}
