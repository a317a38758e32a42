/// Recognises the words exports use for enumerations (treatment options, life-cycle stages,
/// operator roles, oversight modes, applicability, implementation status, assessment types,
/// EU AI Act risk classes) and maps them to canonical terms, keeping the source word.
public enum TermNormalizer {
    /// The term of a single-valued enumeration field.
    static func term(for field: CanonicalField, _ text: String) -> Term {
        switch field {
        case .treatment: return treatment(text)
        case .lifecycleStage: return lifecycleStage(text)
        case .humanOversight: return humanOversight(text)
        case .applicability: return applicability(text)
        case .implementationStatus: return implementationStatus(text)
        case .assessmentType: return assessmentType(text)
        default: return Term(value: nil, source: text)
        }
    }

    /// ISO 31000 treatment options: `modify`, `avoid`, `share`, `retain`.
    public static func treatment(_ text: String) -> Term {
        Term(value: firstMatch(text, treatmentWords), source: text)
    }

    /// ISO/IEC 22989 life-cycle stages.
    public static func lifecycleStage(_ text: String) -> Term {
        Term(value: firstMatch(text, lifecycleWords), source: text)
    }

    /// Human oversight mode: `human-in-the-loop`, `human-on-the-loop`, `human-in-command`, `none`.
    public static func humanOversight(_ text: String) -> Term {
        Term(value: firstMatch(text, oversightWords), source: text)
    }

    /// Applicability of a control: `applicable`, `not-applicable`, `undetermined`.
    public static func applicability(_ text: String) -> Term {
        Term(value: firstMatch(text, applicabilityWords), source: text)
    }

    /// Implementation status: `implemented`, `partial`, `planned`, `not-implemented`, `not-applicable`.
    public static func implementationStatus(_ text: String) -> Term {
        Term(value: firstMatch(text, implementationWords), source: text)
    }

    /// Assessment type: `ai-impact`, `fria`, `dpia`.
    public static func assessmentType(_ text: String) -> Term {
        Term(value: firstMatch(text, assessmentWords), source: text)
    }

    /// EU AI Act operator roles, one term per role named in the text ("Provider / Deployer").
    public static func roles(_ text: String) -> [Term] {
        let parts = MultiValue.split(text, separators: MultiValue.roleSeparators)
            .flatMap(splitOnAnd)
        return parts.map { Term(value: firstMatch($0, roleWords), source: $0) }
    }

    /// "Provider and deployer" → ["Provider", "deployer"].
    private static func splitOnAnd(_ text: String) -> [String] {
        var parts: [String] = []
        var current: [Substring] = []
        for word in text.split(separator: " ") {
            if word.lowercased() == "and" {
                parts.append(current.joined(separator: " "))
                current = []
            } else {
                current.append(word)
            }
        }
        parts.append(current.joined(separator: " "))
        return parts.filter { !$0.isEmpty }
    }

    /// The EU AI Act risk class and, for high-risk, its basis (`Annex.III(4)(a)`, `Annex.I`).
    public static func riskClass(_ text: String) -> RiskClassification {
        let words = normalizedWords(text).split(separator: " ")
        let value = firstMatch(text, riskClassWords) ?? "unknown"
        var basis: String?
        if value == "high-risk" {
            if let annex = phrase(["annex", "iii"], in: words) {
                // "Annex III point 5(b)", "Annex III area 4 a", "Annex III 1".
                let rest = words[(annex + 2)...].drop { ["point", "area", "no", "para", "paragraph"].contains($0) }
                var id = "Annex.III"
                if let point = rest.first, let number = Int(point.prefix { $0.isNumber }), (1...8).contains(number) {
                    id += "(\(number))"
                    let attached = point.drop { $0.isNumber }
                    let letter = attached.isEmpty ? rest.dropFirst().first : attached
                    if let letter, letter.count == 1, letter.first!.isLetter {
                        id += "(\(letter))"
                    }
                }
                basis = id
            } else if phrase(["annex", "i"], in: words) != nil {
                basis = "Annex.I"
            }
        }
        return RiskClassification(value: value, basis: basis, source: text)
    }

    /// Lowercases, turns punctuation into spaces and collapses spaces: "High-risk (Annex III
    /// 4(a))" → "high risk annex iii 4 a".
    static func normalizedWords(_ text: String) -> String {
        var result = ""
        var lastWasSpace = true
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            } else if !lastWasSpace {
                result.append(" ")
                lastWasSpace = true
            }
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }

    /// The canonical term of the first phrase found in the text (phrases are tried in order,
    /// matching whole words).
    static func firstMatch(_ text: String, _ table: [(phrase: String, term: String)]) -> String? {
        let words = normalizedWords(text).split(separator: " ")
        for entry in table where phrase(entry.phrase.split(separator: " "), in: words) != nil {
            return entry.term
        }
        return nil
    }

    /// Where the words of `phrase` occur, in order and next to each other, in `words`.
    static func phrase<P: StringProtocol>(_ phrase: [P], in words: [Substring]) -> Int? {
        guard !phrase.isEmpty, words.count >= phrase.count else { return nil }
        for start in 0...(words.count - phrase.count)
        where zip(phrase, words[start...]).allSatisfy({ $0 == $1 }) {
            return start
        }
        return nil
    }

    static let treatmentWords: [(phrase: String, term: String)] = [
        ("mitigate", "modify"), ("mitigation", "modify"), ("reduce", "modify"), ("modify", "modify"), ("treat", "modify"),
        ("remediate", "modify"), ("control", "modify"), ("transfer", "share"), ("share", "share"), ("insure", "share"),
        ("outsource", "share"), ("accept", "retain"), ("accepted", "retain"), ("tolerate", "retain"), ("retain", "retain"),
        ("monitor", "retain"), ("avoid", "avoid"), ("terminate", "avoid"), ("eliminate", "avoid"), ("discontinue", "avoid"),
    ]

    static let lifecycleWords: [(phrase: String, term: String)] = [
        ("re evaluation", "re-evaluation"), ("reevaluation", "re-evaluation"), ("re assessment", "re-evaluation"),
        ("retired", "retirement"), ("retirement", "retirement"), ("decommissioned", "retirement"), ("decommissioning", "retirement"),
        ("sunset", "retirement"), ("inception", "inception"), ("idea", "inception"), ("ideation", "inception"),
        ("concept", "inception"), ("proposal", "inception"), ("proposed", "inception"), ("planning", "inception"),
        ("verification", "verification-and-validation"), ("validation", "verification-and-validation"),
        ("testing", "verification-and-validation"), ("test", "verification-and-validation"), ("pilot", "verification-and-validation"),
        ("uat", "verification-and-validation"), ("evaluation", "verification-and-validation"),
        ("design", "design-and-development"), ("development", "design-and-development"), ("build", "design-and-development"),
        ("training", "design-and-development"), ("develop", "design-and-development"),
        ("deployment", "deployment"), ("rollout", "deployment"), ("roll out", "deployment"), ("go live", "deployment"),
        ("operation", "operation-and-monitoring"), ("operational", "operation-and-monitoring"), ("production", "operation-and-monitoring"),
        ("live", "operation-and-monitoring"), ("in use", "operation-and-monitoring"), ("monitoring", "operation-and-monitoring"),
        ("deployed", "operation-and-monitoring"), ("operate", "operation-and-monitoring"),
    ]

    static let oversightWords: [(phrase: String, term: String)] = [
        ("in the loop", "human-in-the-loop"), ("hitl", "human-in-the-loop"), ("on the loop", "human-on-the-loop"),
        ("hotl", "human-on-the-loop"), ("in command", "human-in-command"), ("hic", "human-in-command"),
        ("fully automated", "none"), ("no oversight", "none"), ("none", "none"),
    ]

    static let applicabilityWords: [(phrase: String, term: String)] = [
        ("not applicable", "not-applicable"), ("n a", "not-applicable"), ("no", "not-applicable"), ("n", "not-applicable"),
        ("false", "not-applicable"), ("excluded", "not-applicable"), ("out of scope", "not-applicable"), ("0", "not-applicable"),
        ("yes", "applicable"), ("y", "applicable"), ("true", "applicable"), ("applicable", "applicable"),
        ("included", "applicable"), ("in scope", "applicable"), ("1", "applicable"),
        ("tbd", "undetermined"), ("unknown", "undetermined"), ("not determined", "undetermined"), ("to be determined", "undetermined"),
    ]

    static let implementationWords: [(phrase: String, term: String)] = [
        ("not applicable", "not-applicable"), ("not implemented", "not-implemented"), ("not started", "planned"),
        ("partially", "partial"), ("partial", "partial"), ("in progress", "partial"), ("ongoing", "partial"),
        ("implementing", "partial"), ("planned", "planned"), ("to do", "planned"), ("todo", "planned"), ("scheduled", "planned"),
        ("missing", "not-implemented"), ("none", "not-implemented"), ("no", "not-implemented"),
        ("implemented", "implemented"), ("done", "implemented"), ("complete", "implemented"), ("completed", "implemented"),
        ("in place", "implemented"), ("operational", "implemented"), ("effective", "implemented"), ("yes", "implemented"),
    ]

    static let assessmentWords: [(phrase: String, term: String)] = [
        ("fria", "fria"), ("fundamental rights", "fria"), ("dpia", "dpia"), ("pia", "dpia"), ("data protection", "dpia"),
        ("privacy impact", "dpia"), ("aiia", "ai-impact"), ("ai impact", "ai-impact"), ("ai system impact", "ai-impact"),
        ("algorithmic impact", "ai-impact"), ("impact assessment", "ai-impact"),
    ]

    static let roleWords: [(phrase: String, term: String)] = [
        ("authorised representative", "authorised-representative"), ("authorized representative", "authorised-representative"),
        ("product manufacturer", "product-manufacturer"), ("provider", "provider"), ("developer", "provider"),
        ("deployer", "deployer"), ("user", "deployer"), ("importer", "importer"), ("distributor", "distributor"),
    ]

    static let riskClassWords: [(phrase: String, term: String)] = [
        ("prohibited", "prohibited"), ("unacceptable", "prohibited"), ("article 5", "prohibited"),
        ("gpai with systemic risk", "gpai-systemic"), ("systemic", "gpai-systemic"),
        ("gpai", "gpai"), ("general purpose", "gpai"),
        ("high risk", "high-risk"), ("high", "high-risk"), ("annex iii", "high-risk"),
        ("limited", "transparency"), ("transparency", "transparency"), ("article 50", "transparency"),
        ("minimal", "minimal"), ("low", "minimal"), ("no risk", "minimal"),
        ("not assessed", "unknown"), ("unknown", "unknown"), ("tbd", "unknown"),
    ]
}

/// Splits multi-value cells ("Fraud Engine; KYC Match", "hr | eu").
enum MultiValue {
    /// The separators of list cells: `;`, `|` and line breaks (not commas, which names contain).
    static let listSeparators = ASCIISet(";|\n\r")
    /// The separators between operator roles ("Provider / Deployer", "provider, importer").
    static let roleSeparators = ASCIISet(";,/|&\n\r")

    /// Splits on any of the `separators`, trims each part and drops empty parts and null
    /// markers.
    static func split(_ text: String, separators: ASCIISet = listSeparators) -> [String] {
        if !contains(separators, in: text) {
            let value = text.trimmingWhitespace()
            return CSVRecordReader.isAbsent(value) ? [] : [value]
        }
        return text.utf8.split(whereSeparator: separators.contains)
            .map { String(Substring($0)).trimmingWhitespace() }
            .filter { !CSVRecordReader.isAbsent($0) }
    }

    /// Whether `text` holds any of the `separators` (every list cell of a source is looked at:
    /// the generic `utf8.contains(where:)` with `Array.contains` inside cost three times as much).
    private static func contains(_ separators: ASCIISet, in text: String) -> Bool {
        text.withUTF8Bytes { bytes in bytes.contains(where: separators.contains) }
    }
}

/// A set of ASCII bytes, each tested with one shift of a 128-bit mask (built once, not for
/// every cell tested).
struct ASCIISet: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// The set of the ASCII characters of `characters` (others are left out).
    init(_ characters: String) {
        for byte in characters.utf8 where byte < 128 {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
    }

    /// Whether `byte` is in the set.
    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        if byte < 64 { return low >> UInt64(byte) & 1 != 0 }
        return byte < 128 && high >> UInt64(byte - 64) & 1 != 0
    }
}
