/// The built-in mapping used when no profile is given: header synonyms for each canonical
/// field (case, punctuation and spacing ignored), and the kind of record a set of headers
/// describes.
public enum GenericProfile {
    /// One synonym rule: these header keys feed `field` in records of `kinds` (all when nil).
    struct Rule {
        let keys: [String]
        let field: CanonicalField
        let kinds: Set<RecordKind>?
        /// The kind this header suggests when the kind is being detected.
        let suggests: RecordKind?

        init(_ keys: [String], _ field: CanonicalField, kinds: Set<RecordKind>? = nil, suggests: RecordKind? = nil) {
            self.keys = keys
            self.field = field
            self.kinds = kinds
            self.suggests = suggests
        }
    }

    /// The rules, most specific first; the first rule that matches a header and the record's
    /// kind wins.
    static let rules: [Rule] = [
        Rule(["riskid", "riskref", "riskno", "risknumber", "riskreference"], .id, suggests: .risk),
        Rule(["systemid", "aisystemid", "modelid", "inventoryid", "assetid", "useid", "usecaseid"], .id, suggests: .system),
        Rule(["controlid", "controlref", "controlno", "controlnumber", "controlreference"], .id, suggests: .control),
        Rule(["evidenceid", "evidenceref", "artifactid", "documentid"], .id, suggests: .evidence),
        Rule(["assessmentid", "assessmentref"], .id, suggests: .assessment),
        Rule(["id", "ref", "reference", "no", "number", "key", "identifier", "uid", "recordid"], .id),
        Rule(["aisystem", "system", "systemname", "aisystemname", "model", "modelname", "name", "usecase"], .name, kinds: [.system]),
        Rule(["aisystem", "aisystems", "system", "systems", "model", "models", "asset", "assets", "affectedsystem",
              "affectedsystems", "linkedsystem", "linkedsystems", "application", "profile", "relatedsystems"],
             .systems, kinds: [.risk, .control, .evidence, .assessment]),
        Rule(["risktitle", "riskname", "riskscenario"], .title, suggests: .risk),
        Rule(["controlname", "controltitle"], .title, suggests: .control),
        Rule(["evidence", "evidencename", "evidencetitle", "artifact", "document", "documentname"], .title, kinds: [.evidence], suggests: .evidence),
        Rule(["assessmenttitle", "assessmentname"], .title, suggests: .assessment),
        Rule(["title", "name", "summary", "shortdescription", "risk", "control", "subject"], .title,
             kinds: [.risk, .control, .evidence, .assessment, .dataset]),
        Rule(["description", "details", "riskdescription", "systemdescription", "controldescription", "desc",
              "evidencedescription", "scenario"], .description),
        Rule(["category", "riskcategory", "riskcategories", "domain", "theme"], .category),
        Rule(["owner", "riskowner", "systemowner", "controlowner", "evidenceowner", "ownedby", "accountable",
              "accountableowner", "businessowner", "responsible", "assignedto"], .owner),
        Rule(["intendedpurpose", "purpose", "intendeduse", "usecasedescription"], .purpose, suggests: .system),
        Rule(["businessunit", "department", "bu", "division", "lineofbusiness"], .businessUnit),
        Rule(["supplier", "vendor", "developer", "thirdparty", "manufacturer"], .supplier, kinds: [.system], suggests: .system),
        Rule(["version", "modelversion", "systemversion"], .version, kinds: [.system]),
        Rule(["role", "roles", "operatorrole", "aiactrole", "euaiactrole", "operatortype", "ourrole"], .roles, suggests: .system),
        Rule(["lifecyclestage", "lifecycle", "stage", "lifecyclephase", "phase"], .lifecycleStage, suggests: .system),
        Rule(["euaiactriskclass", "euaiactclassification", "riskclassification", "aiactriskcategory", "euaiactcategory",
              "aiactclass", "riskclass", "euaiactrisk", "aiactrisklevel", "euaiactrisklevel", "aiactclassification",
              "euaiactrisktier", "aiactrisk", "euairiskclass"], .riskClass, suggests: .system),
        Rule(["datacategories", "datacategory", "datatypes", "personaldata", "dataclassification", "datasubjects"],
             .dataCategories, kinds: [.system], suggests: .system),
        Rule(["humanoversight", "oversight", "oversightmode", "humanintheloop", "humanoversightmode"], .humanOversight, suggests: .system),
        Rule(["impactrating", "impactlevel", "impacttier", "impactclassification", "highimpact"], .impactRating, kinds: [.system]),
        Rule(["golivedate", "golive", "deployed", "deploymentdate", "deployedon", "launchdate", "livedate"], .deployed, kinds: [.system]),
        Rule(["likelihood", "probability", "prob", "inherentlikelihood", "inherentprobability", "likelihoodrating",
              "grosslikelihood", "currentlikelihood", "currentprobability"], .likelihood, suggests: .risk),
        Rule(["impact", "severity", "consequence", "consequences", "inherentimpact", "inherentseverity",
              "inherentconsequence", "impactrating", "grossimpact", "currentimpact"], .impact, suggests: .risk),
        Rule(["inherentrisk", "inherentscore", "riskscore", "score", "inherentriskscore", "grossrisk", "riskvalue",
              "currentriskscore"], .score, suggests: .risk),
        Rule(["risklevel", "riskrating", "inherentrisklevel", "inherentriskrating", "currentrisklevel", "rating"], .level, suggests: .risk),
        Rule(["residuallikelihood", "residualprobability", "residualprob", "targetlikelihood"], .residualLikelihood, suggests: .risk),
        Rule(["residualimpact", "residualseverity", "residualconsequence", "targetimpact"], .residualImpact, suggests: .risk),
        Rule(["residualrisk", "residualscore", "residualriskscore", "netrisk", "netriskscore"], .residualScore, suggests: .risk),
        Rule(["residualrisklevel", "residualrating", "residualriskrating", "netrisklevel", "residuallevel"], .residualLevel, suggests: .risk),
        Rule(["treatment", "response", "riskresponse", "treatmentoption", "treatmentstrategy", "riskstrategy",
              "strategy", "risktreatment", "treatmentdecision"], .treatment, suggests: .risk),
        Rule(["treatmentplan", "mitigationplan", "actionplan", "mitigation", "mitigations", "actions", "plan",
              "mitigationactions"], .treatmentPlan, kinds: [.risk]),
        Rule(["treatmentowner", "actionowner", "mitigationowner"], .treatmentOwner, kinds: [.risk]),
        Rule(["duedate", "due", "targetdate", "deadline", "treatmentdue", "targetcompletiondate", "treatmentduedate"],
             .treatmentDue, kinds: [.risk]),
        Rule(["identified", "dateidentified", "identifiedon", "dateraised", "raisedon"], .identified, kinds: [.risk]),
        Rule(["applicable", "applicability", "included", "inscope", "isapplicable", "applicablesoa"], .applicability, suggests: .control),
        Rule(["justification", "reason", "rationale", "justificationforinclusion", "justificationforexclusion",
              "exclusionjustification"], .justification, kinds: [.control], suggests: .control),
        Rule(["implementationstatus", "implementation", "implemented", "controlstatus", "implementationstate"],
             .implementationStatus, suggests: .control),
        Rule(["linkedrisks", "risks", "relatedrisks", "riskids", "mitigatedrisks"], .risks, kinds: [.control, .system]),
        Rule(["evidence", "linkedevidence", "evidenceids", "evidencerefs", "relatedevidence"], .evidence, kinds: [.control]),
        Rule(["location", "link", "url", "uri", "path", "evidencelink", "documentlink", "repository", "filelink"],
             .location, kinds: [.evidence], suggests: .evidence),
        Rule(["collected", "datecollected", "collectedon", "collectiondate", "evidencedate", "uploaded", "uploadedon"],
             .collected, kinds: [.evidence], suggests: .evidence),
        Rule(["validuntil", "expiry", "expires", "expirydate", "expirationdate", "validto"], .validUntil,
             kinds: [.evidence], suggests: .evidence),
        Rule(["assessmenttype", "type"], .assessmentType, kinds: [.assessment], suggests: .assessment),
        Rule(["outcome", "result", "conclusion", "findings"], .outcome, kinds: [.assessment]),
        Rule(["assessmentdate", "assessed", "assessedon", "dateassessed", "completedon"], .assessed, kinds: [.assessment]),
        Rule(["lastreviewed", "reviewdate", "reviewed", "lastreview", "lastreviewdate", "reviewedon", "lastassessed"], .reviewed),
        Rule(["nextreview", "nextreviewdate", "reviewdue"], .nextReview),
        Rule(["status", "state", "riskstatus", "systemstatus", "evidencestatus", "assessmentstatus"], .status),
        Rule(["controls", "mitigatingcontrols", "annexaref", "annexa", "annexacontrol", "annexacontrols", "requirement",
              "requirements", "clause", "clauses", "controlreference", "controlrefs", "mappedcontrols", "isocontrols",
              "iso42001", "iso27001", "references", "frameworkreferences", "frameworkrefs", "standards",
              "relatedcontrols", "euaiactarticles", "articles", "nistairmf", "mappedrequirements", "controlmapping",
              "annexacontrol2013", "iso27001controls", "isoiec27001controls", "iso270012022controls", "isoiec270012022controls",
              "iso270012013controls", "isoiec270012013controls", "iso42001controls", "isoiec42001controls",
              "iso420012023controls", "isoiec420012023controls"], .requirements),
    ]

    private static let index: [String: [Rule]] = {
        var index: [String: [Rule]] = [:]
        for rule in rules {
            for key in rule.keys { index[key, default: []].append(rule) }
        }
        return index
    }()

    /// The canonical field a source field path feeds in a record of `kind`, if any.
    ///
    /// Tried in turn: the whole path; the path without parenthesised parts; for a nested path
    /// (`owner.name`, `owned_by@display_value`) the parent name when the last part names a
    /// display form (`name`, `displayName`, `display_value`, `value`, `label`, `title`).
    static func field(for path: String, kind: RecordKind) -> CanonicalField? {
        if let field = lookup(HeaderKey(path), kind: kind) { return field }
        // ServiceNow and similar tools prefix custom fields with `u_` (`u_controls`).
        if path.hasPrefix("u_"), let field = self.field(for: String(path.dropFirst(2)), kind: kind) { return field }
        if let key = HeaderKey.withoutParentheses(path), let field = lookup(key, kind: kind) { return field }
        if let phrase = scalePhrase(in: path), phrase.start > 0,
           let field = lookup(HeaderKey(phrase.words[..<phrase.start].joined()), kind: kind) {
            return field
        }
        if let split = path.lastIndex(where: { $0 == "." || $0 == "@" }) {
            let leaf = HeaderKey(path[path.index(after: split)...]).value
            if displayLeaves.contains(leaf), let field = lookup(HeaderKey(path[..<split]), kind: kind) {
                return field
            }
        }
        return nil
    }

    private static let displayLeaves: Set<String> = ["name", "displayname", "displayvalue", "value", "label", "title", "fullname"]

    private static func lookup(_ key: HeaderKey, kind: RecordKind) -> CanonicalField? {
        guard let candidates = index[key.value] else { return nil }
        for rule in candidates where rule.kinds?.contains(kind) ?? true {
            if CanonicalField.fields(of: kind).contains(rule.field) { return rule.field }
        }
        return nil
    }

    /// Guesses the kind of records from their field names: each header that only one kind uses
    /// votes for it. Returns nil when nothing points anywhere.
    public static func detectKind<S: Sequence<String>>(fieldNames: S) -> RecordKind? {
        var votes: [RecordKind: Int] = [:]
        for name in fieldNames {
            let keys = [HeaderKey(name)] + (HeaderKey.withoutParentheses(name).map { [$0] } ?? [])
            for key in keys {
                if let kind = index[key.value]?.lazy.compactMap(\.suggests).first {
                    votes[kind, default: 0] += 1
                    break
                }
            }
        }
        return votes.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// The kind that the name of an array of child records suggests (`risks` → risk).
    static func kind(forCollection name: String) -> RecordKind? {
        let leaf = name.split(separator: ".").last.map(String.init) ?? name
        switch HeaderKey(leaf).value {
        case "risks", "risk", "riskscenarios", "airisks": return .risk
        case "systems", "system", "aisystems", "models", "usecases": return .system
        case "controls", "appliedcontrols", "measures", "mitigations": return .control
        case "evidence", "evidences", "artifacts", "documents": return .evidence
        case "assessments", "impactassessments", "fria", "dpia": return .assessment
        default: return nil
        }
    }

    /// The scale a rating column's header states: "Likelihood (1-3)", "Impact 1–4",
    /// "Severity (1 to 5)" → 3, 4, 5.
    static func scale(forHeader header: String) -> Int? {
        scalePhrase(in: header)?.top
    }

    /// Where a "1-N" scale phrase starts among the header's words, and N.
    private static func scalePhrase(in header: String) -> (words: [Substring], start: Int, top: Int)? {
        let words = TermNormalizer.normalizedWords(header).split(separator: " ")
        for index in words.indices where words[index] == "1" {
            var next = index + 1
            if next < words.count && words[next] == "to" { next += 1 }
            if next < words.count, let top = Int(words[next]), (2...10).contains(top) { return (words, index, top) }
        }
        return nil
    }

    /// The framework a column's header names, to resolve bare references in it
    /// ("Annex A control (2013)" → `iso27001:2013`).
    static func framework(forHeader header: String) -> String? {
        let key = HeaderKey(header).value
        if key.contains("2013") { return "iso27001:2013" }
        if key.contains("42001") { return "iso42001:2023" }
        if key.contains("27001") { return "iso27001:2022" }
        if key.contains("9001") { return "iso9001:2015" }
        if key.contains("23894") { return "iso23894:2023" }
        if key.contains("aiact") { return "eu-ai-act:2024" }
        if key.contains("nist") || key.contains("airmf") { return "nist-ai-rmf:1.0" }
        return nil
    }
}
