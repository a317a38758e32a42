import Foundation
import Testing
@testable import AIMSBridge

/// Import profiles: loading with line-precise errors, detection, and what they do to records.
@Suite struct ImportProfileTests {
    private func write(_ text: String, name: String = "p.yaml") throws -> String {
        let directory = try TestSupport.temporaryDirectory()
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let sample = """
    profile: acme-risks
    title: ACME GRC risks
    tool: ACME GRC
    format: csv
    kind: risk
    signature:
      fields: [Risk No, Risk Headline, Chance, Harm]
    fields:
      Risk No: id
      Risk Headline: title
      Chance: likelihood
      Harm: impact
      Response: treatment
      Assets: systems
    values:
      likelihood:
        scale: 3
        labels: {Seldom: 1, Sometimes: 2, Often: 3}
      treatment:
        terms: {Fix: modify, Live with it: retain}
    separator: ","
    escape: "\\\\"
    null-markers: ["tbc"]
    required: [id, title]
    """

    private func load(_ text: String) throws -> (ImportProfile?, [Diagnostic], String) {
        let path = try write(text)
        let diagnostics = DiagnosticList()
        return (ProfileLoader.load(file: path, diagnostics: diagnostics), diagnostics.diagnostics, path)
    }

    @Test func loadsAProfile() throws {
        let (profile, diagnostics, _) = try load(Self.sample)
        #expect(diagnostics.isEmpty)
        let loaded = try #require(profile)
        #expect(loaded.name == "acme-risks" && loaded.kind == .risk && loaded.format == .csv)
        #expect(loaded.field(for: "RISK NO") == .id)
        #expect(loaded.field(for: "risk_headline") == .title)
        #expect(loaded.rating("Often", for: .likelihood) == Rating(label: "Often", level: 3, of: 3, normalized: 1))
        #expect(loaded.rating("2", for: .likelihood) == Rating(label: "2", level: 2, of: 3, normalized: 0.5))
        #expect(loaded.term("live with IT", for: .treatment) == "retain")
        #expect(loaded.split("AI\\, ML,Privacy, tbc") == ["AI, ML", "Privacy"])
    }

    @Test func misspeltCanonicalFieldIsAnErrorWithAHint() throws {
        let text = Self.sample.replacingOccurrences(of: "Chance: likelihood", with: "Chance: likelyhood")
        let (profile, diagnostics, path) = try load(text)
        #expect(profile == nil)
        #expect(diagnostics.map(\.description) == ["\(path):11:11: error: unknown canonical field 'likelyhood' — did you mean 'likelihood'?"])
    }

    @Test func badTermsKindsAndLevelsAreReported() throws {
        var text = Self.sample.replacingOccurrences(of: "Fix: modify", with: "Fix: mitigate")
        text = text.replacingOccurrences(of: "kind: risk", with: "kind: risks")
        text = text.replacingOccurrences(of: "Often: 3", with: "Often: 4")
        let (profile, diagnostics, path) = try load(text)
        #expect(profile == nil)
        #expect(diagnostics.map(\.description) == [
            "\(path):5:7: error: 'risks' is not a valid kind (system, risk, control, evidence, assessment, dataset) — did you mean 'risk'?",
            "\(path):18:46: error: level of 'Often' must be a whole number from 1 to 3",
            "\(path):20:18: error: 'mitigate' is not a treatment term (modify, avoid, share, retain) — did you mean 'modify'?",
        ])
    }

    @Test func listsAndMapsWhereASingleValueGoesAreReported() throws {
        var text = Self.sample.replacingOccurrences(of: "Harm: impact", with: "Harm: [impact, residualImpact]")
        text = text.replacingOccurrences(of: "Live with it: retain", with: "Live with it: {term: retain}")
        text = text.replacingOccurrences(of: "Often: 3", with: "[Often, Always]: 3")
        text = text.replacingOccurrences(of: "required: [id, title]", with: "required: [id, [title, name]]")
        let (profile, diagnostics, path) = try load(text)
        #expect(profile == nil)
        #expect(diagnostics.map(\.description) == [
            "\(path):12:9: error: 'Harm' must be a single value",
            "\(path):18:39: error: a key here must be a single value",
            "\(path):20:40: error: 'Live with it' must be a single value",
            "\(path):24:16: error: each item of 'required' must be a single value",
        ])
    }

    @Test func aliasesNestedTenDeepAreReportedNotExpanded() throws {
        // Ten lists of ten aliases to the one before: a billion strings, were they expanded.
        var text = "profile: nested\nformat: csv\nkind: risk\nfields:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { text += "  l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", "))]\n" }
        let (profile, diagnostics, path) = try load(text)
        #expect(profile == nil)
        #expect(diagnostics.map(\.description) == (0...9).map { "\(path):\($0 + 5):7: error: 'l\($0)' must be a single value" })
    }

    @Test func childrenAreKindsOrKeptWithTheirHolder() throws {
        let text = Self.sample + "\nchildren:\n  treatments.treatment: control\n  rating.facet: extension\n  notes.note: remark\n"
        let (profile, diagnostics, path) = try load(text)
        #expect(profile == nil)
        #expect(diagnostics.map(\.description) == [
            "\(path):28:15: error: 'remark' is not a kind (system, risk, control, evidence, assessment, dataset) or extension",
        ])
        let (valid, _, _) = try load(text.replacingOccurrences(of: "  notes.note: remark\n", with: ""))
        let loaded = try #require(valid)
        #expect(loaded.children == ["treatments.treatment": .control])
        #expect(loaded.childPaths == ["treatments.treatment", "rating.facet"])
    }

    @Test func normalizesWithTheProfile() throws {
        let (profile, _, _) = try load(Self.sample)
        var normalizer = RecordNormalizer(sourcePath: "acme.csv", options: NormalizeOptions(), profile: profile)
        let record = SourceRecord(fields: [
            SourceField("Risk No", "ACME-7"), SourceField("Risk Headline", "Model drift"), SourceField("Chance", "Sometimes"),
            SourceField("Response", "Fix"), SourceField("Assets", "Scoring\\, v2,Chatbot"), SourceField("Owner", "Ana"),
            SourceField("Harm", "tbc"), SourceField("Notes", "see wiki"),
        ], locator: Locator(file: "acme.csv", line: 2), ordinal: 0)
        let result = try #require(normalizer.normalize(record, diagnostics: DiagnosticList()).record)
        #expect(result.id == "ACME-7")
        #expect(result.values[.likelihood] == .rating(Rating(label: "Sometimes", level: 2, of: 3, normalized: 0.5)))
        #expect(result.values[.treatment] == .term(Term(value: "modify", source: "Fix")))
        #expect(result.values[.systems] == .list(["Scoring, v2", "Chatbot"]))
        #expect(result.values[.owner] == .text("Ana"), "generic fallback maps Owner")
        #expect(result.values[.impact] == nil, "tbc is a null marker of the profile")
        #expect(result.extensions == [ExtensionField(name: "Notes", value: .text("see wiki"))])
    }

    @Test func recordWithoutARequiredFieldIsRejectedAtItsLocation() throws {
        let (profile, _, _) = try load(Self.sample)
        var normalizer = RecordNormalizer(sourcePath: "acme.csv", options: NormalizeOptions(), profile: profile)
        let record = SourceRecord(fields: [SourceField("Risk Headline", "No number")], locator: Locator(file: "acme.csv", line: 9), ordinal: 3)
        switch normalizer.normalize(record, diagnostics: DiagnosticList()) {
        case .record, .attached: Issue.record("expected a rejection")
        case .rejected(let rejected):
            #expect(rejected.locator.line == 9)
            #expect(rejected.reason == "missing required field 'id' (profile acme-risks)")
        }
    }

    @Test func requiredFieldOfTheWrongTypeIsRejectedAtItsLocation() throws {
        let text = Self.sample.replacingOccurrences(of: "required: [id, title]", with: "required: [id, title, likelihood]")
        let (profile, diagnostics, _) = try load(text)
        #expect(diagnostics.isEmpty)
        var normalizer = RecordNormalizer(sourcePath: "acme.csv", options: NormalizeOptions(), profile: profile)
        let record = SourceRecord(fields: [SourceField("Risk No", "R-4"), SourceField("Risk Headline", "Vendor lock-in"),
                                           SourceField("Chance", "Every other Tuesday")],
                                  locator: Locator(file: "acme.csv", line: 12, column: 1), ordinal: 5)
        switch normalizer.normalize(record, diagnostics: DiagnosticList()) {
        case .record, .attached: Issue.record("expected a rejection")
        case .rejected(let rejected):
            #expect(rejected.locator == Locator(file: "acme.csv", line: 12, column: 1))
            #expect(rejected.reason == "required field 'likelihood' has 'Every other Tuesday', which is not a rating on the profile's scale (profile acme-risks)")
        }
    }

    @Test func detectionPicksTheProfileWhoseSignatureMatches() throws {
        let (profile, _, _) = try load(Self.sample)
        let acme = try #require(profile)
        let matching = [SourceRecord(fields: [SourceField("Risk No", "1"), SourceField("Risk Headline", "x"), SourceField("Chance", "Often")],
                                     locator: Locator(file: "f", line: 2), ordinal: 0)]
        let ranked = ProfileDetector.rank([acme], format: .csv, records: matching)
        #expect(ProfileDetector.best(ranked)?.profile.name == "acme-risks")
        #expect(ranked.first?.missing == ["harm"])
        let generic = [SourceRecord(fields: [SourceField("ID", "1"), SourceField("Title", "x")], locator: Locator(file: "f", line: 2), ordinal: 0)]
        #expect(ProfileDetector.best(ProfileDetector.rank([acme], format: .csv, records: generic)) == nil)
        #expect(ProfileDetector.best(ProfileDetector.rank([acme], format: .json, records: matching)) == nil)
    }

    @Test func answerLettersAreDroppedWhenTheProfileSaysSo() throws {
        let (loaded, _, _) = try load(Self.sample + "\nanswer-prefixes: true\n")
        let profile = try #require(loaded)
        #expect(profile.withoutAnswerPrefix("a) Initiated") == "Initiated")
        #expect(profile.withoutAnswerPrefix("C. Implementation and Assessment") == "Implementation and Assessment")
        #expect(profile.withoutAnswerPrefix("Neither") == "Neither")
        #expect(profile.withoutAnswerPrefix("A.6.2.4") == "A.6.2.4")
        let (plain, _, _) = try load(Self.sample)
        #expect(try #require(plain).withoutAnswerPrefix("a) Initiated") == "a) Initiated")

        // In a record: a choice (status, a rating) loses its letter; free text and the items
        // of a list are kept as written.
        var normalizer = RecordNormalizer(sourcePath: "acme.csv", options: NormalizeOptions(), profile: profile)
        let record = SourceRecord(fields: [
            SourceField("Risk No", "ACME-8"), SourceField("Risk Headline", "b) Drift"), SourceField("Status", "a) Initiated"),
            SourceField("Chance", "c) Often"), SourceField("Assets", "a) Scoring,b) Chatbot"),
        ], locator: Locator(file: "acme.csv", line: 2), ordinal: 0)
        let result = try #require(normalizer.normalize(record, diagnostics: DiagnosticList()).record)
        #expect(result.values[.title] == .text("b) Drift"))
        #expect(result.values[.status] == .text("Initiated"))
        #expect(result.values[.likelihood] == .rating(Rating(label: "Often", level: 3, of: 3, normalized: 1)))
        #expect(result.values[.systems] == .list(["a) Scoring", "b) Chatbot"]))
    }

    @Test func laterFoldersOverrideProfilesByName() throws {
        let first = try TestSupport.mappingsFolder(["profiles/acme.yaml": Self.sample])
        let second = try TestSupport.mappingsFolder([
            "profiles/mine.yaml": Self.sample.replacingOccurrences(of: "title: ACME GRC risks", with: "title: Mine"),
        ])
        let profiles = ProfileLoader.load(directories: [first.path, second.path], diagnostics: DiagnosticList())
        #expect(profiles.map(\.title) == ["Mine"])
    }
}
