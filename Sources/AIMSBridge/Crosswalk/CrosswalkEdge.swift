/// How two requirements relate, in the set-theory terms of NIST IR 8477, plus `related` for an
/// unqualified concept link.
public enum Relationship: String, Sendable, Hashable, CaseIterable {
    /// Same content.
    case equal
    /// Everything the source asks is within the target.
    case subsetOf = "subset-of"
    /// Everything the target asks is within the source.
    case supersetOf = "superset-of"
    /// Partial overlap.
    case intersectsWith = "intersects-with"
    /// Explicitly unrelated (where a link might be expected).
    case noRelationship = "no-relationship"
    /// An unqualified concept link.
    case related

    /// The relationship seen from the other end (subset ↔ superset; the rest are symmetric).
    public var inverse: Relationship {
        switch self {
        case .subsetOf: return .supersetOf
        case .supersetOf: return .subsetOf
        default: return self
        }
    }

    /// The relationship of a two-step path, when it can be told: `equal∘X = X`,
    /// `X∘equal = X` and `subset∘subset = subset`. Any other composition is indeterminate (nil).
    public static func compose(_ first: Relationship, _ second: Relationship) -> Relationship? {
        if first == .noRelationship || second == .noRelationship { return nil }
        if first == .equal { return second }
        if second == .equal { return first }
        if first == .subsetOf && second == .subsetOf { return .subsetOf }
        return nil
    }
}

/// Why an edge holds (NIST IR 8477 rationale).
public enum Rationale: String, Sendable, Hashable, CaseIterable {
    /// The wording is alike.
    case syntactic
    /// The meaning is alike.
    case semantic
    /// Doing one does the other.
    case functional
    /// They hold the same place in a shared structure (the harmonized structure).
    case structural
}

/// One mapping between two requirements, as authored in a crosswalk file or derived from one
/// (the inverse of an authored edge).
public struct CrosswalkEdge: Sendable, Hashable {
    /// Where the mapping starts.
    public var source: RequirementKey
    /// Where it ends.
    public var target: RequirementKey
    /// How they relate.
    public var relationship: Relationship
    /// Why.
    public var rationale: Rationale
    /// How strong the link is, 0–10, when the author said.
    public var strength: Int?
    /// One line in the authors' words.
    public var note: String
    /// True for an inverse derived from an authored edge.
    public var derived: Bool
    /// Where the authored edge is (file:line:col).
    public var locator: Locator

    /// Creates an edge.
    public init(source: RequirementKey, target: RequirementKey, relationship: Relationship, rationale: Rationale,
                strength: Int?, note: String, derived: Bool = false, locator: Locator) {
        self.source = source
        self.target = target
        self.relationship = relationship
        self.rationale = rationale
        self.strength = strength
        self.note = note
        self.derived = derived
        self.locator = locator
    }

    /// The same mapping read from the other end.
    public var inverted: CrosswalkEdge {
        CrosswalkEdge(source: target, target: source, relationship: relationship.inverse, rationale: rationale,
                      strength: strength, note: note, derived: true, locator: locator)
    }
}

/// A crosswalk file: two frameworks, where the mapping comes from, and its edges.
public struct Crosswalk: Sendable {
    /// The crosswalk's name (`iso42001-2023--iso27001-2022`).
    public var name: String
    /// The framework of the edges' sources.
    public var sourceFramework: String
    /// The framework of the edges' targets.
    public var targetFramework: String
    /// How the mapping was made.
    public var basis: String
    /// When.
    public var date: String
    /// The data's licence.
    public var licence: String
    /// The authored edges, in file order.
    public var edges: [CrosswalkEdge]
    /// The file.
    public var file: String
}
