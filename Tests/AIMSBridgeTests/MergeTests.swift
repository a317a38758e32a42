import Foundation
import Testing
@testable import AIMSBridge

/// `aims merge`: the merge of a 27001 evidence export with 42001 work against its golden, the
/// properties the merge promises (order independence, registers or exports alike, idempotence),
/// conflicts kept, matching rules and the crosswalk carry-over.
@Suite struct MergeTests {
    /// The Contoso Bank 42001 evidence log and SoA, an earlier snapshot of the evidence log, and
    /// the ISMS evidence export of the 27001 tool.
    static let inputs = ["Fixtures/evidence-log.ndjson", "Fixtures/soa-controls.csv", "Fixtures/merge/isms-evidence-27001.csv",
                         "Fixtures/merge/aims-evidence-log-2024-12.ndjson"]

    private func merge(_ inputs: [String], _ arguments: [String] = ["--match", "both"]) throws -> (Data, TestSupport.RunResult) {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("merged.json")
        let result = try TestSupport.runAIMS(["merge"] + inputs + ["-o", output.path] + arguments)
        return ((try? Data(contentsOf: output)) ?? Data(), result)
    }

    @Test func theMergedRegisterMatchesItsGolden() throws {
        let (merged, result) = try merge(Self.inputs)
        #expect(result.status == 0, "\(result.stderr)")
        try TestSupport.assertGolden(String(decoding: merged, as: UTF8.self), named: "merge/merged.json")
        let summary = result.stderr.split(separator: "\n").filter { !$0.contains("warning:") }.joined(separator: "\n")
        try TestSupport.assertGolden(summary + "\n", named: "merge/merged.stderr")
    }

    @Test func theISMSExportAndTheAIMSRegisterMatchTheirGolden() throws {
        let (merged, result) = try merge(["Fixtures/merge/isms-evidence-27001.csv", "Fixtures/merge/aims-register-42001.json"])
        #expect(result.status == 0, "\(result.stderr)")
        try TestSupport.assertGolden(String(decoding: merged, as: UTF8.self), named: "merge/isms-and-aims.json")
        // The same as merging the exports the AIMS register was converted from.
        let (fromExports, _) = try merge(["Fixtures/merge/isms-evidence-27001.csv", "Fixtures/soa-controls.csv", "Fixtures/evidence-log.ndjson"])
        #expect(merged == fromExports)
    }

    @Test func theAIMSRegisterFixtureIsWhatConvertWritesToday() throws {
        let result = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "Fixtures/evidence-log.ndjson", "-q"])
        #expect(result.stdout == (try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("Fixtures/merge/aims-register-42001.json"),
                                             encoding: .utf8)),
                "regenerate it: aims convert Fixtures/soa-controls.csv Fixtures/evidence-log.ndjson -o Fixtures/merge/aims-register-42001.json")
    }

    @Test func theOrderOfTheInputsDoesNotMatter() throws {
        let (expected, _) = try merge(Self.inputs)
        #expect(!expected.isEmpty)
        for permutation in Self.permutations(Self.inputs) where permutation != Self.inputs {
            let (merged, _) = try merge(permutation)
            #expect(merged == expected, "merging in the order \(permutation) differs")
        }
    }

    static func permutations(_ items: [String]) -> [[String]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    @Test(arguments: ["json", "ndjson"])
    func mergingConvertedRegistersEqualsMergingTheExports(format: String) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var registers: [String] = []
        for (index, input) in Self.inputs.enumerated() {
            let register = directory.appendingPathComponent("register-\(index).\(format)").path
            let converted = try TestSupport.runAIMS(["convert", input, "-o", register, "--format", format, "-q"])
            #expect(converted.status == 0)
            registers.append(register)
        }
        let (fromRegisters, first) = try merge(registers)
        let (fromExports, second) = try merge(Self.inputs)
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)")
        #expect(fromRegisters == fromExports)
    }

    @Test func mergingAMergedRegisterWithItselfChangesNothing() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (merged, _) = try merge(Self.inputs)
        let path = directory.appendingPathComponent("merged.json")
        try merged.write(to: path)
        let (twice, result) = try merge([path.path, path.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(twice == merged)
        let (again, _) = try merge([path.path])
        #expect(again == merged)
    }

    @Test func nothingAContributorSaidIsDropped() throws {
        let (merged, _) = try merge(Self.inputs)
        let register = try RegisterReader.read(merged, path: "merged.json")
        let diagnostics = DiagnosticLog(keeping: 0)
        let (input, _) = RegisterInputLoader(options: ConvertOptions()).load(paths: Self.inputs, diagnostics: diagnostics)
        #expect(register.records.count == 55 && input.register.records.count == 60)
        for original in input.register.records {
            let holder = try #require(register.records.first { record in
                record.kind == original.kind && (record.id == original.id && record.source == original.source
                    || record.mergedFrom.contains { $0.source == original.source && $0.id == original.id })
            }, "\(original.id) from \(original.source) is missing")
            for entry in original.values {
                let kept = holder.values[entry.field].map { RegisterMerger.sameMeaning($0, entry.value) } ?? false
                let conflict = holder.conflicts.contains {
                    $0.field == entry.field.name && $0.source == original.source && $0.id == original.id && $0.value == .canonical(entry.value)
                }
                #expect(kept || conflict, "\(original.id).\(entry.field.name) from \(original.source) was dropped")
            }
            for reference in original.refs where reference.resolved {
                #expect(holder.refs.contains { $0.isSameRequirement(as: reference) })
            }
        }
    }

    @Test func textsMeanTheSameWhateverTheWhitespaceAroundThem() {
        #expect(RegisterMerger.sameMeaning(.text(" Model drift\u{00A0}\n"), .text("Model drift")))
        #expect(RegisterMerger.sameMeaning(.text("Model drift"), .text("Model drift")))
        #expect(!RegisterMerger.sameMeaning(.text("Model  drift"), .text("Model drift")))
        #expect(!RegisterMerger.sameMeaning(.text("model drift"), .text("Model drift")))
    }

    @Test func aMergedRecordCitesEachRequirementOnce() {
        func reference(_ raw: String, _ id: String, resolved: Bool) -> RequirementReference {
            RequirementReference(framework: resolved ? "iso27001:2022" : nil, id: id, raw: raw, resolved: resolved)
        }
        func record(_ source: String, _ refs: [RequirementReference]) -> CanonicalRecord {
            var record = CanonicalRecord(kind: .control, id: "C-1", source: source, locator: Locator(file: source, line: 2))
            record.refs = refs
            return record
        }
        var register = Register()
        register.sources = ["a.json", "b.json"].map {
            SourceSummary(path: $0, format: "json", profile: "generic", sha256: "", records: 1, converted: 1, rejected: 0, unmappedFields: [])
        }
        register.records = [
            record("a.json", [reference("27001 A.8.15", "A.8.15", resolved: true), reference("A.5.2", "A.5.2", resolved: false)]),
            // The same requirement written otherwise; an unresolved one with the text of a resolved
            // one; the same unresolved text; new ones of each kind.
            record("b.json", [reference("A.8.15", "A.8.15", resolved: true), reference("27001 A.8.15", "A.8.15", resolved: false),
                              reference("A.5.2", "A.5.2", resolved: false), reference("A.8.16", "A.8.16", resolved: true),
                              reference("DCF-9", "DCF-9", resolved: false)]),
        ]
        let merged = RegisterMerger(options: MergeOptions(prefer: .first)).merge(register)
        #expect(merged.records.count == 1)
        #expect(merged.records.first?.refs.map(\.raw) == ["27001 A.8.15", "A.5.2", "A.8.16", "DCF-9"])
    }

    @Test func recordsWaitingOnDiskMergeAsRecordsInMemoryDo() throws {
        // The loader puts every record in the store (exports converted, registers read back).
        let merger = RegisterMerger(options: MergeOptions(match: .both))
        let store = try MergeStore(for: merger)
        let diagnostics = DiagnosticLog(keeping: 0)
        let (stored, _) = RegisterInputLoader(options: ConvertOptions()).load(paths: Self.inputs, diagnostics: diagnostics, store: store)
        let (held, _) = RegisterInputLoader(options: ConvertOptions()).load(paths: Self.inputs, diagnostics: diagnostics)
        #expect(stored.register.records.isEmpty && store.count == 60)
        #expect(try (0..<store.count).map { try store.record(at: $0) }.sorted { $0.id < $1.id }
            == held.register.records.sorted { $0.id < $1.id })
        var merged: [CanonicalRecord] = []
        try merger.mergedRecords(of: store, sources: stored.register.sources) { merged.append($0) }
        #expect(merged == merger.merge(held.register).records)
        // Records of an input that broke off are dropped from the store; the others stay.
        let tenth = try store.record(at: 9)
        store.keepFirst(10)
        #expect(store.count == 10 && store.entries.count == 10)
        #expect(try store.record(at: 9) == tenth)
        try store.append(tenth)
        #expect(try store.record(at: 10) == tenth)
    }

    @Test func conflictsFollowThePreference() throws {
        func owner(_ arguments: [String]) throws -> (String?, [String]) {
            let (merged, result) = try merge(["Fixtures/evidence-log.ndjson", "Fixtures/merge/aims-evidence-log-2024-12.ndjson"], arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let record = try #require(try RegisterReader.read(merged, path: "m.json").records.first { $0.id == "EV-002" })
            let losers = record.conflicts.filter { $0.field == "owner" }.map { conflict -> String in
                if case .canonical(.text(let text)) = conflict.value { return "\(text) (\(conflict.source))" }
                return ""
            }
            return (record.text(.owner), losers)
        }
        // The 2025 log was collected later than the 2024-12 snapshot.
        #expect(try owner([]) == ("Maria Rossi", ["Tomás Ruiz (Fixtures/merge/aims-evidence-log-2024-12.ndjson)"]))
        #expect(try owner(["--prefer", "aims-evidence-log-2024-12.ndjson"]) == ("Tomás Ruiz", ["Maria Rossi (Fixtures/evidence-log.ndjson)"]))
        #expect(try owner(["--prefer", "first"]) == ("Maria Rossi", ["Tomás Ruiz (Fixtures/merge/aims-evidence-log-2024-12.ndjson)"]))
    }

    @Test func aMemberARegisterDoesNotHaveIsAnErrorNotPassedOver() throws {
        // A register with its records under a member of another name would otherwise read as
        // empty: reports of nothing, exit 0.
        let text = "{\"schema\":\"aims-register/1\",\"sources\":[],\n \"records\":[{\"kind\":\"risk\",\"id\":\"R-1\"}],\"risks\":[]}"
        do {
            _ = try RegisterReader.read(Data(text.utf8), path: "r.json")
            Issue.record("a register with a 'records' member was read")
        } catch {
            #expect(error.locator.description == "r.json:2:2")
            #expect(error.message.hasPrefix("'records' is not an array of an aims-register/1 register, which holds 'sources', 'systems'"))
        }
    }

    @Test func titlesMatchAcrossSourcesOnlyWhenAsked() throws {
        func ids(_ match: String) throws -> Set<String> {
            let (merged, _) = try merge(Self.inputs, ["--match", match])
            return Set(try RegisterReader.read(merged, path: "m.json").records.filter { !$0.mergedFrom.isEmpty }.map(\.id))
        }
        #expect(try ids("id") == ["EV-001", "EV-002", "EV-009"])
        #expect(try ids("title") == ["ISMS-EV-0102", "ISMS-EV-0114"])
        #expect(try ids("both") == ["EV-002", "EV-009", "ISMS-EV-0102", "ISMS-EV-0114"])
    }

    @Test func idsMatchWithinOneToolOnly() {
        func risk(_ id: String, source: String, owner: String) -> CanonicalRecord {
            var values = CanonicalValues()
            values[.owner] = .text(owner)
            return CanonicalRecord(kind: .risk, id: id, source: source, locator: Locator(file: source, line: 2), values: values)
        }
        func summary(_ path: String, _ profile: String) -> SourceSummary {
            SourceSummary(path: path, format: "csv", profile: profile, sha256: path, records: 1, converted: 1, rejected: 0, unmappedFields: [])
        }
        var register = Register()
        register.sources = [summary("sn.csv", "servicenow-irm-risks-csv"), summary("sn.xml", "servicenow-irm-risks-xml"),
                            summary("sheet.csv", "generic"), summary("other.csv", "generic")]
        register.records = [risk("RSK0001", source: "sn.csv", owner: "Ana"), risk("RSK0001", source: "sn.xml", owner: "Ben"),
                            risk("RSK0001", source: "sheet.csv", owner: "Cem"),
                            risk("sheet#1", source: "sheet.csv", owner: "Dan"), risk("sheet#1", source: "other.csv", owner: "Eve")]
        let merger = RegisterMerger(options: MergeOptions(families: ["servicenow-irm-risks-csv": "ServiceNow IRM",
                                                                     "servicenow-irm-risks-xml": "ServiceNow IRM"]))
        // Ids made up for standard input (`stdin#<n>`) are positions too.
        var piped = Register()
        piped.sources = [summary("-", "generic"), summary("other.csv", "generic")]
        piped.records = [risk("stdin#1", source: "-", owner: "Fay"), risk("stdin#1", source: "other.csv", owner: "Gil")]
        #expect(RegisterMerger(options: MergeOptions()).merge(piped).records.count == 2)
        let merged = merger.merge(register)
        // Sorted by source, position and id: other.csv, sheet.csv (RSK0001, sheet#1), sn.csv.
        #expect(merged.records.map(\.id) == ["sheet#1", "RSK0001", "sheet#1", "RSK0001"])
        #expect(merged.records.map { $0.mergedFrom.map(\.source) } == [[], [], [], ["sn.csv", "sn.xml"]])
        #expect(merged.records[3].conflicts.map(\.source) == ["sn.xml"])
    }

    @Test func evidenceCarriesAcrossTheCrosswalks() throws {
        let (merged, _) = try merge(Self.inputs)
        let register = try RegisterReader.read(merged, path: "m.json")
        let sdlc = try #require(register.records.first { $0.id == "ISMS-EV-0120" })
        let reference = try #require(sdlc.refs.first { $0.id == "A.8.25" })
        #expect(reference.mappings.contains { $0.target == "iso42001:2023/A.6.1.3" && $0.relationship == "intersects-with" })
        let library = MappingsLoader.load(directories: [TestSupport.packageRoot.appendingPathComponent("Mappings").path],
                                          diagnostics: DiagnosticList())
        let soa = StatementOfApplicability(index: RegisterIndex(register: register, library: library),
                                           settings: ReportSettings(asOf: "2025-06-30"))
        let entry = try #require(soa.annexes[0].entries.first { $0.id == "A.6.1.3" })
        #expect(entry.evidence.items.map(\.id) == ["ISMS-EV-0120"])
        #expect(entry.evidence.items.first?.relationship == "intersects-with")
        #expect(entry.evidence.items.first?.via == "iso27001:2022/A.8.25 =intersects-with (inverse)=> iso42001:2023/A.6.1.3")
    }

    @Test func noCommandWritesOverAnInputHoweverItIsSpelled() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("soa.json")
        let converted = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "-o", input.path, "-q"])
        #expect(converted.status == 0)
        let before = try Data(contentsOf: input)
        let spelledOtherwise = folder.appendingPathComponent("sub/../soa.json").path
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for arguments in [["merge", input.path, "-o", spelledOtherwise], ["convert", spelledOtherwise, "-o", input.path],
                          ["report", input.path, "--kind", "soa", "--format", "json", "-o", folder.path]] {
            let result = try TestSupport.runAIMS(arguments)
            #expect(result.status == 2 || result.status == 3, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("would overwrite an input"), "\(arguments): \(result.stderr)")
            #expect(try Data(contentsOf: input) == before)
        }
    }

    @Test func theLogReportSaysWhatWasMerged() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (merged, _) = try merge(Self.inputs)
        let register = directory.appendingPathComponent("merged.json")
        try merged.write(to: register)
        let result = try TestSupport.runAIMS(["report", register.path, "--kind", "log", "--format", "csv", "--as-of", "2025-06-30",
                                              "-o", directory.appendingPathComponent("reports").path])
        #expect(result.status == 0, "\(result.stderr)")
        let conflicts = try String(contentsOf: directory.appendingPathComponent("reports/log-merge-conflicts.csv"), encoding: .utf8)
        #expect(conflicts == "Field,Conflicts\r\ncollected,5\r\nlocation,5\r\ndescription,4\r\nowner,3\r\nvalidUntil,3\r\ntitle,2\r\n")
    }
}
