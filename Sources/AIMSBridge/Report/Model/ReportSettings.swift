/// The reports `aims report` builds.
public enum ReportKind: String, Sendable, CaseIterable, Comparable {
    /// Statement of Applicability (ISO/IEC 42001 6.1.3).
    case soa
    /// Integrated management-system matrix (harmonized-structure clauses).
    case integrated
    /// Risk register with inherent and residual heatmaps.
    case risks
    /// AI inventory with EU AI Act obligations.
    case inventory
    /// Coverage and gaps per target framework.
    case gaps
    /// Conversion log.
    case log

    /// The report's heading.
    public var title: String {
        switch self {
        case .soa: return "Statement of Applicability"
        case .integrated: return "Integrated management-system matrix"
        case .risks: return "Risk register"
        case .inventory: return "AI inventory and EU AI Act obligations"
        case .gaps: return "Coverage and gaps"
        case .log: return "Conversion log"
        }
    }

    public static func < (lhs: ReportKind, rhs: ReportKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What the user sets for a report run.
public struct ReportSettings: Sendable {
    /// The title of the report set (`--title`).
    public var title: String
    /// The date the reports are as of (`YYYY-MM-DD`): treatments due before it are overdue,
    /// evidence valid until before it has expired.
    public var asOf: String
    /// The frameworks the gaps report covers; empty for every loaded framework.
    public var targets: [String]
    /// Annexes shown beside ISO/IEC 42001 Annex A in the SoA (`iso27001:2022`).
    public var includeAnnexes: [String]
    /// How many linked records a row lists before `… and N more` (0: all).
    public var maxLinks: Int

    /// Rows HTML and Markdown show of a table as long as the register (risks, systems,
    /// obligations, rejects, warnings); the CSV has them all. Also how many risk rows a risk
    /// register report holds in memory for them.
    public static let displayRows = 2_000

    /// Creates settings.
    public init(title: String = "AI management system", asOf: String, targets: [String] = [], includeAnnexes: [String] = [],
                maxLinks: Int = 20) {
        self.title = title
        self.asOf = asOf
        self.targets = targets
        self.includeAnnexes = includeAnnexes
        self.maxLinks = maxLinks
    }
}
