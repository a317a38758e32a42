// Identifier sets of the frameworks AIMS Bridge resolves requirement references against.
//
// Identifiers only, never titles or requirement text: ISO texts are copyrighted. The ISO/IEC
// 42001:2023, ISO/IEC 27001:2022, ISO 9001:2015, ISO/IEC 23894:2023 and NIST AI RMF lists are
// generated from the reference lists in `shared/reference/`; ISO/IEC 27001:2013 Annex A is written
// from the standard's table of contents (35 control objectives, 114 controls).

/// The Annex A control identifiers of ISO/IEC 42001:2023, ISO/IEC 27001:2022 and ISO/IEC
/// 27001:2013, used to tell which standard a bare `A.x.y` reference belongs to.
public enum AnnexIdentifiers {
    /// ISO/IEC 42001:2023 Annex A: the 38 controls.
    public static let iso42001_2023: [String] = [
        "A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6",
        "A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5",
        "A.6.2.6", "A.6.2.7", "A.6.2.8", "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6", "A.8.2", "A.8.3",
        "A.8.4", "A.8.5", "A.9.2", "A.9.3", "A.9.4", "A.10.2", "A.10.3", "A.10.4",
    ]

    /// ISO/IEC 27001:2022 Annex A: the 93 controls.
    public static let iso27001_2022: [String] = [
        "A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.5.6", "A.5.7", "A.5.8", "A.5.9", "A.5.10",
        "A.5.11", "A.5.12", "A.5.13", "A.5.14", "A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.5.19", "A.5.20",
        "A.5.21", "A.5.22", "A.5.23", "A.5.24", "A.5.25", "A.5.26", "A.5.27", "A.5.28", "A.5.29", "A.5.30",
        "A.5.31", "A.5.32", "A.5.33", "A.5.34", "A.5.35", "A.5.36", "A.5.37", "A.6.1", "A.6.2", "A.6.3",
        "A.6.4", "A.6.5", "A.6.6", "A.6.7", "A.6.8", "A.7.1", "A.7.2", "A.7.3", "A.7.4", "A.7.5",
        "A.7.6", "A.7.7", "A.7.8", "A.7.9", "A.7.10", "A.7.11", "A.7.12", "A.7.13", "A.7.14", "A.8.1",
        "A.8.2", "A.8.3", "A.8.4", "A.8.5", "A.8.6", "A.8.7", "A.8.8", "A.8.9", "A.8.10", "A.8.11",
        "A.8.12", "A.8.13", "A.8.14", "A.8.15", "A.8.16", "A.8.17", "A.8.18", "A.8.19", "A.8.20", "A.8.21",
        "A.8.22", "A.8.23", "A.8.24", "A.8.25", "A.8.26", "A.8.27", "A.8.28", "A.8.29", "A.8.30", "A.8.31",
        "A.8.32", "A.8.33", "A.8.34",
    ]

    /// ISO/IEC 27001:2013 Annex A: the 114 controls.
    public static let iso27001_2013: [String] = [
        "A.5.1.1", "A.5.1.2", "A.6.1.1", "A.6.1.2", "A.6.1.3", "A.6.1.4", "A.6.1.5", "A.6.2.1", "A.6.2.2", "A.7.1.1",
        "A.7.1.2", "A.7.2.1", "A.7.2.2", "A.7.2.3", "A.7.3.1", "A.8.1.1", "A.8.1.2", "A.8.1.3", "A.8.1.4", "A.8.2.1",
        "A.8.2.2", "A.8.2.3", "A.8.3.1", "A.8.3.2", "A.8.3.3", "A.9.1.1", "A.9.1.2", "A.9.2.1", "A.9.2.2", "A.9.2.3",
        "A.9.2.4", "A.9.2.5", "A.9.2.6", "A.9.3.1", "A.9.4.1", "A.9.4.2", "A.9.4.3", "A.9.4.4", "A.9.4.5", "A.10.1.1",
        "A.10.1.2", "A.11.1.1", "A.11.1.2", "A.11.1.3", "A.11.1.4", "A.11.1.5", "A.11.1.6", "A.11.2.1", "A.11.2.2", "A.11.2.3",
        "A.11.2.4", "A.11.2.5", "A.11.2.6", "A.11.2.7", "A.11.2.8", "A.11.2.9", "A.12.1.1", "A.12.1.2", "A.12.1.3", "A.12.1.4",
        "A.12.2.1", "A.12.3.1", "A.12.4.1", "A.12.4.2", "A.12.4.3", "A.12.4.4", "A.12.5.1", "A.12.6.1", "A.12.6.2", "A.12.7.1",
        "A.13.1.1", "A.13.1.2", "A.13.1.3", "A.13.2.1", "A.13.2.2", "A.13.2.3", "A.13.2.4", "A.14.1.1", "A.14.1.2", "A.14.1.3",
        "A.14.2.1", "A.14.2.2", "A.14.2.3", "A.14.2.4", "A.14.2.5", "A.14.2.6", "A.14.2.7", "A.14.2.8", "A.14.2.9", "A.14.3.1",
        "A.15.1.1", "A.15.1.2", "A.15.1.3", "A.15.2.1", "A.15.2.2", "A.16.1.1", "A.16.1.2", "A.16.1.3", "A.16.1.4", "A.16.1.5",
        "A.16.1.6", "A.16.1.7", "A.17.1.1", "A.17.1.2", "A.17.1.3", "A.17.2.1", "A.18.1.1", "A.18.1.2", "A.18.1.3", "A.18.1.4",
        "A.18.1.5", "A.18.2.1", "A.18.2.2", "A.18.2.3",
    ]

    static let set42001 = Set(iso42001_2023)
    static let set27001_2022 = Set(iso27001_2022)
    static let set27001_2013 = Set(iso27001_2013)

    /// The framework keys (`iso42001:2023`, `iso27001:2022`, `iso27001:2013`) whose Annex A has a
    /// control with this identifier, in that order.
    public static func frameworks(containing id: String) -> [String] {
        var keys: [String] = []
        if set42001.contains(id) { keys.append("iso42001:2023") }
        if set27001_2022.contains(id) { keys.append("iso27001:2022") }
        if set27001_2013.contains(id) { keys.append("iso27001:2013") }
        return keys
    }

    /// Whether the Annex A of the framework with this key has a control with this identifier.
    public static func contains(framework: String, id: String) -> Bool {
        switch framework {
        case "iso42001:2023": return set42001.contains(id)
        case "iso27001:2022": return set27001_2022.contains(id)
        case "iso27001:2013": return set27001_2013.contains(id)
        default: return false
        }
    }
}

/// Every requirement identifier AIMS Bridge knows, per framework key: clauses, Annex A objectives
/// and controls, EU AI Act articles and annexes, NIST AI RMF categories and subcategories.
///
/// This is the stand-in the requirement-reference parser resolves against until the framework
/// catalogs under `Mappings/frameworks/` exist; catalogs can replace it.
public enum RequirementIdentifiers {
    /// The framework keys this type knows.
    public static let frameworkKeys: [String] = [
        "iso42001:2023", "iso27001:2022", "iso27001:2013", "iso9001:2015", "iso23894:2023",
        "eu-ai-act:2024", "nist-ai-rmf:1.0",
    ]

    /// ISO/IEC 42001:2023 clauses 4–10 with their sub-clauses.
    public static let iso42001_2023Clauses: [String] = [
        "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6",
        "6.1", "6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.2", "6.3", "7", "7.1", "7.2",
        "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8", "8.1", "8.2", "8.3",
        "8.4", "9", "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3",
        "10", "10.1", "10.2",
    ]

    /// ISO/IEC 42001:2023 Annex A control objectives (A.6 has two sub-objectives).
    public static let iso42001_2023AnnexObjectives: [String] = [
        "A.2", "A.3", "A.4", "A.5", "A.6", "A.6.1", "A.6.2", "A.7", "A.8", "A.9",
        "A.10",
    ]

    /// ISO/IEC 27001:2022 clauses 4–10 with their sub-clauses.
    public static let iso27001_2022Clauses: [String] = [
        "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6",
        "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3", "7", "7.1", "7.2", "7.3",
        "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8", "8.1", "8.2", "8.3", "9",
        "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3", "10", "10.1",
        "10.2",
    ]

    /// ISO/IEC 27001:2022 Annex A themes.
    public static let iso27001_2022AnnexThemes: [String] = [
        "A.5", "A.6", "A.7", "A.8",
    ]

    /// ISO/IEC 27001:2013 clauses 4–10 with their sub-clauses.
    public static let iso27001_2013Clauses: [String] = [
        "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6",
        "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "7", "7.1", "7.2", "7.3", "7.4",
        "7.5", "7.5.1", "7.5.2", "7.5.3", "8", "8.1", "8.2", "8.3", "9", "9.1",
        "9.2", "9.3", "10", "10.1", "10.2",
    ]

    /// ISO/IEC 27001:2013 Annex A sections (A.5–A.18) and control objectives (A.5.1–A.18.2).
    public static let iso27001_2013AnnexObjectives: [String] = [
        "A.5", "A.6", "A.7", "A.8", "A.9", "A.10", "A.11", "A.12", "A.13", "A.14",
        "A.15", "A.16", "A.17", "A.18", "A.5.1", "A.6.1", "A.6.2", "A.7.1", "A.7.2", "A.7.3",
        "A.8.1", "A.8.2", "A.8.3", "A.9.1", "A.9.2", "A.9.3", "A.9.4", "A.10.1", "A.11.1", "A.11.2",
        "A.12.1", "A.12.2", "A.12.3", "A.12.4", "A.12.5", "A.12.6", "A.12.7", "A.13.1", "A.13.2", "A.14.1",
        "A.14.2", "A.14.3", "A.15.1", "A.15.2", "A.16.1", "A.17.1", "A.17.2", "A.18.1", "A.18.2",
    ]

    /// ISO 9001:2015 clauses 4–10 with their sub-clauses.
    public static let iso9001_2015Clauses: [String] = [
        "4", "4.1", "4.2", "4.3", "4.4", "4.4.1", "4.4.2", "5", "5.1", "5.1.1",
        "5.1.2", "5.2", "5.2.1", "5.2.2", "5.3", "6", "6.1", "6.1.1", "6.1.2", "6.2",
        "6.2.1", "6.2.2", "6.3", "7", "7.1", "7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.5",
        "7.1.5.1", "7.1.5.2", "7.1.6", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3",
        "7.5.3.1", "7.5.3.2", "8", "8.1", "8.2", "8.2.1", "8.2.2", "8.2.3", "8.2.3.1", "8.2.3.2",
        "8.2.4", "8.3", "8.3.1", "8.3.2", "8.3.3", "8.3.4", "8.3.5", "8.3.6", "8.4", "8.4.1",
        "8.4.2", "8.4.3", "8.5", "8.5.1", "8.5.2", "8.5.3", "8.5.4", "8.5.5", "8.5.6", "8.6",
        "8.7", "8.7.1", "8.7.2", "9", "9.1", "9.1.1", "9.1.2", "9.1.3", "9.2", "9.2.1",
        "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3", "10", "10.1", "10.2", "10.2.1", "10.2.2",
        "10.3",
    ]

    /// ISO/IEC 23894:2023 clauses 4–6 and the informative annexes A–C.
    public static let iso23894_2023Clauses: [String] = [
        "4", "5", "5.1", "5.2", "5.3", "5.4", "5.4.1", "5.4.2", "5.4.3", "5.4.4",
        "5.4.5", "5.5", "5.6", "5.7", "5.7.1", "5.7.2", "6", "6.1", "6.2", "6.3",
        "6.3.1", "6.3.2", "6.3.3", "6.3.4", "6.4", "6.4.1", "6.4.2", "6.4.2.1", "6.4.2.2", "6.4.2.3",
        "6.4.2.4", "6.4.2.5", "6.4.2.6", "6.4.3", "6.4.3.1", "6.4.3.2", "6.4.3.3", "6.4.4", "6.5", "6.5.1",
        "6.5.2", "6.5.3", "6.6", "6.7", "A", "A.1", "A.2", "A.3", "A.4", "A.5",
        "A.6", "A.7", "A.8", "A.9", "A.10", "A.11", "A.12", "B", "B.1", "B.2",
        "B.3", "B.4", "B.5", "B.6", "B.7", "B.8", "C",
    ]

    /// NIST AI RMF 1.0 (NIST AI 100-1): the 72 subcategories.
    public static let nistAIRMFSubcategories: [String] = [
        "GOVERN 1.1", "GOVERN 1.2", "GOVERN 1.3", "GOVERN 1.4", "GOVERN 1.5", "GOVERN 1.6",
        "GOVERN 1.7", "GOVERN 2.1", "GOVERN 2.2", "GOVERN 2.3", "GOVERN 3.1", "GOVERN 3.2",
        "GOVERN 4.1", "GOVERN 4.2", "GOVERN 4.3", "GOVERN 5.1", "GOVERN 5.2", "GOVERN 6.1",
        "GOVERN 6.2", "MAP 1.1", "MAP 1.2", "MAP 1.3", "MAP 1.4", "MAP 1.5",
        "MAP 1.6", "MAP 2.1", "MAP 2.2", "MAP 2.3", "MAP 3.1", "MAP 3.2",
        "MAP 3.3", "MAP 3.4", "MAP 3.5", "MAP 4.1", "MAP 4.2", "MAP 5.1",
        "MAP 5.2", "MEASURE 1.1", "MEASURE 1.2", "MEASURE 1.3", "MEASURE 2.1", "MEASURE 2.2",
        "MEASURE 2.3", "MEASURE 2.4", "MEASURE 2.5", "MEASURE 2.6", "MEASURE 2.7", "MEASURE 2.8",
        "MEASURE 2.9", "MEASURE 2.10", "MEASURE 2.11", "MEASURE 2.12", "MEASURE 2.13", "MEASURE 3.1",
        "MEASURE 3.2", "MEASURE 3.3", "MEASURE 4.1", "MEASURE 4.2", "MEASURE 4.3", "MANAGE 1.1",
        "MANAGE 1.2", "MANAGE 1.3", "MANAGE 1.4", "MANAGE 2.1", "MANAGE 2.2", "MANAGE 2.3",
        "MANAGE 2.4", "MANAGE 3.1", "MANAGE 3.2", "MANAGE 4.1", "MANAGE 4.2", "MANAGE 4.3",
    ]

    /// The NIST AI RMF 1.0 categories (`GOVERN 1` … `MANAGE 4`).
    public static let nistAIRMFCategories: [String] = {
        var seen = Set<String>()
        var categories: [String] = []
        for id in nistAIRMFSubcategories {
            let category = String(id[..<id.lastIndex(of: ".")!])
            if seen.insert(category).inserted { categories.append(category) }
        }
        return categories
    }()

    /// The EU AI Act (Regulation (EU) 2024/1689) has articles 1–113 and annexes I–XIII.
    public static let euAIActArticleCount = 113
    /// The EU AI Act's annexes, as Roman numerals.
    public static let euAIActAnnexes: [String] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
    ]

    static let set42001 = Set(iso42001_2023Clauses + iso42001_2023AnnexObjectives)
        .union(AnnexIdentifiers.set42001)
    static let set27001_2022 = Set(iso27001_2022Clauses + iso27001_2022AnnexThemes)
        .union(AnnexIdentifiers.set27001_2022)
    static let set27001_2013 = Set(iso27001_2013Clauses + iso27001_2013AnnexObjectives)
        .union(AnnexIdentifiers.set27001_2013)
    static let set9001 = Set(iso9001_2015Clauses)
    static let set23894 = Set(iso23894_2023Clauses)
    static let setNIST = Set(nistAIRMFSubcategories + nistAIRMFCategories)
    static let setAnnexes = Set(euAIActAnnexes)

    /// Whether `id` (in the framework's own spelling: `A.6.2.4`, `8.5.1`, `Art.10(2)(f)`,
    /// `Annex.III`, `GOVERN 1.1`) exists in the framework with this key. EU AI Act paragraphs and
    /// points are not checked: `Art.10(2)(f)` exists when article 10 does.
    public static func contains(framework: String, id: String) -> Bool {
        switch framework {
        case "iso42001:2023": return set42001.contains(id)
        case "iso27001:2022": return set27001_2022.contains(id)
        case "iso27001:2013": return set27001_2013.contains(id)
        case "iso9001:2015": return set9001.contains(id)
        case "iso23894:2023": return set23894.contains(id)
        case "nist-ai-rmf:1.0": return setNIST.contains(id)
        case "eu-ai-act:2024": return containsEUAIAct(id)
        default: return false
        }
    }

    /// The identifiers of a framework (EU AI Act: its articles and annexes), for suggestions.
    static func identifiers(framework: String) -> [String] {
        switch framework {
        case "iso42001:2023": return Array(set42001)
        case "iso27001:2022": return Array(set27001_2022)
        case "iso27001:2013": return Array(set27001_2013)
        case "iso9001:2015": return Array(set9001)
        case "iso23894:2023": return Array(set23894)
        case "nist-ai-rmf:1.0": return Array(setNIST)
        case "eu-ai-act:2024": return (1...113).map { "Art.\($0)" } + euAIActAnnexes.map { "Annex.\($0)" }
        default: return []
        }
    }

    /// The identifier of the framework nearest in spelling to `id` (`A.6.10.2` → `A.6.2.10`).
    static func nearest(to id: String, framework: String) -> String? {
        EditDistance.closest(to: id, in: identifiers(framework: framework))
    }

    static func containsEUAIAct(_ id: String) -> Bool {
        if id.hasPrefix("Art.") {
            var number = 0
            var digits = 0
            for byte in id.utf8.dropFirst(4) {
                guard byte >= 0x30 && byte <= 0x39 else { break }
                number = number * 10 + Int(byte - 0x30)
                digits += 1
                if digits > 3 { return false }
            }
            return digits > 0 && number >= 1 && number <= euAIActArticleCount
        }
        if id.hasPrefix("Annex.") {
            let numeral = id.dropFirst(6).prefix { $0 != "(" }
            return setAnnexes.contains(String(numeral))
        }
        return false
    }
}
