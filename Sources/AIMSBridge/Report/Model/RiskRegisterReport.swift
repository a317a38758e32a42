/// A rating pair as the source gave it, and where it falls on a 5 × 5 grid.
public struct RiskRating: Sendable, Encodable {
    /// The likelihood, in the source's words.
    public var likelihood: String?
    /// The impact, in the source's words.
    public var impact: String?
    /// The score, in the source's words.
    public var score: String?
    /// The level, in the source's words.
    public var level: String?
    /// The likelihood placed on 1…5 by its normalized value; nil when it cannot be placed.
    public var likelihoodCell: Int?
    /// The impact placed on 1…5.
    public var impactCell: Int?

    /// `L Likely · I Major · 12 · High`.
    public var text: String {
        [likelihood.map { "L \($0)" }, impact.map { "I \($0)" }, score, level].compactMap { $0 }.joined(separator: " · ")
    }
}

/// A risk that could not be placed on a heatmap, and why.
public struct UnplacedRisk: Sendable, Encodable {
    /// The risk's id.
    public var id: String
    /// Why.
    public var reason: String
}

/// A 5 × 5 likelihood × impact grid with the number of risks in each cell.
public struct Heatmap: Sendable, Encodable {
    /// `inherent` or `residual`.
    public var name: String
    /// Counts, `counts[likelihood - 1][impact - 1]`.
    public var counts: [[Int]]
    /// Risks with an overdue treatment, per cell.
    public var overdue: [[Int]]
    /// Risks placed.
    public var placed: Int
    /// Risks not placed, with the reason: the first `ReportSettings.displayRows` of them (the
    /// rest are counted, and every risk's ratings are in the risk table).
    public var unplaced: [UnplacedRisk]
    /// How many risks are not placed.
    public var unplacedCount = 0

    /// An empty grid.
    init(name: String) {
        self.name = name
        counts = Array(repeating: Array(repeating: 0, count: 5), count: 5)
        overdue = counts
        placed = 0
        unplaced = []
    }

    /// Places a risk by one of its ratings, or says why it cannot be placed.
    mutating func add(_ risk: RiskRow, _ value: RiskRating) {
        guard let likelihood = value.likelihoodCell, let impact = value.impactCell else {
            unplacedCount += 1
            guard unplaced.count < ReportSettings.displayRows else { return }
            let missing = [value.likelihoodCell == nil ? (value.likelihood == nil ? "no likelihood" : "likelihood '\(value.likelihood!)' not on a known scale") : nil,
                           value.impactCell == nil ? (value.impact == nil ? "no impact" : "impact '\(value.impact!)' not on a known scale") : nil]
            unplaced.append(UnplacedRisk(id: risk.id, reason: missing.compactMap { $0 }.joined(separator: ", ")))
            return
        }
        counts[likelihood - 1][impact - 1] += 1
        if risk.overdue { overdue[likelihood - 1][impact - 1] += 1 }
        placed += 1
    }

    private enum CodingKeys: String, CodingKey {
        case name, counts, overdue, placed, unplaced
    }

    /// The zone of a cell by likelihood × impact: `low` (1–4), `medium` (5–9), `high` (10–16),
    /// `very high` (20–25).
    public static func zone(likelihood: Int, impact: Int) -> String {
        switch likelihood * impact {
        case ..<5: return "low"
        case ..<10: return "medium"
        case ..<17: return "high"
        default: return "very high"
        }
    }
}

/// One risk of the register.
public struct RiskRow: Sendable, Encodable {
    /// The id.
    public var id: String
    /// The title.
    public var title: String
    /// The category.
    public var category: String?
    /// The owner.
    public var owner: String?
    /// The status, in the source's words.
    public var status: String?
    /// The AI systems it concerns (resolved in the inventory where possible).
    public var systems: [ReportLink]
    /// Inherent rating.
    public var inherent: RiskRating
    /// Residual rating.
    public var residual: RiskRating
    /// Treatment option (`modify`, `avoid`, `share`, `retain`) or the source's word.
    public var treatment: String?
    /// The treatment plan.
    public var plan: String?
    /// Who owns the treatment.
    public var treatmentOwner: String?
    /// When the treatment is due (ISO date, or the source's text).
    public var due: String?
    /// Whether the treatment is due before the report date and the risk is not closed.
    public var overdue: Bool
    /// The ISO/IEC 23894 process steps it maps to.
    public var iso23894: [ReportLink]
    /// The EU AI Act articles it maps to.
    public var euAIAct: [ReportLink]
    /// Where it came from (`file:line:col`).
    public var source: String
}

/// The risk register: every risk with its ratings, treatment and mappings, and the inherent and
/// residual heatmaps.
///
/// The report holds the counts and the first `ReportSettings.displayRows` rows (what HTML and
/// Markdown show); `forEachRow(_:)` makes every row again from the register's risks, one at a
/// time, for the CSV and JSON outputs.
public struct RiskRegisterReport: Sendable, Encodable {
    /// The first risks in register order, at most `ReportSettings.displayRows`.
    public var risks: [RiskRow]
    /// How many risks there are.
    public var count: Int
    /// Inherent ratings on the grid.
    public var inherentHeatmap: Heatmap
    /// Residual ratings on the grid.
    public var residualHeatmap: Heatmap
    /// Risks with an overdue treatment.
    public var overdue: Int
    private let index: RegisterIndex
    private let settings: ReportSettings

    /// Status words that mean a risk needs no more treatment.
    static let closedWords = ["closed", "done", "complete", "resolved", "retired", "accepted", "archived"]
    private static let closedWordBytes = closedWords.map { Array($0.utf8) }

    /// Whether a status says the risk needs no more treatment: it contains one of `closedWords`,
    /// case ignored. An ASCII status (nearly all) is searched as bytes: Foundation's `contains`,
    /// which the others go through, bridges to `NSString` and was 6 % of a CSV report set.
    static func isClosed(_ status: String) -> Bool {
        guard status.utf8.allSatisfy({ $0 < 0x80 }) else {
            let lowered = status.lowercased()
            return closedWords.contains { lowered.contains($0) }
        }
        let lowered = status.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        // Compared in place rather than with the standard library's `firstRange(of:)` (as
        // `SourceFormat` sniffs a file's prefix, once): that took 6 % more instructions over a
        // 5,000-risk CSV report set, for every risk twice.
        return closedWordBytes.contains { word in
            guard word.count <= lowered.count else { return false }
            return (0...lowered.count - word.count).contains { lowered[$0..<$0 + word.count].elementsEqual(word) }
        }
    }

    /// The report's figures and first rows, folded in one risk at a time.
    public struct Rows: Sendable {
        var first: [RiskRow] = []
        var count = 0
        var inherent = Heatmap(name: "inherent")
        var residual = Heatmap(name: "residual")
        var overdue = 0

        /// An empty fold.
        public init() {}

        /// Folds in every risk of the index (for a report built on its own).
        public init(folding index: RegisterIndex, settings: ReportSettings) {
            index.risks.forEach { _, risk in add(risk, index: index, settings: settings) }
        }

        /// Folds in one risk.
        public mutating func add(_ risk: CanonicalRecord, index: RegisterIndex, settings: ReportSettings) {
            let row = RiskRegisterReport.row(risk, index: index, settings: settings)
            count += 1
            if row.overdue { overdue += 1 }
            inherent.add(row, row.inherent)
            residual.add(row, row.residual)
            if first.count < ReportSettings.displayRows { first.append(row) }
        }
    }

    /// Builds the report; `rows` is the fold of the register's risks (folded here when nil).
    public init(index: RegisterIndex, settings: ReportSettings, rows: Rows? = nil) {
        let rows = rows ?? Rows(folding: index, settings: settings)
        risks = rows.first
        count = rows.count
        inherentHeatmap = rows.inherent
        residualHeatmap = rows.residual
        overdue = rows.overdue
        self.index = index
        self.settings = settings
    }

    /// Calls `body` with every row, in register order.
    public func forEachRow(_ body: (RiskRow) -> Void) {
        index.risks.forEach { _, risk in body(RiskRegisterReport.row(risk, index: index, settings: settings)) }
    }

    private enum CodingKeys: String, CodingKey {
        case risks, inherentHeatmap, residualHeatmap, overdue
    }

    static func row(_ record: CanonicalRecord, index: RegisterIndex, settings: ReportSettings) -> RiskRow {
        var systems: [ReportLink] = []
        var names = record.list(.systems)
        if let parent = record.parent, parent.kind == .system { names.insert(parent.id, at: 0) }
        for name in names {
            if let system = index.record(.system, named: name) {
                if !systems.contains(where: { $0.id == system.id }) { systems.append(index.linked(system)) }
            } else {
                systems.append(ReportLink(kind: RecordKind.system.rawValue, id: name, title: "(not in the inventory)"))
            }
        }
        let status = record.text(.status)
        let closed = status.map(isClosed) ?? false
        let overdue = !closed && (record.lastDay(.treatmentDue).map { $0 < settings.asOf } ?? false)
        let keys = record.requirementKeys
        var steps = index.requirements(reachedBy: keys, in: "iso23894:2023")
        if steps.isEmpty, let catalog = index.library.catalog("iso23894:2023") {
            // No reference leads to a process step: the record's own fields tell how far it went.
            let (id, reason) = record.values.contains(.treatment) || record.values.contains(.treatmentPlan)
                ? ("6.5", "a treatment is recorded")
                : (record.values.contains(.likelihood) || record.values.contains(.level) || record.values.contains(.score))
                ? ("6.4.3", "ratings are recorded") : ("6.4.2", "the risk is identified")
            if let requirement = catalog[id] {
                steps = [ReportLink(kind: "iso23894:2023", id: id, title: requirement.title, note: "inferred: \(reason)")]
            }
        }
        var articles = index.requirements(reachedBy: keys, in: "eu-ai-act:2024")
        let highRisk = systems.compactMap { index.record(.system, named: $0.id) }.first {
            if case .riskClass(let riskClass)? = $0.values[.riskClass] { return riskClass.value == "high-risk" }
            return false
        }
        if let highRisk, !articles.contains(where: { $0.id == "Art.9" }),
           let title = index.library.catalog("eu-ai-act:2024")?["Art.9"]?.title {
            articles.append(ReportLink(kind: "eu-ai-act:2024", id: "Art.9", title: title,
                                              note: "system \(highRisk.id) is high-risk"))
        }
        return RiskRow(id: record.id, title: record.label, category: record.text(.category),
                       owner: record.text(.owner), status: status, systems: systems,
                       inherent: rating(record, .likelihood, .impact, .score, .level),
                       residual: rating(record, .residualLikelihood, .residualImpact, .residualScore, .residualLevel),
                       treatment: record.text(.treatment), plan: record.text(.treatmentPlan),
                       treatmentOwner: record.text(.treatmentOwner), due: record.text(.treatmentDue), overdue: overdue,
                       iso23894: steps, euAIAct: articles, source: record.locator.description)
    }

    private static func rating(_ record: CanonicalRecord, _ likelihood: CanonicalField, _ impact: CanonicalField,
                               _ score: CanonicalField, _ level: CanonicalField) -> RiskRating {
        func label(_ field: CanonicalField) -> String? {
            switch record.values[field] {
            case .rating(let rating)?: return rating.label
            case .score(let score)?: return score.label
            default: return nil
            }
        }
        func cell(_ field: CanonicalField) -> Int? {
            guard case .rating(let rating)? = record.values[field], let normalized = rating.normalized else { return nil }
            return Int((min(1, max(0, normalized)) * 4).rounded()) + 1
        }
        return RiskRating(likelihood: label(likelihood), impact: label(impact), score: label(score), level: label(level),
                          likelihoodCell: cell(likelihood), impactCell: cell(impact))
    }
}
