/// The fields of the canonical register that a source field can feed. Profiles name them by
/// `name`, the case name (`likelihood`, `residualImpact`, `treatmentDue`).
///
/// Case order (the raw value) is the order fields are written in; `jsonPlacement` nests
/// related fields in the JSON output (`inherent`, `residual`, `treatment`). The raw value is
/// an `Int` so that fields hash and compare as integers on the conversion hot path.
public enum CanonicalField: Int, Sendable, Hashable, CaseIterable, Comparable {
    // Common to every kind.
    case id, title, name, description, category, owner, status
    // AI systems.
    case purpose, businessUnit, supplier, version, roles, lifecycleStage, riskClass, dataCategories
    case humanOversight, deployed
    /// A system's impact rating in the source's own terms (US federal "rights-impacting",
    /// "high-impact"), kept apart from the EU AI Act risk class.
    case impactRating
    // Risks.
    case systems
    case likelihood, impact, score, level
    case residualLikelihood, residualImpact, residualScore, residualLevel
    case treatment, treatmentPlan, treatmentOwner, treatmentDue
    case identified
    // Controls.
    case applicability, justification, implementationStatus, risks, evidence
    // Evidence.
    case location, collected, validUntil
    // Assessments.
    case assessmentType, outcome, assessed
    // Common dates and references.
    case reviewed, nextReview
    /// Requirement references (parsed into the record's `refs`, not kept as a value).
    case requirements

    /// How the source text of this field is interpreted.
    public enum ValueType: Sendable {
        case text, list, rating, score, date, term, terms, riskClass, references

        /// Whether values of this type are parsed (and may warn), rather than kept as written.
        var isInterpreted: Bool {
            switch self {
            case .text, .list: return false
            case .rating, .score, .date, .term, .terms, .riskClass, .references: return true
            }
        }
    }

    /// How values of this field are interpreted.
    public var valueType: ValueType {
        switch self {
        case .likelihood, .impact, .level, .residualLikelihood, .residualImpact, .residualLevel: return .rating
        case .score, .residualScore: return .score
        case .deployed, .treatmentDue, .identified, .collected, .validUntil, .assessed, .reviewed, .nextReview: return .date
        case .lifecycleStage, .humanOversight, .treatment, .applicability, .implementationStatus, .assessmentType: return .term
        case .roles: return .terms
        case .riskClass: return .riskClass
        case .systems, .risks, .evidence, .dataCategories: return .list
        case .requirements: return .references
        default: return .text
        }
    }

    /// Objects that group related fields in the JSON output.
    public enum JSONGroup: Sendable {
        case inherent, residual, treatment

        /// The object's key.
        public var key: StaticString {
            switch self {
            case .inherent: return "inherent"
            case .residual: return "residual"
            case .treatment: return "treatment"
            }
        }
    }

    /// The JSON object this field is nested in, and its key there.
    public var jsonPlacement: (group: JSONGroup?, key: StaticString) {
        switch self {
        case .likelihood: return (.inherent, "likelihood")
        case .impact: return (.inherent, "impact")
        case .score: return (.inherent, "score")
        case .level: return (.inherent, "level")
        case .residualLikelihood: return (.residual, "likelihood")
        case .residualImpact: return (.residual, "impact")
        case .residualScore: return (.residual, "score")
        case .residualLevel: return (.residual, "level")
        case .treatment: return (.treatment, "option")
        case .treatmentPlan: return (.treatment, "plan")
        case .treatmentOwner: return (.treatment, "owner")
        case .treatmentDue: return (.treatment, "due")
        case .id: return (nil, "id")
        case .title: return (nil, "title")
        case .name: return (nil, "name")
        case .description: return (nil, "description")
        case .category: return (nil, "category")
        case .owner: return (nil, "owner")
        case .status: return (nil, "status")
        case .purpose: return (nil, "purpose")
        case .businessUnit: return (nil, "businessUnit")
        case .supplier: return (nil, "supplier")
        case .version: return (nil, "version")
        case .roles: return (nil, "roles")
        case .lifecycleStage: return (nil, "lifecycleStage")
        case .riskClass: return (nil, "riskClass")
        case .dataCategories: return (nil, "dataCategories")
        case .humanOversight: return (nil, "humanOversight")
        case .deployed: return (nil, "deployed")
        case .impactRating: return (nil, "impactRating")
        case .systems: return (nil, "systems")
        case .identified: return (nil, "identified")
        case .applicability: return (nil, "applicability")
        case .justification: return (nil, "justification")
        case .implementationStatus: return (nil, "implementationStatus")
        case .risks: return (nil, "risks")
        case .evidence: return (nil, "evidence")
        case .location: return (nil, "location")
        case .collected: return (nil, "collected")
        case .validUntil: return (nil, "validUntil")
        case .assessmentType: return (nil, "assessmentType")
        case .outcome: return (nil, "outcome")
        case .assessed: return (nil, "assessed")
        case .reviewed: return (nil, "reviewed")
        case .nextReview: return (nil, "nextReview")
        case .requirements: return (nil, "requirements")
        }
    }

    /// Canonical fields that a record of `kind` may hold.
    public static func fields(of kind: RecordKind) -> Set<CanonicalField> {
        let common: Set<CanonicalField> = [.id, .title, .name, .description, .category, .owner, .status,
                                           .reviewed, .nextReview, .requirements]
        switch kind {
        case .system:
            return common.union([.purpose, .businessUnit, .supplier, .version, .roles, .lifecycleStage,
                                 .riskClass, .dataCategories, .humanOversight, .deployed, .impactRating, .risks])
        case .risk:
            return common.union([.systems, .likelihood, .impact, .score, .level, .residualLikelihood,
                                 .residualImpact, .residualScore, .residualLevel, .treatment, .treatmentPlan,
                                 .treatmentOwner, .treatmentDue, .identified])
        case .control:
            return common.union([.applicability, .justification, .implementationStatus, .risks, .evidence, .systems])
        case .evidence:
            return common.union([.location, .collected, .validUntil, .systems])
        case .assessment:
            return common.union([.assessmentType, .systems, .outcome, .assessed])
        case .dataset:
            return common.union([.supplier, .version, .dataCategories, .systems, .location])
        }
    }

    /// The name profiles use for this field (`residualLikelihood`).
    public var name: String { CanonicalField.names[rawValue] }

    /// The field with this name, if any.
    public init?(name: String) {
        guard let index = CanonicalField.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }

    private static let names: [String] = allCases.map { String(describing: $0) }

    public static func < (lhs: CanonicalField, rhs: CanonicalField) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
