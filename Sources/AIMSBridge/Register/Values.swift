/// A rating as the source gave it, placed on its scale and normalized to 0…1 so that 3-, 4- and
/// 5-level scales can be compared: `{"label":"Likely","level":4,"of":5,"normalized":0.75}`.
public struct Rating: Sendable, Hashable {
    /// The source's own text, unchanged.
    public var label: String
    /// 1-based position on the scale; nil when the value could not be placed.
    public var level: Int?
    /// The number of levels on the scale; nil when unknown.
    public var of: Int?
    /// `(level - 1) / (of - 1)`, or the percentage / 100; nil when unknown.
    public var normalized: Double?

    /// Creates a rating.
    public init(label: String, level: Int? = nil, of: Int? = nil, normalized: Double? = nil) {
        self.label = label
        self.level = level
        self.of = of
        self.normalized = normalized
    }
}

/// A risk score column (e.g. likelihood × impact on 1–25), kept as a number and never mistaken
/// for a level: `{"label":"12 (Medium)","value":12,"band":"Medium"}`.
public struct Score: Sendable, Hashable {
    /// The source's own text, unchanged.
    public var label: String
    /// The numeric score, when the text holds one.
    public var value: Double?
    /// A band word that came with the score (`High` in `16 (High)`), if any.
    public var band: String?
    /// The highest score of the tool's scale (25 for likelihood × impact on 1–5), when known.
    public var of: Int?

    /// Creates a score.
    public init(label: String, value: Double? = nil, band: String? = nil, of: Int? = nil) {
        self.label = label
        self.value = value
        self.band = band
        self.of = of
    }
}

/// A date as the source wrote it and, when it is a valid date, in ISO 8601 form
/// (`2025-03-31`, `2025-03`, `2024-Q2`, or a full timestamp as given).
public struct DateValue: Sendable, Hashable {
    /// The source's own text, unchanged.
    public var raw: String
    /// The ISO 8601 form; nil when the text is not a valid date (kept as text, with a warning).
    public var iso: String?

    /// Creates a date value.
    public init(raw: String, iso: String?) {
        self.raw = raw
        self.iso = iso
    }
}

/// A requirement reference found in free text: `27001 A.8.15` →
/// `{"framework":"iso27001:2022","id":"A.8.15","raw":"27001 A.8.15","resolved":true}`.
public struct RequirementReference: Sendable, Hashable {
    /// The framework key (`iso42001:2023`, `iso27001:2022`, `iso27001:2013`, `iso9001:2015`,
    /// `iso23894:2023`, `eu-ai-act:2024`, `nist-ai-rmf:1.0`); nil when it could not be told.
    public var framework: String?
    /// The requirement id in the framework's own spelling (`A.6.2.4`, `Art.10(2)(f)`,
    /// `Annex.III`, `GOVERN 1.1`, `8.5.1`).
    public var id: String
    /// The text the reference was parsed from.
    public var raw: String
    /// Whether the framework is known and the id exists in it.
    public var resolved: Bool
    /// Where the requirement leads in other frameworks through the crosswalks (filled when the
    /// conversion expands references, `--expand`).
    public var mappings: [ReferenceMapping]

    /// Creates a reference.
    public init(framework: String?, id: String, raw: String, resolved: Bool, mappings: [ReferenceMapping] = []) {
        self.framework = framework
        self.id = id
        self.raw = raw
        self.resolved = resolved
        self.mappings = mappings
    }

    /// Whether both name the same requirement (framework and id), whatever the raw text.
    public func isSameRequirement(as other: RequirementReference) -> Bool {
        id == other.id && framework == other.framework
    }

    /// `framework/id`, the one spelling used everywhere (`iso42001:2023/A.6.2.4`); the bare id
    /// when the framework is unknown.
    public var key: String { framework.map { "\($0)/\(id)" } ?? id }

    /// What `isSameRequirement` compares, to hash.
    struct Requirement: Hashable {
        let framework: String?
        let id: String
    }

    /// The requirement it names (see `isSameRequirement(as:)`).
    var requirement: Requirement { Requirement(framework: framework, id: id) }
}

extension Array where Element == RequirementReference {
    /// Appends those of `others` that name a requirement none before them names, in order,
    /// `transform`ed (see `NamedRequirements`).
    mutating func appendNew(_ others: some Collection<RequirementReference>,
                            _ transform: (RequirementReference) -> RequirementReference = { $0 }) {
        var named = NamedRequirements()
        for reference in others { named.append(reference, to: &self, transform) }
    }
}

/// Adds references to a list each once (by the requirement they name): compared one by one while
/// the list is short, hashed once it is long (a cell can hold 100,000 references, whose
/// one-by-one comparison took seconds a record). The set is made from the list when it grows
/// long, and kept up to date from then on, so the list must grow only through `append`.
struct NamedRequirements: Sendable {
    /// How long a list is searched one by one.
    static let searchedCount = 32
    private var hashed: Set<RequirementReference.Requirement> = []

    /// Appends `reference` (`transform`ed) to `list` unless a reference in it names the same
    /// requirement; whether it did.
    @discardableResult
    mutating func append(_ reference: RequirementReference, to list: inout [RequirementReference],
                         _ transform: (RequirementReference) -> RequirementReference = { $0 }) -> Bool {
        if list.count < NamedRequirements.searchedCount {
            guard !list.contains(where: { $0.isSameRequirement(as: reference) }) else { return false }
        } else {
            if hashed.isEmpty { hashed = Set(list.map(\.requirement)) }
            guard hashed.insert(reference.requirement).inserted else { return false }
        }
        list.append(transform(reference))
        return true
    }
}

/// A requirement a reference leads to through the crosswalks.
public struct ReferenceMapping: Sendable, Hashable {
    /// The requirement reached (`iso27001:2022/A.8.15`).
    public var target: String
    /// `equal`, `subset-of`, …, or `derived` when a two-step path cannot be told.
    public var relationship: String
    /// The path walked (`iso42001:2023/A.6.2.8 =intersects-with=> iso27001:2022/A.8.15`).
    public var path: String

    /// Creates a mapping.
    public init(target: String, relationship: String, path: String) {
        self.target = target
        self.relationship = relationship
        self.path = path
    }
}
