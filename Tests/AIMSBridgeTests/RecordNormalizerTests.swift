import Testing
@testable import AIMSBridge

@Suite struct RecordNormalizerTests {
    private func record(_ fields: [(String, String)], line: Int = 2, ordinal: Int = 0, parent: ParentLink? = nil) -> SourceRecord {
        var record = SourceRecord(fields: fields.map { SourceField($0.0, $0.1) }, locator: Locator(file: "exports/reg.csv", line: line),
                                  ordinal: ordinal)
        record.parent = parent
        return record
    }

    private func normalize(_ records: [SourceRecord], options: NormalizeOptions = NormalizeOptions())
        -> (records: [CanonicalRecord], rejected: [RejectedRecord], diagnostics: [Diagnostic], normalizer: RecordNormalizer) {
        var normalizer = RecordNormalizer(sourcePath: "exports/reg.csv", options: options)
        normalizer.prepare(sample: records)
        let diagnostics = DiagnosticList()
        var converted: [CanonicalRecord] = []
        var rejected: [RejectedRecord] = []
        for record in records {
            switch normalizer.normalize(record, diagnostics: diagnostics) {
            case .record(let canonical): converted.append(canonical)
            case .rejected(let reason): rejected.append(reason)
            case .attached(_, let field, _): Issue.record("unexpected nested object in \(field)")
            }
        }
        return (converted, rejected, diagnostics.diagnostics, normalizer)
    }

    @Test func valuesThatAreTheSameTextInOtherBytesKeepTheirOwnBytes() throws {
        // Composed and decomposed accents are equal as Swift strings; the cache, keyed by them,
        // gave the second row the first row's spelling until 2026-11-27.
        let composed = "\u{C9}lev\u{E9}", decomposed = "E\u{301}leve\u{301}"
        let (records, _, _, _) = normalize([record([("ID", "R-1"), ("Likelihood", composed)]),
                                            record([("ID", "R-2"), ("Likelihood", decomposed)], line: 3, ordinal: 1)])
        let labels = records.map { record -> [UInt8] in
            guard case .rating(let rating)? = record.values[.likelihood] else { return [] }
            return Array(rating.label.utf8)
        }
        #expect(labels == [Array(composed.utf8), Array(decomposed.utf8)])
    }

    @Test func theInterpretationCacheFindsEachValueByItsBytes() {
        func interpretation(_ label: String) -> CachedInterpretation {
            CachedInterpretation(RecordNormalizer.Interpretation(value: .text(label)))
        }
        // Values alike but for one byte, in the first word, the tail, or their length.
        let values = ["", "a", "a ", "ab", "Likely", "Likelz", "2025-03-01", "2025-03-02", "12345678", "123456789", "1234567890abcdefX",
                      "1234567890abcdefY", "李伟", "李伟 "] + (0..<180).map { "value \($0)" }
        var cache = InterpretationCache()
        var held: [String: CachedInterpretation] = [:]
        for value in values {
            let made = interpretation(value)
            held[value] = made
            Array(value.utf8).withUnsafeBufferPointer { cache.insert(made, for: $0) }
        }
        for value in values {
            let found = Array(value.utf8).withUnsafeBufferPointer { cache.interpretation(of: $0) }
            #expect(found === held[value], "\(value)")
        }
        for absent in ["b", "Likel", "value 180", "2025-03-03", "1234567890abcdefZ"] {
            #expect(Array(absent.utf8).withUnsafeBufferPointer { cache.interpretation(of: $0) } == nil, "\(absent)")
        }
        // Full with enough hits, it is emptied and goes on; full again with too few, it stops.
        for index in 0..<62 { Array("more \(index)".utf8).withUnsafeBufferPointer { cache.insert(interpretation(""), for: $0) } }
        #expect(cache.isOn)
        Array("next".utf8).withUnsafeBufferPointer { cache.insert(interpretation("next"), for: $0) }
        #expect(Array("value 1".utf8).withUnsafeBufferPointer { cache.interpretation(of: $0) } == nil)
        #expect(Array("next".utf8).withUnsafeBufferPointer { cache.interpretation(of: $0) }?.interpretation.value == .text("next"))
        for index in 0..<300 { Array("once \(index)".utf8).withUnsafeBufferPointer { cache.insert(interpretation(""), for: $0) } }
        #expect(!cache.isOn)
        #expect(!cache.holds(count: 1))
    }

    @Test func aValueSeenBeforeIsWrittenFromItsJSONAsItWasTheFirstTime() throws {
        let fields = [("ID", "R-1"), ("Likelihood", "Likely"), ("Status", "Open"), ("Due date", "31/03/2025"), ("Treatment", "Tolerate")]
        let (records, _, _, _) = normalize([record(fields), record(fields.map { $0.0 == "ID" ? ($0.0, "R-2") : $0 }, line: 3, ordinal: 1)])
        #expect(records.count == 2)
        // Interpreted values carry their JSON, made once when the value is first interpreted and
        // cached: the second record's come from the cache.
        let made = records.map { record in record.values.withEntries { $0.map { $0.encoded != nil } } }
        #expect(made[0] == [false, true, true, true], "status is text, the others are interpreted")
        #expect(made[1] == made[0])
        func json(_ record: CanonicalRecord) -> String {
            var buffer = JSONBuffer()
            RegisterEncoding.write(record, into: &buffer)
            return String(decoding: buffer.bytes, as: UTF8.self)
        }
        #expect(records[1].values == records[0].values, "the JSON made already is not part of a value")
        #expect(json(records[1]) == json(records[0]).replacing("R-1", with: "R-2").replacing("\"line\":2", with: "\"line\":3"))
        #expect(json(records[1]).contains(#""inherent":{"likelihood":{"label":"Likely","level":4,"of":5,"normalized":0.75}}"#))
    }

    @Test func mapsRiskHeadersBySynonymsAndKeepsTheRest() throws {
        let (records, _, diagnostics, normalizer) = normalize([record([
            ("Ref", "R-7"), ("Risk title", "Biased CV ranking"), ("Prob.", "Likely"), ("Severity", "Major"),
            ("Response", "Tolerate"), ("Residual probability", "Rare"), ("Risk owner", "J. Doe"),
            ("AI system", "CV Screener; HR Bot"), ("Annex A ref", "A.6.2.4 | 27001 A.8.15"), ("Jira ticket", "AIMS-12"),
        ])])
        var normalizerCopy = normalizer
        let risk = try #require(records.first)
        #expect(risk.kind == .risk)
        #expect(risk.id == "R-7")
        #expect(risk.values[.title] == .text("Biased CV ranking"))
        #expect(risk.values[.likelihood] == .rating(Rating(label: "Likely", level: 4, of: 5, normalized: 0.75)))
        #expect(risk.values[.impact] == .rating(Rating(label: "Major", level: 4, of: 5, normalized: 0.75)))
        #expect(risk.values[.treatment] == .term(Term(value: "retain", source: "Tolerate")))
        #expect(risk.values[.residualLikelihood] == .rating(Rating(label: "Rare", level: 1, of: 5, normalized: 0)))
        #expect(risk.values[.owner] == .text("J. Doe"))
        #expect(risk.values[.systems] == .list(["CV Screener", "HR Bot"]))
        #expect(risk.refs.map(\.key) == ["iso42001:2023/A.6.2.4", "iso27001:2022/A.8.15"])
        #expect(risk.extensions == [ExtensionField(name: "Jira ticket", value: .text("AIMS-12"))])
        #expect(normalizerCopy.takeNewUnmappedFields() == ["Jira ticket"])
        #expect(diagnostics.isEmpty)
    }

    @Test(arguments: [
        (["System ID", "AI system", "Intended purpose", "Lifecycle stage"], RecordKind.system),
        (["Risk ID", "Title", "Likelihood", "Impact"], .risk),
        (["Control ID", "Applicable", "Justification", "Implementation status", "Evidence"], .control),
        (["Evidence ID", "Title", "Link", "Collected", "Valid until"], .evidence),
        (["Assessment ID", "Type", "Outcome"], .assessment),
    ])
    func detectsTheKindFromHeaders(headers: [String], kind: RecordKind) {
        #expect(GenericProfile.detectKind(fieldNames: headers) == kind)
    }

    @Test func columnsSharedByTwoKindsKeepBothMappingsAndBoundedState() throws {
        // One CSV of components, the kind named per row: the same columns serve systems and datasets.
        let yaml = """
        profile: mixed-bom
        title: Components with a type column
        tool: a BOM spreadsheet
        format: csv
        kind: system
        signature:
          fields: [type, component, version]
        kind-by:
          field: type
          values: {model: system, data: dataset}
        fields:
          component: name
          version: version
        """
        let loading = DiagnosticList()
        let profile = try #require(ProfileLoader.load(text: yaml, file: "mixed-bom.yaml", diagnostics: loading),
                                   "\(loading.diagnostics)")
        var normalizer = RecordNormalizer(sourcePath: "bom.csv", options: NormalizeOptions(), profile: profile)
        var converted: [CanonicalRecord] = []
        var fieldStates: [Int] = []
        for row in 0..<40 {
            let type = row.isMultiple(of: 2) ? "model" : "data"
            let fields = [("type", type), ("component", "c\(row)"), ("version", "\(row)")].enumerated().map {
                SourceField(path: $0.element.0, value: .text($0.element.1), column: $0.offset)
            }
            let record = SourceRecord(fields: fields, locator: Locator(file: "bom.csv", line: row + 2), ordinal: row)
            converted.append(try #require(normalizer.normalize(record, diagnostics: DiagnosticList()).record))
            fieldStates.append(normalizer.fieldStateCount)
        }
        #expect(converted.map(\.kind) == (0..<40).map { $0.isMultiple(of: 2) ? RecordKind.system : .dataset })
        #expect(converted[7].text(.name) == "c7")
        #expect(converted[8].text(.version) == "8")
        // Three columns, two kinds: six field states, however long the file.
        #expect(fieldStates.last == 6)
        #expect(fieldStates[3] == 6)
    }

    @Test func fieldsNamedByIdKeepTheirValuesInBoundedState() throws {
        // A map of custom attributes keyed by UUID: a field name per record.
        var normalizer = RecordNormalizer(sourcePath: "attrs.ndjson", options: NormalizeOptions(kind: .risk))
        var listed: [String] = []
        let count = RecordNormalizer.fieldStateLimit + 500
        for row in 0..<count {
            let fields = [SourceField(path: "id", value: .text("R-\(row)"), column: 0),
                          SourceField(path: "title", value: .text("Risk \(row)"), column: 1),
                          SourceField(path: "attr_\(row)", value: .text("v\(row)"), column: row + 2)]
            let record = SourceRecord(fields: fields, locator: Locator(file: "attrs.ndjson", line: row + 1), ordinal: row)
            let converted = try #require(normalizer.normalize(record, diagnostics: DiagnosticList()).record)
            #expect(converted.extensions == [ExtensionField(name: "attr_\(row)", value: .text("v\(row)"))])
            listed += normalizer.takeNewUnmappedFields()
        }
        #expect(normalizer.fieldStateCount == RecordNormalizer.fieldStateLimit)
        #expect(listed == (0..<RecordNormalizer.unmappedNameLimit).map { "attr_\($0)" })
        #expect(normalizer.hasUnlistedUnmappedFields)
    }

    @Test func textOfAReferencesCellThatNamesNoRequirementIsKept() throws {
        let (records, _, diagnostics, _) = normalize([
            record([("Risk ID", "R-1"), ("Title", "Drift"), ("Controls", "DCF-181; ISO 42001 A.7.4")]),
            record([("Risk ID", "R-2"), ("Title", "Bias"), ("Controls", "DCF-12; CTL-9 Reviews")], line: 3, ordinal: 1),
            record([("Risk ID", "R-3"), ("Title", "Leak"), ("Controls", "DCF-181; ISO 42001 A.7.4")], line: 4, ordinal: 2),
        ])
        #expect(records.map { $0.refs.map(\.key) } == [["iso42001:2023/A.7.4"], [], ["iso42001:2023/A.7.4"]])
        #expect(records.map(\.extensions) == [
            [ExtensionField(name: "Controls", value: .text("DCF-181"))],
            [ExtensionField(name: "Controls", value: .list(["DCF-12", "CTL-9 Reviews"]))],
            [ExtensionField(name: "Controls", value: .text("DCF-181"))],
        ])
        #expect(diagnostics.map(\.description).first == "exports/reg.csv:2:1: warning: Controls: no requirement reference recognised in 'DCF-181'")
    }

    @Test func repeatedExtensionsAreJoinedAsAddingThemOneAtATimeWould() {
        for count in [1, 5, 16, 17, 300] {
            // Names repeat every seventh field, so that short lists have no repeats at all.
            let fields = (0..<count).map { ExtensionField(name: "f\($0 % 7 == 6 ? $0 % 3 : $0)", value: .text("v\($0)")) }
            var added = CanonicalRecord(kind: .risk, id: "R-1", source: "t.csv", locator: Locator(file: "t.csv", line: 2))
            var joined = added
            for field in fields { added.addExtension(field) }
            joined.extensions = fields
            joined.joinRepeatedExtensions()
            #expect(joined.extensions == added.extensions, "\(count) fields")
        }
    }

    @Test func undetectableKindIsRejectedWithAHint() {
        let (records, rejected, _, _) = normalize([record([("Foo", "1"), ("Bar", "2")])])
        #expect(records.isEmpty)
        #expect(rejected.first?.reason.contains("--as") == true)
        #expect(rejected.first?.locator.line == 2)
        #expect(normalize([record([("Foo", "1")])], options: NormalizeOptions(kind: .evidence)).records.first?.kind == .evidence)
    }

    @Test func missingIdIsMadeFromTheFileAndPosition() {
        let (records, _, _, _) = normalize([record([("Title", "x"), ("Likelihood", "2")], ordinal: 4)])
        #expect(records.first?.id == "reg#5")
    }

    @Test func secondColumnForTheSameFieldIsKeptAsAnExtension() {
        let (records, _, _, _) = normalize([record([("ID", "R-1"), ("Owner", "A"), ("Risk owner", "B"), ("Likelihood", "1")])])
        #expect(records.first?.values[.owner] == .text("A"))
        #expect(records.first?.extensions == [ExtensionField(name: "Risk owner", value: .text("B"))])
    }

    @Test func displayValueWinsAndTheReferenceIdIsKept() {
        let (records, _, _, _) = normalize([record([
            ("number", "RSK1"), ("owned_by@display_value", "Priya"), ("owned_by", "6816f79c"), ("inherent_likelihood", "4"),
            ("u_controls", "A.6.2.6"),
        ])])
        let risk = records.first
        #expect(risk?.values[.owner] == .text("Priya"))
        #expect(risk?.extensions == [ExtensionField(name: "owned_by", value: .text("6816f79c"))])
        #expect(risk?.refs.map(\.key) == ["iso42001:2023/A.6.2.6"])
    }

    @Test func columnHeaderNamesTheFrameworkOfBareIds() {
        let (records, _, diagnostics, _) = normalize([record([
            ("Ref", "ISR-1"), ("Likelihood", "3"), ("Annex A control (2013)", "A.9.2.3, A.12.4.1"),
        ])])
        #expect(records.first?.refs.map(\.key) == ["iso27001:2013/A.9.2.3", "iso27001:2013/A.12.4.1"])
        #expect(diagnostics.isEmpty)
    }

    @Test func ambiguousBareIdWarnsAtTheRecordAndFrameworkOptionSettlesIt() {
        let fields = [("Risk ID", "R-1"), ("Likelihood", "3"), ("Controls", "A.5.2")]
        let (records, _, diagnostics, _) = normalize([record(fields, line: 9)])
        #expect(records.first?.refs.first?.resolved == false)
        #expect(diagnostics.map(\.description) == [
            "exports/reg.csv:9:1: warning: Controls: ambiguous reference 'A.5.2': ISO/IEC 42001:2023 or ISO/IEC 27001:2022; name the framework in the column header or the cell",
        ])
        let settled = normalize([record(fields)], options: NormalizeOptions(framework: "iso42001:2023"))
        #expect(settled.records.first?.refs.map(\.key) == ["iso42001:2023/A.5.2"])
        #expect(settled.diagnostics.isEmpty)
    }

    @Test func ratingsThatCannotBePlacedAreKeptAsTextAndSaid() {
        let fields = [("Risk ID", "R-1"), ("Likelihood", "Medium-High"), ("Impact", "4")]
        let (records, _, diagnostics, _) = normalize([record(fields)])
        #expect(records.first?.values[.likelihood] == .rating(Rating(label: "Medium-High")))
        #expect(records.first?.values[.impact] == .rating(Rating(label: "4", level: 4, of: 5, normalized: 0.75)))
        #expect(diagnostics.map(\.description) == ["exports/reg.csv:2:1: warning: Likelihood: 'Medium-High' is not a rating aims can place on a scale; kept as text"])
    }

    @Test func wordsOfNoKnownTermAreKeptAsTextAndSaid() {
        let rows = [record([("Risk ID", "R-1"), ("Treatment", "Watch")]), record([("Risk ID", "R-2"), ("Treatment", "Mitigate")], line: 3, ordinal: 1)]
        let (records, _, diagnostics, _) = normalize(rows)
        #expect(records.map { $0.values[.treatment] } == [.term(Term(value: nil, source: "Watch")), .term(Term(value: "modify", source: "Mitigate"))])
        #expect(diagnostics.map(\.description) == ["exports/reg.csv:2:1: warning: Treatment: 'Watch' is no treatment term aims knows; kept as text"])
    }

    @Test func datesFollowTheOrderAndInvalidOnesAreKeptAsText() {
        let fields = [("Risk ID", "R-1"), ("Likelihood", "3"), ("Due date", "04/05/2025"), ("Last reviewed", "31/02/2025")]
        let (records, _, diagnostics, _) = normalize([record(fields)])
        #expect(records.first?.values[.treatmentDue] == .date(DateValue(raw: "04/05/2025", iso: "2025-05-04")))
        #expect(records.first?.values[.reviewed] == .date(DateValue(raw: "31/02/2025", iso: nil)))
        #expect(diagnostics.count == 2)
        #expect(diagnostics[1].message == "Last reviewed: invalid date '31/02/2025' kept as text")
        let monthFirst = normalize([record(fields)], options: NormalizeOptions(dateOrder: .monthFirst))
        #expect(monthFirst.records.first?.values[.treatmentDue] == .date(DateValue(raw: "04/05/2025", iso: "2025-04-05")))
    }

    @Test func ratingScaleIsSizedFromTheColumn() {
        let rows = [
            record([("Risk ID", "R-1"), ("Likelihood", "High")], ordinal: 0),
            record([("Risk ID", "R-2"), ("Likelihood", "Very high")], ordinal: 1),
        ]
        let (records, _, _, _) = normalize(rows)
        #expect(records[0].values[.likelihood] == .rating(Rating(label: "High", level: 4, of: 5, normalized: 0.75)))
        let alone = normalize([rows[0]])
        #expect(alone.records[0].values[.likelihood] == .rating(Rating(label: "High", level: 3, of: 3, normalized: 1)))
    }

    @Test func headerStatesTheScale() {
        let (records, _, _, _) = normalize([record([("Risk ID", "R-1"), ("Likelihood (1-3)", "3"), ("Impact 1 to 4", "2")])])
        #expect(records[0].values[.likelihood] == .rating(Rating(label: "3", level: 3, of: 3, normalized: 1)))
        #expect(records[0].values[.impact] == .rating(Rating(label: "2", level: 2, of: 4, normalized: 0.3333)))
        #expect(GenericProfile.scale(forHeader: "Severity") == nil)
    }

    @Test func scoreStaysAScore() {
        let (records, _, _, _) = normalize([record([("Risk ID", "R-1"), ("Inherent risk", "16 (High)")])])
        #expect(records.first?.values[.score] == .score(Score(label: "16 (High)", value: 16, band: "High")))
    }

    @Test func kindlessNestedObjectsBecomeExtensionsOfTheirHolder() {
        var normalizer = RecordNormalizer(sourcePath: "v.json", options: NormalizeOptions())
        var holder = CanonicalRecord(kind: .system, id: "S-1", source: "v.json", locator: Locator(file: "v.json", line: 3))
        let pair = SourceRecord(fields: [SourceField("label", "AI system"), SourceField("value", "Fraud engine")],
                                locator: Locator(file: "v.json", line: 9), ordinal: 1)
        let other = SourceRecord(fields: [SourceField("a", "1"), SourceField("b", "2"), SourceField("c", "3")],
                                 locator: Locator(file: "v.json", line: 10), ordinal: 2)
        normalizer.attach(pair, in: "customFields", to: &holder, diagnostics: DiagnosticList())
        normalizer.attach(other, in: "things", to: &holder, diagnostics: DiagnosticList())
        #expect(holder.extensions == [ExtensionField(name: "customFields.AI system", value: .text("Fraud engine")),
                                      ExtensionField(name: "things", value: .list(["a=1; b=2; c=3"]))])
    }

    @Test func namedValueThatTheProfileMapsFillsTheHoldersField() throws {
        let profile = try #require(ProfileLoader.load(file: "Mappings/profiles/oscal-poam-risks.yaml", diagnostics: DiagnosticList()))
        var normalizer = RecordNormalizer(sourcePath: "poam.json", options: NormalizeOptions(), profile: profile)
        var holder = CanonicalRecord(kind: .risk, id: "R-1", source: "poam.json", locator: Locator(file: "poam.json", line: 3))
        let facet = SourceRecord(fields: [SourceField("name", "likelihood"), SourceField("system", "https://fedramp.gov"),
                                          SourceField("value", "moderate")],
                                 locator: Locator(file: "poam.json", line: 9), ordinal: 1)
        normalizer.attach(facet, in: "facets", to: &holder, diagnostics: DiagnosticList())
        #expect(holder.values[.likelihood] == .rating(Rating(label: "moderate", level: 2, of: 3, normalized: 0.5)))
        // The whole facet is kept too: its system is no canonical field.
        #expect(holder.extensions == [ExtensionField(name: "facets",
                                                     value: .list(["name=likelihood; system=https://fedramp.gov; value=moderate"]))])
        // A member the profile names by its path under the holder fills the field once.
        for (ordinal, title) in ["Add reviewer attestation", "Measure accuracy monthly"].enumerated() {
            let remediation = SourceRecord(fields: [SourceField("lifecycle", "planned"), SourceField("title", title)],
                                           locator: Locator(file: "poam.json", line: 12 + ordinal), ordinal: 2 + ordinal)
            normalizer.attach(remediation, in: "remediations", to: &holder, diagnostics: DiagnosticList())
        }
        #expect(holder.values[.treatmentPlan] == .text("Add reviewer attestation"))
        #expect(holder.extensions.last == ExtensionField(name: "remediations", value: .list([
            "lifecycle=planned; title=Add reviewer attestation", "lifecycle=planned; title=Measure accuracy monthly",
        ])))
    }

    @Test func childRecordsLinkToTheirParent() {
        let system = SourceRecord(fields: [SourceField("systemId", "SYS-1"), SourceField("intendedPurpose", "Triage")],
                                  locator: Locator(file: "inv.json", line: 3, column: 5, path: "/systems/0"), ordinal: 0)
        var child = SourceRecord(fields: [SourceField("riskId", "R-1"), SourceField("title", "Drift")],
                                 locator: Locator(file: "inv.json", line: 9, column: 9, path: "/systems/0/risks/0"), ordinal: 1)
        child.parent = ParentLink(field: "risks", locator: system.locator, parentOrdinal: 0)
        let (records, _, _, _) = normalize([system, child])
        #expect(records.map(\.kind) == [.system, .risk])
        #expect(records[1].parent == RecordLink(kind: .system, id: "SYS-1"))
    }

    @Test(arguments: [
        ("Mitigate – see plan", "modify"), ("Transfer", "share"), ("accept", "retain"), ("Avoid", "avoid"),
        ("Terminate", "avoid"), ("Tolerate", "retain"), ("Reduce", "modify"),
    ])
    func treatmentWords(source: String, option: String) {
        #expect(TermNormalizer.treatment(source) == Term(value: option, source: source))
    }

    @Test func unknownTreatmentKeepsTheWord() {
        #expect(TermNormalizer.treatment("Escalate to board") == Term(value: nil, source: "Escalate to board"))
    }

    @Test(arguments: [
        ("High-risk (Annex III 4(a) employment)", "high-risk", "Annex.III(4)(a)"),
        ("High risk – Annex III point 5b", "high-risk", "Annex.III(5)(b)"),
        ("Annex III 1", "high-risk", "Annex.III(1)"),
        ("High-risk (Annex I product)", "high-risk", "Annex.I"),
        ("Limited – transparency", "transparency", nil),
        ("GPAI with systemic risk", "gpai-systemic", nil),
        ("Prohibited (Art. 5)", "prohibited", nil),
        ("Minimal", "minimal", nil),
        ("Under review", "unknown", nil),
    ] as [(String, String, String?)])
    func euAIActRiskClass(source: String, value: String, basis: String?) {
        #expect(TermNormalizer.riskClass(source) == RiskClassification(value: value, basis: basis, source: source))
    }

    @Test func rolesAreSplit() {
        #expect(TermNormalizer.roles("Provider / Deployer").map(\.value) == ["provider", "deployer"])
        #expect(TermNormalizer.roles("provider and importer").map(\.value) == ["provider", "importer"])
    }

    @Test(arguments: [("Human-in-the-loop", "human-in-the-loop"), ("HOTL", "human-on-the-loop"), ("fully automated", "none")])
    func oversight(source: String, value: String) {
        #expect(TermNormalizer.humanOversight(source).value == value)
    }

    @Test(arguments: [("Yes", "applicable"), ("N", "not-applicable"), ("Not applicable", "not-applicable"), ("TBD", "undetermined")])
    func applicability(source: String, value: String) {
        #expect(TermNormalizer.applicability(source).value == value)
    }

    @Test func multiValueCellsSplitOnListSeparatorsNotCommas() {
        #expect(MultiValue.split("O'Brien, Siobhan; Jane Doe | n/a\nBob") == ["O'Brien, Siobhan", "Jane Doe", "Bob"])
    }

    @Test func asciiSetsHoldExactlyTheirCharacters() {
        // Both halves of the mask ('&' below 64, '|' above), and no byte outside ASCII.
        let set = ASCIISet("&|é")
        let members = (0...255).filter { set.contains(UInt8($0)) }
        #expect(members == [0x26, 0x7C])
        #expect(MultiValue.split("Provider / Deployer", separators: MultiValue.roleSeparators) == ["Provider", "Deployer"])
    }

    @Test func headerKeysIgnoreCaseAndPunctuation() {
        #expect(HeaderKey("Risk ID").value == "riskid")
        #expect(HeaderKey("Prob.").value == "prob")
        // Every ASCII character: letters lowercased, digits kept, the rest dropped.
        let ascii = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        #expect(HeaderKey(ascii).value == "0123456789abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz")
        #expect(HeaderKey(ascii.dropFirst(0x5B)).value == "abcdefghijklmnopqrstuvwxyz")
        // Other scripts keep their letters, lowercased, wherever the first non-ASCII one is.
        #expect(HeaderKey("Propriétaire (Équipe)").value == "propriétaireéquipe")
        #expect(HeaderKey("ÉTAT_2").value == "état2")
        #expect(HeaderKey("负责人 Owner").value == "负责人owner")
        #expect(HeaderKey.withoutParentheses("Annex A control (2013)")?.value == "annexacontrol")
        #expect(GenericProfile.framework(forHeader: "Annex A control (2013)") == "iso27001:2013")
        #expect(GenericProfile.field(for: "owner.name", kind: .system) == .owner)
        #expect(GenericProfile.field(for: "AI system", kind: .system) == .name)
        #expect(GenericProfile.field(for: "AI system", kind: .risk) == .systems)
    }
}
