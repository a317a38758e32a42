import Foundation
import Testing
@testable import AIMSBridge

/// The report models on small registers built in code, against the shipped catalogs,
/// crosswalks and obligation rules: each rule of each report, one case at a time.
@Suite struct ReportModelTests {
    static let mappings = TestSupport.packageRoot.appendingPathComponent("Mappings").path
    static let library = MappingsLoader.load(directories: [mappings], diagnostics: DiagnosticList())
    static let rules = ObligationRules.load(directories: [mappings], diagnostics: DiagnosticList())
    static let settings = ReportSettings(asOf: "2025-06-30")

    /// A record of `kind` with text, term and list values and references as `framework/id`.
    static func record(_ kind: RecordKind, _ id: String, line: Int = 2, _ values: [CanonicalField: CanonicalValue] = [:],
                       refs: [String] = []) -> CanonicalRecord {
        var canonical = CanonicalValues()
        for (field, value) in values { canonical[field] = value }
        return CanonicalRecord(kind: kind, id: id, source: "t.csv", locator: Locator(file: "t.csv", line: line), values: canonical,
                               refs: refs.map { text in
                                   let key = RequirementKey(text)!
                                   return RequirementReference(framework: key.framework, id: key.id, raw: text, resolved: true)
                               })
    }

    static func term(_ value: String) -> CanonicalValue { .term(Term(value: value, source: value)) }

    static func index(_ records: [CanonicalRecord]) -> RegisterIndex {
        var register = Register()
        register.records = records
        return RegisterIndex(register: register, library: library)
    }

    // MARK: Statement of Applicability

    @Test func applicabilityIsStatedInferredOrNotDetermined() throws {
        let index = Self.index([
            Self.record(.control, "C1", [.title: .text("Pre-release testing"), .applicability: Self.term("applicable"),
                                         .implementationStatus: Self.term("partial"), .owner: .text("Ana"),
                                         .justification: .text("Every model is tested"), .risks: .list(["R2"])],
                        refs: ["iso42001:2023/A.6.2.4"]),
            Self.record(.control, "C2", line: 3, [.applicability: Self.term("applicable")], refs: ["iso42001:2023/A.2.2"]),
            Self.record(.control, "C3", line: 4, [.applicability: Self.term("not-applicable")], refs: ["iso42001:2023/A.2.2"]),
            Self.record(.evidence, "E1", [.title: .text("Data quality report")], refs: ["iso42001:2023/A.7.4"]),
            Self.record(.risk, "R1", [.title: .text("Logs lost")], refs: ["iso27001:2022/A.8.15"]),
            Self.record(.risk, "R2", line: 3, [.title: .text("Untested release")]),
        ])
        let soa = StatementOfApplicability(index: index, settings: Self.settings)
        #expect(soa.annexes.map(\.framework) == ["iso42001:2023"])
        #expect(soa.annexes[0].entries.count == 38)
        let entries = Dictionary(uniqueKeysWithValues: soa.annexes[0].entries.map { ($0.id, $0) })

        let tested = try #require(entries["A.6.2.4"])
        #expect(tested.applicability == "applicable")
        #expect(tested.applicabilityBasis == "stated by control C1 (t.csv:2:1)")
        #expect(tested.implementationStatus == "partial")
        #expect(tested.owner == "Ana" && tested.justification == "Every model is tested")
        #expect(tested.controls.items.map(\.id) == ["C1"])
        #expect(tested.risks.items.map(\.text) == ["R2 Untested release (via control C1)"])

        let policy = try #require(entries["A.2.2"])
        #expect(policy.applicability == "applicable")
        #expect(policy.applicabilityBasis == "stated by control C2 (t.csv:3:1); but C3 says not-applicable")

        let data = try #require(entries["A.7.4"])
        #expect(data.applicability == "applicable (inferred)")
        #expect(data.applicabilityBasis == "referenced by evidence E1")
        #expect(data.evidence.items.map(\.id) == ["E1"])

        let logging = try #require(entries["A.6.2.8"])
        #expect(logging.applicability == "not determined")
        #expect(logging.applicabilityBasis == "reached only through crosswalks; applicability to be decided")
        #expect(logging.risks.items.map(\.text) == ["R1 Logs lost (via iso27001:2022/A.8.15 =intersects-with (inverse)=> iso42001:2023/A.6.2.8)"])

        let untouched = try #require(entries["A.10.4"])
        #expect(untouched.applicability == "not determined")
        #expect(untouched.applicabilityBasis == "no control record, risk or evidence references it")
    }

    @Test func escapingGoesByBytesNotCharacters() {
        // U+0600 makes one character with the `<` after it; U+0301 with the quote before it.
        #expect(HTMLText.escape("\u{600}<b>\"\u{301}'&") == "\u{600}&lt;b&gt;&quot;\u{301}&#39;&amp;")
        #expect(MarkdownRenderer.escape("\u{600}[x](javascript:1)|a\r\nb") == "\u{600}\\[x\\](javascript:1)\\|a<br>b")
        // A one-character replacement (a scalar literal) works as a longer one does.
        #expect(ASCIIReplacements(["a": "b", "c": ""]).apply(to: "abcä") == "bbä")
        // Texts with nothing to replace come back whole, the set's both halves told apart.
        let entities = ASCIIReplacements(["&": "&amp;", "|": "\\|"])
        #expect(entities.apply(to: "plain ä text, \u{600}f") == "plain ä text, \u{600}f")
        #expect(entities.apply(to: "f") == "f" && entities.apply(to: "") == "")
        #expect(entities.apply(to: "a|b&c") == "a\\|b&amp;c")
        #expect(entities.apply(to: "&") == "&amp;" && entities.apply(to: "|") == "\\|")
    }

    @Test func anIncludedAnnexListsThe93Controls() {
        let soa = StatementOfApplicability(index: Self.index([]), settings: ReportSettings(asOf: "2025-06-30", includeAnnexes: ["iso27001:2022"]))
        #expect(soa.annexes.map(\.entries.count) == [38, 93])
        #expect(soa.annexes[1].entries.first?.id == "A.5.1")
    }

    @Test func longLinkListsShowTheFirstAndCountTheRest() throws {
        let risks = (1...5).map { Self.record(.risk, "R\($0)", line: $0 + 1, refs: ["iso42001:2023/A.6.2.6"]) }
        let soa = StatementOfApplicability(index: Self.index(risks), settings: ReportSettings(asOf: "2025-06-30", maxLinks: 2))
        let entry = try #require(soa.annexes[0].entries.first { $0.id == "A.6.2.6" })
        #expect(entry.risks.total == 5)
        #expect(entry.risks.lines == ["R1 R1", "R2 R2", "… and 3 more"])
        let all = StatementOfApplicability(index: Self.index(risks), settings: ReportSettings(asOf: "2025-06-30", maxLinks: 0))
        #expect(all.annexes[0].entries.first { $0.id == "A.6.2.6" }?.risks.items.count == 5)
    }

    // MARK: Risk register

    static func rating(_ label: String, _ level: Int, of: Int) -> CanonicalValue {
        .rating(Rating(label: label, level: level, of: of, normalized: Double(level - 1) / Double(of - 1)))
    }

    @Test func ratingsOfAnyScaleArePlacedByTheirNormalizedValue() {
        let index = Self.index([
            Self.record(.risk, "R3", [.likelihood: Self.rating("Medium", 2, of: 3), .impact: Self.rating("Critical", 4, of: 4)]),
            Self.record(.risk, "R4", [.likelihood: Self.rating("Low", 2, of: 4), .impact: Self.rating("1", 1, of: 5),
                                      .residualLikelihood: Self.rating("Rare", 1, of: 5)]),
            Self.record(.risk, "R5", [.likelihood: .rating(Rating(label: "Often")), .score: .score(Score(label: "12", value: 12))]),
        ])
        let report = RiskRegisterReport(index: index, settings: Self.settings)
        #expect(report.risks.map { [$0.inherent.likelihoodCell, $0.inherent.impactCell] } == [[3, 5], [2, 1], [nil, nil]])
        #expect(report.inherentHeatmap.counts[2][4] == 1 && report.inherentHeatmap.counts[1][0] == 1)
        #expect(report.inherentHeatmap.placed == 2)
        #expect(report.inherentHeatmap.unplaced.map(\.reason) == ["likelihood 'Often' not on a known scale, no impact"])
        #expect(report.residualHeatmap.unplaced.map(\.id) == ["R3", "R4", "R5"])
        #expect(report.residualHeatmap.unplaced[1].reason == "no impact")
        #expect(Heatmap.zone(likelihood: 5, impact: 5) == "very high" && Heatmap.zone(likelihood: 2, impact: 2) == "low")
    }

    @Test func overdueMeansDueBeforeTheReportDateAndNotClosed() {
        func overdue(_ due: String, status: String = "Open", asOf: String) -> Bool {
            let risk = Self.record(.risk, "R", [.treatmentDue: .date(DateValue(raw: due, iso: due)), .status: .text(status)])
            return RiskRegisterReport(index: Self.index([risk]), settings: ReportSettings(asOf: asOf)).risks[0].overdue
        }
        #expect(overdue("2025-03", asOf: "2025-03-15") == false)
        #expect(overdue("2025-03", asOf: "2025-04-01") == true)
        #expect(overdue("2025-03-14", asOf: "2025-03-15") == true)
        #expect(overdue("2025-03-14", status: "Closed – accepted", asOf: "2025-03-15") == false)
        #expect(overdue("2025-Q1", asOf: "2025-03-31") == false)
        // A closed-word anywhere in the status, in any case; ASCII and other statuses alike.
        for status in ["CLOSED", "Risk Accepted", "done", "Completed", "archived (2024)", "Closed – accepted", "Résolu: resolved"] {
            #expect(RiskRegisterReport.isClosed(status), "\(status)")
        }
        for status in ["Open", "In Progress", "Don", "", "Clôturé", "Accepté", "reopened: c-l-o-s-e-d"] {
            #expect(!RiskRegisterReport.isClosed(status), "\(status)")
        }
    }

    @Test func processStepsComeFromReferencesOrFromTheRecord() {
        let index = Self.index([
            Self.record(.risk, "R1", [.treatment: Self.term("modify")]),
            Self.record(.risk, "R2", [.likelihood: Self.rating("High", 3, of: 3)]),
            Self.record(.risk, "R3"),
            Self.record(.risk, "R4", refs: ["iso23894:2023/6.4.4"]),
            Self.record(.system, "S1", [.name: .text("Scoring"), .riskClass: .riskClass(RiskClassification(value: "high-risk", basis: nil, source: "High"))]),
            Self.record(.risk, "R5", [.systems: .list(["Scoring", "Unknown bot"])]),
        ])
        let risks = RiskRegisterReport(index: index, settings: Self.settings).risks
        #expect(risks.map { $0.iso23894.map(\.text) } == [
            ["6.5 Risk treatment (inferred: a treatment is recorded)"], ["6.4.3 Risk analysis (inferred: ratings are recorded)"],
            ["6.4.2 Risk identification (inferred: the risk is identified)"], ["6.4.4 Risk evaluation"],
            ["6.4.2 Risk identification (inferred: the risk is identified)"],
        ])
        #expect(risks[4].systems.map(\.text) == ["S1 Scoring", "Unknown bot (not in the inventory)"])
        #expect(risks[4].euAIAct.map(\.text) == ["Art.9 Risk management system (system S1 is high-risk)"])
    }

    // MARK: AI inventory

    static func system(_ id: String, roles: [String], riskClass: String?, basis: String? = nil) -> CanonicalRecord {
        var values: [CanonicalField: CanonicalValue] = [.name: .text("System \(id)"),
                                                        .roles: .terms(roles.map { Term(value: $0, source: $0) })]
        if let riskClass { values[.riskClass] = .riskClass(RiskClassification(value: riskClass, basis: basis, source: riskClass)) }
        return record(.system, id, values)
    }

    @Test func obligationsFollowFromRoleAndRiskClass() {
        let index = Self.index([
            Self.system("S1", roles: ["deployer"], riskClass: "high-risk", basis: "Annex.III(5)(b)"),
            Self.system("S2", roles: ["deployer"], riskClass: "high-risk", basis: "Annex.III(4)(a)"),
            Self.system("S3", roles: ["provider"], riskClass: "transparency"),
            Self.system("S4", roles: ["provider"], riskClass: "gpai-systemic"),
            Self.system("S5", roles: ["provider"], riskClass: "high-risk", basis: "Annex.III(4)(a)"),
            Self.system("S6", roles: [], riskClass: "high-risk"),
            Self.system("S7", roles: ["importer"], riskClass: nil),
        ])
        let report = InventoryReport(index: index, rules: Self.rules, settings: Self.settings)
        #expect(report.systems.map { $0.obligations.map(\.article) } == [
            ["Art.4", "Art.26", "Art.27"], ["Art.4", "Art.26"], ["Art.4", "Art.50"], ["Art.4", "Art.53", "Art.54", "Art.55"],
            ["Art.4", "Art.9", "Art.10", "Art.11", "Art.12", "Art.13", "Art.14", "Art.15", "Art.16", "Art.17", "Art.43", "Art.49", "Art.72", "Art.73"],
            [], [],
        ])
        #expect(report.systems[5].obligationsNote == "operator role not recorded")
        #expect(report.systems[6].obligationsNote == "EU AI Act risk class not recorded")
        #expect(report.systems[0].obligations[1].title == "Obligations of deployers of high-risk AI systems")
    }

    @Test func obligationEvidenceIsScopedToTheSystemAndGraded() {
        let index = Self.index([
            Self.system("S1", roles: ["deployer"], riskClass: "high-risk", basis: "Annex.III(4)(a)"),
            Self.record(.evidence, "E-other", [.systems: .list(["S9"])], refs: ["eu-ai-act:2024/Art.26(1)"]),
            Self.record(.evidence, "E-mine", [.systems: .list(["System S1"])], refs: ["eu-ai-act:2024/Art.26(1)"]),
            Self.record(.control, "C-planned", [.implementationStatus: Self.term("planned")], refs: ["eu-ai-act:2024/Art.4"]),
        ])
        let obligations = InventoryReport(index: index, rules: Self.rules, settings: Self.settings).systems[0].obligations
        #expect(obligations.map(\.status) == ["partial evidence", "evidence found"])
        #expect(obligations[1].evidence.items.map(\.text) == ["E-mine E-mine (via eu-ai-act:2024/Art.26(1))"])
    }

    @Test func risksOfAnIdTwoSystemsShareGoToTheFirst() {
        var second = Self.system("S1", roles: ["deployer"], riskClass: nil)
        second.locator = Locator(file: "other.json", line: 11, column: 5)
        let index = Self.index([
            Self.system("S1", roles: ["deployer"], riskClass: nil),
            second,
            Self.record(.risk, "R1", line: 5, [.title: .text("Drift"), .systems: .list(["S1"])]),
        ])
        let report = InventoryReport(index: index, rules: Self.rules, settings: Self.settings)
        #expect(report.systems.map(\.risks.total) == [1, 0])
        #expect(report.systems[0].risks.items.map(\.id) == ["R1"])
    }

    @Test func recordsSharingTheirKindAndIdArePointedOut() {
        func record(_ kind: RecordKind, _ id: String, _ file: String, _ line: Int) -> CanonicalRecord {
            CanonicalRecord(kind: kind, id: id, source: file, locator: Locator(file: file, line: line))
        }
        let found = SharedIDs.diagnostics(for: [
            record(.system, "S1", "a.xml", 8), record(.dataset, "S1", "a.xml", 9), record(.risk, "R1", "a.xml", 10),
            record(.risk, "R1", "b.json", 3), record(.system, "S1", "b.json", 11), record(.system, "S2", "b.json", 12),
        ])
        #expect(found.map(\.description) == [
            "b.json:11:1: warning: system id 'S1' is also the id of the system at a.xml:8:1: reports link this id to that one; "
                + "merge the inputs first ('aims merge') if both describe the same system",
        ])

        let many = (0...SharedIDs.listed + 2).map { record(.control, "C1", "c.csv", $0 + 2) }
        let listed = SharedIDs.diagnostics(for: many)
        #expect(listed.count == SharedIDs.listed + 1)
        #expect(listed.last?.description == "aims: note: 2 more records have the id of an earlier record of their kind (the first 20 are listed above)")
        #expect(listed[SharedIDs.listed - 1].locator?.line == SharedIDs.listed + 2)
    }

    // MARK: Coverage and gaps

    @Test func coverageTellsDirectEqualAndPartialLinksApart() throws {
        let index = Self.index([
            Self.record(.evidence, "E1", refs: ["iso42001:2023/A.2.2"]),
            Self.record(.evidence, "E2", refs: ["iso27001:2022/7.2"]),
            Self.record(.evidence, "E3", refs: ["iso42001:2023/A.6.2.4"]),
            Self.record(.risk, "R1", refs: ["iso42001:2023/A.5.2"]),
        ])
        let report = GapsReport(index: index, settings: ReportSettings(asOf: "2025-06-30", targets: ["iso42001:2023", "eu-ai-act:2024"]))
        #expect(report.frameworks.map(\.framework) == ["iso42001:2023", "eu-ai-act:2024"])
        let iso = Dictionary(uniqueKeysWithValues: report.frameworks[0].requirements.map { ($0.id, $0) })
        #expect(iso["A.2.2"]?.status == "covered")
        #expect(iso["7.2"]?.status == "covered")
        #expect(iso["7.2"]?.how.items.first?.via == "iso27001:2022/7.2 =equal (inverse)=> iso42001:2023/7.2")
        #expect(iso["A.5.2"]?.status == "partly covered")
        #expect(iso["A.10.4"]?.status == "not covered")
        #expect(iso["A.2"] == nil, "objectives with controls below them are not counted")
        let act = Dictionary(uniqueKeysWithValues: report.frameworks[1].requirements.map { ($0.id, $0) })
        #expect(act["Art.9(8)"]?.status == "partly covered")
        #expect(act["Art.9(8)"]?.how.items.first?.relationship == "intersects-with")
        let policies = try #require(report.frameworks[0].groups.first { $0.id == "A.2" })
        #expect((policies.total, policies.covered, policies.partly, policies.coveredPercent) == (3, 1, 0, 33))
        #expect(report.frameworks[1].groups.first?.id == "Chapter I")
        #expect(report.frameworks[1].groups.last?.id == "Annexes" && report.frameworks[1].groups.last?.total == 13)
    }

    // MARK: Integrated matrix

    @Test func clausesAreCoveredByCurrentEvidenceOnly() throws {
        let index = Self.index([
            Self.record(.evidence, "E-expired", [.validUntil: .date(DateValue(raw: "2025-01-31", iso: "2025-01-31"))], refs: ["iso42001:2023/9.2.1"]),
            Self.record(.evidence, "E-policy", refs: ["iso27001:2022/5.2"]),
            Self.record(.control, "C-review", refs: ["iso9001:2015/9.3"]),
        ])
        let rows = IntegratedMatrix(index: index, settings: Self.settings).rows
        #expect(rows.count == 24)
        #expect(rows.first?.clause.id == "4.1" && rows.last?.clause.id == "10.2")
        let byClause = Dictionary(uniqueKeysWithValues: rows.map { ($0.clause.id, $0) })
        let audit = try #require(byClause["9.2"])
        #expect(audit.status == "partly covered")
        #expect(audit.statusReason == "evidence expired before 2025-06-30")
        #expect(audit.evidence.items.map(\.text) == ["E-expired E-expired (via iso42001:2023/9.2.1)"])
        let policy = try #require(byClause["5.2"])
        #expect(policy.status == "covered")
        #expect(policy.iso27001.map(\.text) == ["5.2 Policy (equal)"])
        #expect(byClause["9.3"]?.status == "partly covered")
        #expect(byClause["9.3"]?.statusReason == "no evidence; 1 control")
        #expect(byClause["8.4"]?.iso9001.isEmpty == true, "9001 8.4 is another topic")
        #expect(byClause["4.3"]?.status == "gap")
    }

    // MARK: Reading a register

    @Test func aRegisterRecordReadsBackAsWritten() throws {
        var record = Self.record(.risk, "R-9", [
            .title: .text("Drift"), .systems: .list(["S1", "S2"]), .likelihood: Self.rating("Likely", 4, of: 5),
            .score: .score(Score(label: "16 (High)", value: 16, band: "High", of: 25)),
            .treatment: .term(Term(value: nil, source: "Watch it")), .treatmentDue: .date(DateValue(raw: "31/03/2025", iso: "2025-03-31")),
        ], refs: ["iso42001:2023/A.6.2.6"])
        record.extensions = [ExtensionField(name: "Cost centre", value: .text("CC-1")), ExtensionField(name: "Tags", value: .list(["a", "b"]))]
        record.parent = RecordLink(kind: .system, id: "S1")
        var json = JSONBuffer()
        RegisterEncoding.write(record, into: &json)
        let register = try RegisterReader.read(Data(json.bytes + [0x0A]), path: "r.ndjson")
        #expect(register.records == [record])
    }

    @Test func aRecordObjectsFieldsAreItsLastMembersOfEachNameInTheirPlaces() throws {
        // Not as aims writes it: a key twice, a group twice, a group's key at the top level and a
        // top-level key in a group. A key's last member counts, a group's fields come from the
        // last object of its name only, and a key out of its place is not read.
        let line = #"{"kind":"risk","id":"R-1","title":"First","likelihood":{"label":"Rare"},"title":"Second","#
            + #""inherent":{"likelihood":{"label":"Likely"},"impact":{"label":"Major"}},"#
            + #""inherent":{"impact":{"label":"Minor"},"owner":"In a group"},"#
            + #""treatment":{"option":{"source":"Accept"}},"owner":"Jo","refs":[],"extensions":{}}"#
        let record = try #require(try RegisterReader.read(Data((line + "\n").utf8), path: "r.ndjson").records.first)
        #expect(record.values[.title] == .text("Second"))
        #expect(record.values[.likelihood] == nil)
        #expect(record.values[.impact] == .rating(Rating(label: "Minor")))
        #expect(record.values[.owner] == .text("Jo"))
        #expect(record.values[.treatment] == .term(Term(value: nil, source: "Accept")))
        // A value of the wrong shape is named by its key.
        let wrong = #"{"kind":"risk","id":"R-2","inherent":{"score":"12"}}"#
        #expect(throws: RegisterReadError.self) { try RegisterReader.read(Data((wrong + "\n").utf8), path: "w.ndjson") }
        do {
            _ = try RegisterReader.read(Data((wrong + "\n").utf8), path: "w.ndjson")
        } catch {
            #expect(error.description.hasSuffix("'score' of risk 'R-2' is not a score value"), "\(error)")
        }
    }

    @Test func stringsAreEscapedAsTheEncoderEscapesThemAtEveryOffset() throws {
        // Plain text is found 16 bytes at a time and copied a run at a time: put each character
        // that needs an escape (and some that do not) at each position of strings of every
        // length up to 40, and a run of every length up to 40 on both sides of an escape.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        func written(_ value: String) -> String {
            var writer = PrettyJSONWriter(level: 0)
            writer.string(value)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}", "/", "\u{7F}", "é"]
        for special in specials {
            for (length, position) in (1...40).flatMap({ length in (0..<length).map { (length, $0) } }) {
                var characters = Array(repeating: Character("x"), count: length)
                characters[position] = special
                let value = String(characters)
                #expect(written(value) == String(decoding: try encoder.encode(value), as: UTF8.self),
                        "\(special.unicodeScalars.first!.value) at \(position) of \(length)")
            }
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ")
        for length in 0...40 {
            let run = String(alphabet[0..<length])
            #expect(written(run + "\"" + run) == "\"\(run)\\\"\(run)\"", "length \(length)")
        }
    }

    @Test func riskRowsAreWrittenAsTheEncoderWritesThem() throws {
        // Every control character, quotes, backslashes, slashes, DEL, other scripts and the line
        // separators; optionals present and absent; empty and full lists.
        let tricky = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined() + #"" \ / </script> "# + "\u{7F} é 李 \u{2028}\u{2029} 😀"
        let link = ReportLink(kind: "eu-ai-act:2024", id: "Art.9", title: tricky, source: "a/b.csv", via: "x =equal=> y",
                              relationship: "equal", note: "inferred: \(tricky)")
        let full = RiskRow(id: "R-1", title: tricky, category: "Privacy", owner: "Jo \"JJ\"", status: "Open",
                           systems: [link, ReportLink(kind: "system", id: "S", title: "(not in the inventory)")],
                           inherent: RiskRating(likelihood: "Likely", impact: "Major", score: "12", level: "High", likelihoodCell: 4, impactCell: 3),
                           residual: RiskRating(), treatment: "modify", plan: "Retrain\r\nmonthly", treatmentOwner: "Ops",
                           due: "2025-03-31", overdue: true, iso23894: [], euAIAct: [link], source: "r.csv:2:1")
        let sparse = RiskRow(id: "", title: "", category: nil, owner: nil, status: nil, systems: [], inherent: RiskRating(),
                             residual: RiskRating(likelihood: "Rare", impact: nil, score: nil, level: nil, likelihoodCell: 1, impactCell: nil),
                             treatment: nil, plan: nil, treatmentOwner: nil, due: nil, overdue: false, iso23894: [], euAIAct: [], source: "")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        for row in [full, sparse] {
            // The encoder's text indented as a member of the risk list (blank lines stay blank).
            let encoded = String(decoding: try encoder.encode(row), as: UTF8.self)
            let expected = encoded.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "      " + $0 }.joined(separator: "\n")
            var writer = PrettyJSONWriter(level: 3)
            writer.write(row)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        }
    }

    @Test func aRecordsRequirementsAreEachNamedOnceInTheirOrder() {
        // Repeats (a register not written by aims) are dropped, in short lists and long ones.
        let short = Self.record(.risk, "R-1", refs: ["iso42001:2023/A.5.2", "iso27001:2022/A.5.1", "iso42001:2023/A.5.2"])
        #expect(short.requirementKeys.map(\.description) == ["iso42001:2023/A.5.2", "iso27001:2022/A.5.1"])
        let ids = (1...20).map { "iso27001:2022/A.8.\($0)" }
        let long = Self.record(.risk, "R-2", refs: ids + ids.reversed() + ["iso42001:2023/A.6.2.4"])
        #expect(long.requirementKeys.map(\.description) == ids + ["iso42001:2023/A.6.2.4"])
    }

    @Test func aRegisterDocumentIsReadRecordByRecordWhereverItsSchemaIs() throws {
        var json = JSONBuffer()
        RegisterEncoding.write(Self.record(.risk, "R-1", [.title: .text(String(repeating: "long title ", count: 600))]), into: &json)
        let risk = String(decoding: json.bytes, as: UTF8.self)
        json.reset()
        RegisterEncoding.write(Self.record(.control, "C-1"), into: &json)
        let control = String(decoding: json.bytes, as: UTF8.self)
        // The schema after 6 KB of records, collections out of the usual order, an unknown member.
        let document = #"{"risks": [\#(risk)], "notes": {"a": [1]}, "schema": "aims-register/1", "controls": [\#(control)], "sources": []}"#
        var seen: [String] = []
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.json").path
        try Data(document.utf8).write(to: URL(fileURLWithPath: path))
        let sources = try RegisterReader.read(path: path) { record in seen.append(record.id) }
        #expect(seen == ["R-1", "C-1"])
        #expect(sources.isEmpty)
        #expect(try RegisterReader.read(path: path).records.map(\.kind) == [.risk, .control])
    }

    /// Inputs the fuzzer found (Fixtures/fuzz/regressions/), each read to an error in good time.
    @Test(.timeLimit(.minutes(1))) func fuzzRegressionsEndInAnError() throws {
        // A document whose array is never closed: the reader took the end of the input for one
        // more element, forever.
        let data = try Data(contentsOf: TestSupport.packageRoot.appendingPathComponent("Fixtures/fuzz/regressions/register-array-never-closed.json"))
        #expect(throws: RegisterReadError.self) { try RegisterReader.read(data, path: "r.json") }
        #expect(throws: RegisterReadError.self) { try RegisterReader.read(Data(#"{"risks": [,]}"#.utf8), path: "r.json") }
        #expect(throws: RegisterReadError.self) { try RegisterReader.read(Data(#"{"risks": [{}"#.utf8), path: "r.json") }
    }

    @Test func aRegisterIsReadAsJSONMeansIt() throws {
        // Numbers however written, a repeated member (its last value counts), escapes, members in
        // another order and whitespace between the tokens (after the `{"kind":"` that marks a
        // record stream).
        let line = #"{"kind":"risk",  "id": "R-1", "inherent": {"likelihood": {"label": "High", "level": 4.0, "of": 5e0, "normalized": 0.75}},"#
            + #" "extensions": {"Tag": "first", "Tag": ["a", "b"], "Note": "caf\u00e9 \"x\""}, "refs": [], "source": "s.csv", "locator": {"line": 7, "column": 1}}"#
        let record = try #require(try RegisterReader.read(Data((line + "\n").utf8), path: "r.ndjson").records.first)
        #expect(record.values[.likelihood] == Self.rating("High", 4, of: 5))
        #expect(record.extensions == [ExtensionField(name: "Note", value: .text("café \"x\"")), ExtensionField(name: "Tag", value: .list(["a", "b"]))])
        #expect(record.locator == Locator(file: "s.csv", line: 7, column: 1))
    }

    @Test func aMalformedRegisterIsRefusedWhereItGoesWrong() throws {
        let good = #"{"kind":"risk","id":"R-1","refs":[],"extensions":{},"source":"s.csv","locator":{"line":2,"column":1}}"#
        func error(_ text: String) -> String? {
            do {
                _ = try RegisterReader.read(Data(text.utf8), path: "r.ndjson")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error(good + "\n" + #"{"kind":"risk" "id":"R-2"}"#) == "r.ndjson:2:16: error: expected ',' or '}', found a string")
        #expect(error(good + "\n[1]\n") == "r.ndjson:2:1: error: not a JSON object; expected one register record per line")
        #expect(error(String(repeating: "[", count: 40)) == "r.ndjson:1:1: error: not a JSON object; expected one register record per line")
        #expect(error(#"{"kind":"risk","id":"R-1","extensions":"# + String(repeating: #"{"a":"#, count: 40)) == "r.ndjson:1:195: error: nested too deeply")
        #expect(error(good + "\n" + #"{"kind":"risk","id":"R-2","#) == "r.ndjson:2:27: error: the register ends early")
    }

    @Test func aRegisterOfAnotherSchemaIsRefused() {
        #expect(throws: RegisterReadError.self) {
            try RegisterReader.read(Data(#"{"schema": "aims-register/9", "risks": []}"#.utf8), path: "r.json")
        }
        #expect(RegisterReader.isRegister(prefix: Array(#"{"kind":"risk","id":"R1"}"#.utf8)))
        #expect(!RegisterReader.isRegister(prefix: Array(#"[{"id":"R1","title":"x"}]"#.utf8)))
    }

    @Test func longTablesShowTheirFirstRowsAndPointToTheCSV() {
        let rows = (1...3).map { ReportDocument.Row(cells: [ReportDocument.Cell("R\($0)")]) }
        let table = ReportDocument.Table(name: "risks", caption: "Risk register", columns: ["Risk"], rows: rows, displayLimit: 2)
        let document = ReportDocument(kind: .risks, title: "Risk register", facts: [], highlight: nil,
                                      sections: [ReportDocument.Section(heading: "Risks", note: nil, charts: [], tables: [table])])
        let markdown = MarkdownRenderer.render(document, settings: Self.settings)
        #expect(markdown.contains("**Risk register (the first 2 of 3 rows; every row is in risks.csv)**"))
        #expect(markdown.contains("| R2 |") && !markdown.contains("| R3 |"))
        var csv = MemoryReportFiles()
        CSVReportRenderer.render(document, into: &csv)
        #expect(csv.files == ["risks.csv": "Risk\r\nR1\r\nR2\r\nR3\r\n"])
    }

    @Test func tablesMadeOnDemandHaveEveryRowInTheCSVOnly() {
        // The report holds two rows; the CSV makes all five again.
        let row = { @Sendable (n: Int) in ReportDocument.Row(cells: [ReportDocument.Cell("R\(n)")]) }
        let stream = ReportDocument.RowStream(count: 5) { body in (1...5).map(row).forEach(body) }
        let table = ReportDocument.Table(name: "risks", caption: "Risk register", columns: ["Risk"], rows: (1...2).map(row),
                                         displayLimit: 2, allRows: stream)
        let document = ReportDocument(kind: .risks, title: "Risk register", facts: [], highlight: nil,
                                      sections: [ReportDocument.Section(heading: "Risks", note: nil, charts: [], tables: [table])])
        #expect(MarkdownRenderer.render(document, settings: Self.settings)
            .contains("**Risk register (the first 2 of 5 rows; every row is in risks.csv)**"))
        var csv = MemoryReportFiles()
        CSVReportRenderer.render(document, into: &csv)
        #expect(csv.files["risks.csv"] == "Risk\r\nR1\r\nR2\r\nR3\r\nR4\r\nR5\r\n")
    }

    // MARK: Escaping

    @Test func markdownAndCSVCellsStayText() {
        #expect(MarkdownRenderer.escape("a|b <x> [l](javascript:y) *e* & `c`\nnext") ==
                #"a\|b &lt;x&gt; \[l\](javascript:y) \*e\* &amp; \`c\`<br>next"#)
        #expect(SpreadsheetSafeCSV.cell("=1+1") == "'=1+1")
        #expect(SpreadsheetSafeCSV.cell("\r\n=1") == "\"'\r\n=1\"")
        #expect(SpreadsheetSafeCSV.cell("\tx") == "'\tx")
        #expect(SpreadsheetSafeCSV.cell("-2") == "'-2")
        #expect(SpreadsheetSafeCSV.cell("@SUM(A1)") == "'@SUM(A1)")
        #expect(SpreadsheetSafeCSV.cell("plain, \"quoted\"") == "\"plain, \"\"quoted\"\"\"")
        #expect(HTMLText.escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
    }
}
