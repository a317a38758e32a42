import Foundation
import Testing
@testable import AIMSBridge

/// Reports on a register with more risks than HTML and Markdown show: risks are folded into the
/// reports one at a time (never all held), the long tables are made again for the CSV and JSON,
/// and risks read back from a spill file give the same files as risks held in memory.
@Suite struct LargeRegisterReportTests {
    static let settings = ReportSettings(asOf: "2025-06-30", maxLinks: 3)
    static let riskCount = ReportSettings.displayRows + 1_000

    /// Risks R1 … Rn referencing A.6.2.4; every fourth is rated, the others are not.
    static let risks: [CanonicalRecord] = (1...riskCount).map { number in
        var values = CanonicalValues()
        values[.title] = .text("Risk \(number)")
        if number.isMultiple(of: 4) {
            values[.likelihood] = .rating(Rating(label: "High", level: 4, of: 5, normalized: 0.75))
            values[.impact] = .rating(Rating(label: "Low", level: 2, of: 5, normalized: 0.25))
        }
        return CanonicalRecord(kind: .risk, id: "R\(number)", source: "big.csv", locator: Locator(file: "big.csv", line: number + 1),
                               values: values, refs: [RequirementReference(framework: "iso42001:2023", id: "A.6.2.4", raw: "A.6.2.4", resolved: true)])
    }

    static func render(_ input: RegisterInput) -> [String: String] {
        let set = ReportSet(kinds: Set(ReportKind.allCases), input: input, library: ReportModelTests.library,
                            obligations: ReportModelTests.rules, settings: settings)
        var files = MemoryReportFiles()
        set.render(formats: [.csv, .json, .md], html: nil, into: &files)
        return files.files
    }

    static let held: [String: String] = {
        var register = Register()
        register.records = risks
        return render(RegisterInput(register: register))
    }()

    @Test func everyRiskIsInTheCSVAndJSONAndTheFirstOnesOnThePage() throws {
        let csv = try #require(Self.held["risks.csv"])
        let lines = csv.split(separator: "\r\n")
        #expect(lines.count == Self.riskCount + 1)
        #expect(lines.last?.hasPrefix("R\(Self.riskCount),Risk \(Self.riskCount),") == true)

        let json = try #require(Self.held["risks.json"]?.data(using: .utf8))
        let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let data = try #require(document["data"] as? [String: Any])
        let rows = try #require(data["risks"] as? [[String: Any]])
        #expect(rows.count == Self.riskCount)
        #expect(rows.map { $0["id"] as? String } == Self.risks.map(\.id))

        let markdown = try #require(Self.held["risks.md"])
        #expect(markdown.contains("- risks: **\(Self.riskCount)**"))
        #expect(markdown.contains("(the first \(ReportSettings.displayRows) of \(Self.riskCount) rows; every row is in risks.csv)"))
        #expect(markdown.contains("| R\(ReportSettings.displayRows) | Risk \(ReportSettings.displayRows) |"))
        #expect(!markdown.contains("| R\(ReportSettings.displayRows + 1) | Risk"))
    }

    @Test func heatmapsCountEveryRiskAndListTheFirstUnplaced() throws {
        let json = try #require(Self.held["risks.json"]?.data(using: .utf8))
        let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let heatmap = try #require((document["data"] as? [String: Any])?["inherentHeatmap"] as? [String: Any])
        let rated = Self.riskCount / 4
        #expect(heatmap["placed"] as? Int == rated)
        #expect((heatmap["counts"] as? [[Int]])?[3][1] == rated)
        #expect((heatmap["unplaced"] as? [Any])?.count == ReportSettings.displayRows)
        let markdown = try #require(Self.held["risks.md"])
        #expect(markdown.contains("\(Self.riskCount - rated) risks could not be placed (see the table below)."))
        #expect(markdown.contains("Risks not on the inherent heatmap (the first \(ReportSettings.displayRows) of \(Self.riskCount - rated); every risk's ratings are in risks.csv)"))
    }

    @Test func rowsReachedByEveryRiskShowTheFirstLinksAndTheCount() throws {
        let soa = try #require(Self.held["soa.csv"])
        let row = try #require(soa.split(separator: "\r\n").first { $0.hasPrefix("A.6.2.4,") })
        #expect(row.contains("applicable (inferred)"))
        #expect(row.contains("referenced by risk R1, risk R2, risk R3 and \(Self.riskCount - 3) more"))
        #expect(row.contains("R1 Risk 1; R2 Risk 2; R3 Risk 3; … and \(Self.riskCount - 3) more"))
        let gaps = try #require(Self.held["gaps-iso42001-2023.csv"])
        #expect(gaps.split(separator: "\r\n").first { $0.hasPrefix("A.6.2.4,") }?.contains("partly covered") == true)
    }

    @Test func risksReadBackFromASpillGiveTheSameFiles() throws {
        let spill = try RiskSpill()
        for risk in Self.risks { try spill.append(risk) }
        #expect(spill.count == Self.riskCount)
        var read: [CanonicalRecord] = []
        RiskRecords(spill: spill).forEach { position, risk in
            #expect(position == read.count)
            read.append(risk)
        }
        #expect(read == Self.risks)
        #expect(spill.readFailure == nil)
        let spilled = Self.render(RegisterInput(register: Register(), risks: RiskRecords(spill: spill)))
        #expect(spilled.keys.sorted() == Self.held.keys.sorted())
        for (name, text) in Self.held { #expect(spilled[name] == text, "\(name) differs") }
    }

    @Test func aSpillThatCannotBeReadBackGivesTheRisksBeforeAndSaysWhere() throws {
        // More risks than a batch before the bad line, so that some come from a full batch.
        let before = RegisterReader.readAheadBatch + 44
        let spill = try RiskSpill()
        for risk in Self.risks.prefix(before) { try spill.append(risk) }
        try Array("{\"kind\": ]".utf8).withUnsafeBytes { try spill.append(encoded: $0) }
        try spill.append(Self.risks[before])
        var read: [CanonicalRecord] = []
        spill.forEach { position, risk in
            #expect(position == read.count)
            read.append(risk)
        }
        #expect(read == Array(Self.risks.prefix(before)))
        let failure = try #require(spill.readFailure)
        #expect(failure.locator.line == before + 1)
    }

    @Test func aReadStoppedByItsReceiverEndsWithTheReceiversError() throws {
        var bytes: [UInt8] = []
        for risk in Self.risks {
            var json = JSONBuffer()
            RegisterEncoding.write(risk, into: &json)
            bytes += json.withBytes { Array($0) } + [0x0A]
        }
        let stop = RegisterReader.readAheadBatch * 2 + 7
        var read = 0
        #expect(throws: RegisterReadError.self) {
            _ = try RegisterReader.readAhead(ByteSource(name: "risks.ndjson", bytes: bytes)) { record throws(RegisterReadError) in
                if read == stop { throw RegisterReadError(locator: record.locator, message: "the receiver stops here") }
                read += 1
            }
        }
        #expect(read == stop)
        do {
            _ = try RegisterReader.readAhead(ByteSource(name: "risks.ndjson", bytes: bytes)) { _ throws(RegisterReadError) in
                throw RegisterReadError(locator: Locator(file: "x", line: 1), message: "the receiver stops here")
            }
            Issue.record("the receiver's error was not thrown")
        } catch {
            #expect(error.message == "the receiver stops here")
        }
    }

    @Test func theConversionLogListsTheFirstProblemsAndCountsTheRest() throws {
        let printed = DiagnosticList()
        let log = DiagnosticLog(keeping: 3, forwardingTo: printed)
        for line in 1...5 { log.emit(Diagnostic(.warning, "w\(line)", at: Locator(file: "a.csv", line: line))) }
        log.emit(Diagnostic(.note, "n", at: Locator(file: "a.csv", line: 9)))
        #expect(log.diagnostics.map(\.message) == ["w1", "w2", "w3"])
        #expect(printed.diagnostics.count == 6)
        #expect(log.counts.warningsPerFile == ["a.csv": 5])
        #expect(log.counts.omittedWarnings == 2 && log.counts.omittedNotes == 1)

        var input = RegisterInput(register: Register(), rejects: [RejectedRecord(locator: Locator(file: "a.csv", line: 4), reason: "bad", raw: "")])
        input.rejectCount = 4
        input.diagnostics = log.diagnostics
        input.diagnosticCounts = log.counts
        input.register.sources = [SourceSummary(path: "a.csv", format: "csv", profile: "generic", sha256: "", records: 10,
                                                converted: 6, rejected: 4, unmappedFields: [])]
        let model = ConversionLog(input: input)
        #expect(model.omitted?.rejects == 3 && model.omitted?.warnings == 2 && model.omitted?.notes == 1)
        #expect(model.sources.map(\.warnings) == [5])
        let document = ReportLayouts.log(model)
        #expect(document.facts.first { $0.label == "warnings" }?.value == "5")
        let captions = document.sections.flatMap(\.tables).map(\.caption)
        #expect(captions.contains { $0.hasPrefix("Rejected records (the first 1 of 4; the counts per source include every one") })
        #expect(captions.contains { $0.hasPrefix("Warnings and notes (the first 3 of 6;") })
        // A complete log says nothing of the kind, and its JSON has no `omitted`.
        let complete = ConversionLog(input: RegisterInput(register: Register()))
        #expect(complete.omitted == nil)
        #expect(!JSONReportRenderer.render(complete, kind: .log, settings: Self.settings).contains("omitted"))
    }
}
