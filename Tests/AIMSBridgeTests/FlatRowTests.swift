import Foundation
import Testing
@testable import AIMSBridge

/// Rows of a CSV source written straight from their bytes (`FlatRowPlan`) come out byte for byte
/// as the general path writes them, and the rows it cannot write go to the general path.
@Suite struct FlatRowTests {
    /// The JSON of each record a sink is given, as text.
    private struct JSONLines: RegisterSink {
        var lines: [String] = []

        mutating func add(_ records: EncodedRecords) throws(OutputError) {
            records.withBytes { bytes in
                for slice in records.records {
                    lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[slice.range]), as: UTF8.self))
                }
            }
        }

        mutating func finish(sources: [SourceSummary]) throws(OutputError) {}
    }

    /// What converting `path` gave: the records' JSON, the diagnostics, the rejects, the summary.
    private func convert(_ path: String, flatRows: Bool) throws -> (lines: [String], diagnostics: [String], rejects: [RejectedRecord], summary: SourceSummary) {
        var options = ConvertOptions()
        options.flatRows = flatRows
        // One record of sample: the rest pass through the workers, where rows are written flat.
        options.sampleSize = 1
        let diagnostics = DiagnosticList()
        var sink = JSONLines()
        var rejects: [RejectedRecord] = []
        let outcome = try Converter(options: options, diagnostics: diagnostics).convert(path: path, into: &sink) { rejects.append($0) }
        return (sink.lines, diagnostics.diagnostics.map(\.description), rejects, outcome.summary)
    }

    @Test func everyCSVSampleConvertsTheSameEitherWay() throws {
        let paths = try TestSupport.inPackageRoot {
            try FileManager.default.subpathsOfDirectory(atPath: "Fixtures")
                .filter { ($0.hasSuffix(".csv") || $0.hasSuffix(".txt")) && !$0.hasPrefix("fuzz/") }
                .sorted().map { "Fixtures/" + $0 }
        }
        #expect(paths.count >= 25)
        var records = 0
        for path in paths {
            let (flat, general) = try TestSupport.inPackageRoot { (try convert(path, flatRows: true), try convert(path, flatRows: false)) }
            #expect(flat.lines == general.lines, "\(path)")
            #expect(flat.diagnostics == general.diagnostics, "\(path)")
            #expect(flat.rejects == general.rejects, "\(path)")
            #expect(flat.summary == general.summary, "\(path)")
            records += flat.lines.count
        }
        #expect(records > 150)
    }

    /// Reads `csv` pending, and writes each record both ways with normalizers that have seen the
    /// first record (as a conversion's sample): whether each went flat, and that the bytes and
    /// warnings are the same.
    private func writeBothWays(_ csv: String, file: String = "risks.csv", options: NormalizeOptions = NormalizeOptions()) throws -> [Bool] {
        var reader = try CSVRecordReader(source: ByteSource(name: file, bytes: Array(csv.utf8)), diagnostics: DiagnosticList())
        var items: [DeferredIngestItem] = []
        while let item = try reader.nextDeferred() { items.append(item) }
        var general = RecordNormalizer(sourcePath: file, options: options)
        guard case .record(let first) = items.removeFirst().materialized() else { Issue.record("no first record"); return [] }
        _ = general.normalize(first, diagnostics: DiagnosticList())
        var flat = general
        flat.writeFlatRows()
        var wentFlat: [Bool] = []
        for item in items {
            guard case .pending(let pending) = item.content, case .record(let record) = item.materialized() else {
                Issue.record("not a pending record: \(item)"); continue
            }
            var flatJSON = EncodedRecords()
            let flatWarnings = DiagnosticList()
            let tookFlat = flat.encodeFlatRow(pending, into: &flatJSON, diagnostics: flatWarnings)
            if !tookFlat, let canonical = flat.normalize(record, diagnostics: flatWarnings).record { flatJSON.append(canonical) }
            var generalJSON = EncodedRecords()
            let generalWarnings = DiagnosticList()
            if let canonical = general.normalize(record, diagnostics: generalWarnings).record { generalJSON.append(canonical) }
            #expect(flatJSON.withBytes { String(decoding: $0, as: UTF8.self) } == generalJSON.withBytes { String(decoding: $0, as: UTF8.self) },
                    "line \(record.locator.line)")
            #expect(flatWarnings.diagnostics == generalWarnings.diagnostics, "line \(record.locator.line)")
            wentFlat.append(tookFlat)
        }
        return wentFlat
    }

    @Test func rowsOfEveryKindOfCellAreWrittenFlat() throws {
        let csv = #"""
        Risk ID,Title,Description,AI System,Owner,Likelihood,Impact,Treatment,Controls,Due Date,Notes
        R-1,Drift,"Seen in Q3, twice",Chatbot,Jane,Low,High,Mitigate,A.5.2,2025-03-01,first
        R-2,Bias ,"Says ""usually right""",Chatbot; Scorer,李伟,5,Med,Accept,"A.6.2.2; DCF-181; 27001:A.8.16",06/03/2024,
         R-3 ,\#u{00A0}Leak,,Scorer,,very high,,Avoid,,not a date,n/a
        ,No id,text,,,,,,MEASURE 2.7,,kept
        R-5,Drift,"Seen in Q3, twice",Chatbot,Jane,Low,High,Mitigate,A.5.2,2025-03-01,first

        """#
        #expect(try writeBothWays(csv) == [true, true, true, true])
    }

    @Test func datesOfAFieldNoLongerCachedAreWrittenAsTheGeneralPathWritesThem() throws {
        // 600 dates, hardly ever the same: past the first few hundred the field is not cached,
        // and a date is written from its ISO form and its bytes, its warning (ambiguous, two-digit
        // year) made when it is shown.
        let shapes: [(Int) -> String] = [
            { "20\(10 + $0 % 15)-\(1 + $0 % 12)-\(1 + $0 % 28)" }, { "\(13 + $0 % 15)/0\(1 + $0 % 9)/20\($0 % 30 + 10)" },
            { "0\(1 + $0 % 9)/0\(1 + $0 % 8)/20\($0 % 30 + 10)" }, { "20\(10 + $0 % 15)0\(1 + $0 % 9)1\($0 % 10)" },
            { "Q\(1 + $0 % 4) 20\($0 % 90 + 10)" }, { "20\(10 + $0 % 15)-0\(1 + $0 % 9)-1\($0 % 10)T10:0\($0 % 10):00Z" },
            { "\(45_000 + $0)" }, { "not a date \($0)" }, { " 2025-03-\(10 + $0 % 18)" }, { "2025-02-3\($0 % 2)" },
            { "\(1 + $0 % 28) March 20\($0 % 90 + 10)" }, { "31.12.\(1_950 + $0 % 70)" },
            { "1\(3 + $0 % 7)/0\(1 + $0 % 9)/\($0 % 90 + 10)" }, { "0\(1 + $0 % 9)/1\($0 % 3)/\($0 % 90 + 10)" },
        ]
        let rows = (0..<600).map { "R-\($0),Risk \($0),\(shapes[$0 % shapes.count]($0 / shapes.count))" }
        let wentFlat = try writeBothWays("Risk ID,Title,Due Date\n" + rows.joined(separator: "\n") + "\n")
        #expect(wentFlat.count == 599 && wentFlat.allSatisfy { $0 })
    }

    @Test func referencesOfAFieldNoLongerCachedAreWrittenAsTheGeneralPathWritesThem() throws {
        // 600 reference cells, each different (a tool's own id in each): past the first few
        // hundred the field is not cached, and a cell's references are only encoded, told apart
        // by requirement (repeated, in other spellings), with their warnings (ambiguous ids) and
        // the pieces naming nothing.
        let shapes: [(Int) -> String] = [
            { "A.\(5 + $0 % 6).\(1 + $0 % 5); 27001:A.8.\($0 % 30 + 1); DCF-\($0)" },
            { "A.5.2, ISO/IEC 42001:2023 A.5.2; 42001:A.5.2 | A.6.1.\(2 + $0 % 2); DCF-\($0)" },
            { "EU AI Act, Art. \(9 + $0 % 6); Clause \(4 + $0 % 7).\(1 + $0 % 3); DCF-\($0)" },
            { "DCF-\($0); ACME-\($0)" },
        ]
        let cells = (0..<600).map { shapes[$0 % shapes.count]($0 / shapes.count) }
        let risks = cells.indices.map { "R-\($0),Risk \($0),\"\(cells[$0])\"" }
        let wentFlat = try writeBothWays("Risk ID,Title,Controls\n" + risks.joined(separator: "\n") + "\n")
        #expect(wentFlat.count == 599 && wentFlat.allSatisfy { $0 })
        // Every control naming a requirement goes flat; one naming none (one row in 50 here: a
        // row going the general way looks its cell up again, a hit that keeps the field cached)
        // does not.
        let names = { (row: Int) in row % 50 == 49 ? shapes[3](row) : shapes[row % 3](row) }
        let controls = (0..<600).map { "C-\($0),Control \($0),\"\(names($0))\"" }
        let controlsFlat = try writeBothWays("Control ID,Control,Requirement\n" + controls.joined(separator: "\n") + "\n",
                                             file: "soa.csv", options: NormalizeOptions(kind: .control))
        #expect(controlsFlat == (1..<600).map { $0 % 50 != 49 })
    }

    @Test func rowsWhoseCellsMeetGoToTheGeneralPath() throws {
        // Two columns of one field (the first value wins) go to the general path from the first
        // row holding both; so do two references columns (references are merged).
        let owners = "Risk ID,Title,Owner,Risk Owner\nR-1,a,Jane,\nR-2,b,Jane,\nR-3,c,Jane,Bob\nR-4,d,Jane,\nR-5,e,,Bob\n"
        #expect(try writeBothWays(owners) == [true, false, false, false])
        let references = "Risk ID,Title,Controls,ISO 27001 Controls\nR-1,a,A.5.2,\nR-2,b,A.5.2,\nR-3,c,A.5.2,A.8.16\nR-4,d,,A.8.16\n"
        #expect(try writeBothWays(references) == [true, false, false])
        // Repeated header names are numbered by the header: their columns do not meet.
        #expect(try writeBothWays("Risk ID,Notes,Notes\nR-1,a,b\nR-2,c,d\n") == [true])
        // A cell past the header is named after its column number, which a header can name too:
        // two columns of one name, kept as one extension.
        let wide = "Risk ID,Title,column_4\nR-1,a,b\nR-2,c,d\nR-3,e,f,extra\nR-4,g,h\nR-5,i\n"
        #expect(try writeBothWays(wide) == [true, false, false, true])
    }

    @Test func aControlWithoutReferencesGoesToTheGeneralPath() throws {
        // Its id is read as the reference it names there.
        let csv = "Control ID,Control,Requirement\nA.5.2,AI policy,A.5.2\nA.6.1.2,Roles,\nA.7.4,Quality,A.7.4\n"
        #expect(try writeBothWays(csv, file: "soa.csv", options: NormalizeOptions(kind: .control)) == [false, true])
    }
}
