import Foundation
import Testing
@testable import AIMSBridge

@Suite struct CSVRecordReaderTests {
    /// Reads `text`, whole or `chunkSize` bytes at a time.
    private func read(_ text: String, file: String = "t.csv", chunkSize: Int? = nil, limits: ReaderLimits = .standard)
        throws -> (items: [IngestItem], diagnostics: [Diagnostic]) {
        try read(bytes: Array(text.utf8), file: file, chunkSize: chunkSize, limits: limits)
    }

    private func read(bytes: [UInt8], file: String = "t.csv", chunkSize: Int? = nil, limits: ReaderLimits = .standard)
        throws -> (items: [IngestItem], diagnostics: [Diagnostic]) {
        let diagnostics = DiagnosticList()
        var reader = try CSVRecordReader(source: ByteSource(name: file, bytes: bytes, chunkSize: chunkSize), limits: limits,
                                         diagnostics: diagnostics)
        return (try TestSupport.readAll(&reader), diagnostics.diagnostics)
    }

    private func readFixture(_ path: String) throws -> (items: [IngestItem], diagnostics: [Diagnostic]) {
        let diagnostics = DiagnosticList()
        let source = try TestSupport.inPackageRoot { try ByteSource(path: path, chunkSize: 97) }
        var reader = try CSVRecordReader(source: source, diagnostics: diagnostics)
        return (try TestSupport.readAll(&reader), diagnostics.diagnostics)
    }

    @Test func readsHeaderNamedFieldsAndLines() throws {
        let (items, diagnostics) = try read("ID,Title,Owner\nR-1,Bias,Jane\nR-2,\"Drift, data\",  Bob  \n")
        let records = TestSupport.records(items)
        #expect(records.count == 2)
        #expect(records[0].fields == [SourceField("ID", "R-1"), SourceField("Title", "Bias"), SourceField("Owner", "Jane")])
        #expect(records[1]["Title"] == "Drift, data")
        #expect(records[1]["Owner"] == "  Bob  ", "spaces inside fields are kept (libcsv trims by default)")
        #expect(records.map(\.locator.line) == [2, 3])
        #expect(diagnostics.isEmpty)
    }

    /// Every field length the field copy treats apart (1-3, 4-7, 8-15, 16-32 bytes, longer)
    /// comes through byte for byte, unquoted and quoted, with no byte of a neighbour.
    @Test func fieldsOfEveryLengthAreCopiedWhole() throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let values = (1...40).map { length in String((0..<length).map { alphabet[($0 * 7 + length) % alphabet.count] }) }
        let header = (1...40).map { "c\($0)" }.joined(separator: ",")
        let plain = values.joined(separator: ",")
        let quoted = values.map { "\"\($0)\"" }.joined(separator: ",")
        let (items, diagnostics) = try read("\(header)\n\(plain)\n\(quoted)\n")
        let records = TestSupport.records(items)
        #expect(records.count == 2)
        for record in records {
            #expect(record.fields.map(\.value) == values.map { FieldValue.text($0) })
        }
        #expect(diagnostics.isEmpty)
    }

    /// Cells past the header are kept as `column_N`, in UTF-8 rows and in rows read as
    /// Windows-1252 alike, and the first ten such rows of a file are warned about.
    @Test func cellsPastTheHeaderAreKeptAsNumberedColumnsWithAWarning() throws {
        // Rows as wide as the header first, so that the header is found as usual.
        var text = "ID,Title\n"
        for row in 1...30 { text += "R-\(row),t\n" }
        text += "R-31,a,b,,d\n"
        for row in 32...42 { text += "R-\(row),t,x\n" }
        var bytes = Array(text.utf8)
        bytes += [0x52, 0x2D, 0x34, 0x33, 0x2C, 0x63, 0x61, 0x66, 0xE9, 0x2C, 0x6E, 0x61, 0xEF, 0x76, 0x65, 0x0A]  // R-43,café,naïve (cp1252)
        let (items, diagnostics) = try read(bytes: bytes)
        let records = TestSupport.records(items)
        #expect(records.count == 43)
        #expect(records[29].fields == [SourceField("ID", "R-30"), SourceField("Title", "t")])
        #expect(records[30].fields == [SourceField("ID", "R-31"), SourceField("Title", "a"), SourceField("column_3", "b"),
                                       SourceField("column_5", "d")])
        #expect(records[31].fields == [SourceField("ID", "R-32"), SourceField("Title", "t"), SourceField("column_3", "x")])
        #expect(records[42].fields == [SourceField("ID", "R-43"), SourceField("Title", "café"), SourceField("column_3", "naïve")])
        let wide = diagnostics.filter { $0.message.contains("but the header has 2") }
        #expect(wide.count == 10)
        #expect(wide.first?.message == "row has 5 fields but the header has 2; extra values kept as column_3…")
        #expect(wide.map { $0.locator?.line } == Array(32...41))
    }

    @Test func aRepeatedHeaderRowIsSkippedWithAWarningNotConverted() throws {
        // Two exports joined with `cat`: the second one's header is not a risk named "Title". The
        // third header has spaces around its cells and a quoted cell; the last row is data that
        // starts like the header.
        let text = "Risk ID,Title,Owner\nR-1,Bias,Jane\nRisk ID,Title,Owner\nR-2,Drift,Bob\n"
            + " Risk ID ,\"Title\",Owner \nRisk ID,Title,Owner of record\n"
        let (items, diagnostics) = try read(text, chunkSize: 7)
        let records = TestSupport.records(items)
        #expect(records.map { $0["Risk ID"] } == ["R-1", "R-2", "Risk ID"])
        #expect(records.map(\.locator.line) == [2, 4, 6])
        #expect(items.count == 3, "a repeated header is not a record: not rejected either")
        #expect(diagnostics.map(\.description) == [3, 5].map {
            "t.csv:\($0):1: warning: this row repeats the header row (were exports joined together?); it is skipped, not converted"
        })
    }

    @Test func singleValueLinesAfterABlankLineAtTheEndAreAFooterNotRecords() throws {
        let footer = "Risk ID,Title,Owner\nR-1,Bias,Jane\n\"R-2\",\"Drift,\nover lines\",Bob\n\n"
            + "Exported by Archer on 2025-01-03 10:22,,\n\"Total: 2 records\"\n"
        let (items, diagnostics) = try read(footer, chunkSize: 5)
        #expect(TestSupport.records(items).map { $0["Risk ID"] } == ["R-1", "R-2"])
        let rejected = items.compactMap { item -> RejectedRecord? in
            if case .rejected(let record) = item { return record } else { return nil }
        }
        #expect(rejected.map(\.locator.line) == [6, 7])
        #expect(rejected.map(\.raw) == ["Exported by Archer on 2025-01-03 10:22,,", "Total: 2 records"])
        #expect(rejected.allSatisfy { $0.reason == "a single value after a blank line at the end of the file: a footer or a note, not a record" })
        #expect(diagnostics.isEmpty)
        // A spreadsheet saves a blank row as a row of empty cells.
        let saved = try read("Risk ID,Title,Owner\nR-1,Bias,Jane\n,,\n,,\n\"Source: risk committee, 2025-01\",,\n").items
        #expect(TestSupport.records(saved).map { $0["Risk ID"] } == ["R-1"])
        #expect(saved.count == 2, "the source line is rejected as a footer")
        // A sparse row followed by more data is a record; one after a blank line at the very end is
        // taken for a footer (rejected with its text, not lost).
        let sparse = "Name,Owner,Vendor\nChatbot,Jane,Acme\n\nScoring model,,\nRanker,Bob,\n\nTriage,,\n"
        let sparseItems = try read(sparse).items
        #expect(TestSupport.records(sparseItems).map { $0["Name"] } == ["Chatbot", "Scoring model", "Ranker"])
        #expect(sparseItems.count == 4)
        let adjacent = TestSupport.records(try read("Name,Owner\nChatbot,Jane\nRanker,\n").items)
        #expect(adjacent.map { $0["Name"] } == ["Chatbot", "Ranker"])
        // More single-value lines than a footer has are data.
        let list = "Name,Owner\nChatbot,Jane\n\n" + (1...20).map { "System \($0),\n" }.joined()
        #expect(TestSupport.records(try read(list).items).count == 21)
    }

    @Test(arguments: [(";", "semicolon"), ("\t", "tab"), ("|", "pipe"), (",", "comma")])
    func sniffsDelimiter(delimiter: String, name: String) throws {
        // The title holds another candidate delimiter, which must not win.
        let title = delimiter == "," ? "Data drift; seasonal" : "Data drift, seasonal"
        let text = ["Risk ID", "Title", "Likelihood"].joined(separator: delimiter) + "\n"
            + ["R-1", title, "Likely"].joined(separator: delimiter) + "\n"
        let diagnostics = DiagnosticList()
        let reader = try CSVRecordReader(source: ByteSource(name: "t", bytes: Array(text.utf8)), diagnostics: diagnostics)
        #expect(reader.delimiterName == name)
        let (items, _) = try read(text)
        #expect(TestSupport.records(items).first?["Title"] == title)
    }

    @Test func nullMarkersAndEmptyCellsAreAbsent() throws {
        let (items, _) = try read("ID,A,B,C,D,E,F\nR-1,--,N/A,n/a,null,,—\n")
        #expect(TestSupport.records(items).first?.fields == [SourceField("ID", "R-1")])
    }

    /// The literals of the absence test's fast path say what the markers say.
    @Test func theNullMarkersFirstBytesAndLongestLengthAreTheLiteralsFastPathUses() {
        for byte in UInt8.min...UInt8.max {
            let starts = CSVRecordReader.nullMarkers.contains { $0.utf8.first == byte }
            #expect(CSVRecordReader.someNullMarkerStarts(with: byte) == starts, "byte \(byte)")
        }
        #expect(CSVRecordReader.longestNullMarker == CSVRecordReader.nullMarkers.map(\.utf8.count).max())
    }

    @Test func markersInSpacesAreAbsentAndLongerValuesInSpacesAreKept() throws {
        // Quoted, so that libcsv keeps the spaces: a marker with spaces around it is still a
        // marker; a value longer than every marker is kept whatever its ends are.
        let (items, _) = try read("ID,A,B,C,D,E,F\nR-1,\" #N/A \",\"\u{3000}—\",\"Low \",李伟,\" NULL-ish\",\"N/A \u{00A0}x\"\n")
        #expect(TestSupport.records(items).first?.fields == [
            SourceField("ID", "R-1"), SourceField("C", "Low "), SourceField("D", "李伟"),
            SourceField("E", " NULL-ish"), SourceField("F", "N/A \u{00A0}x"),
        ])
        #expect(CSVRecordReader.isAbsent(" null\t"))
        #expect(!CSVRecordReader.isAbsent(" nulls "))
    }

    @Test func cellBytesAreAbsentExactlyWhenTheirTextIs() {
        let cells = ["", " ", "\t\u{00A0}", "\u{3000}", "--", " -- ", "—", "–", "N/A", "n/a", "#N/A", "null", "NULL", " null\t",
                     "nulls", "N/A x", "-", "Low ", " Low", "李伟", "\u{3000}—", "x", "NULL-ish", "#", "n"]
        for cell in cells {
            Array(cell.utf8).withUnsafeBufferPointer { bytes in
                #expect(CSVRecordReader.isAbsent(bytes) == CSVRecordReader.isAbsent(cell), "\(cell.debugDescription)")
            }
        }
        #expect(cells.filter(CSVRecordReader.isAbsent).count == 15)
    }

    @Test func recordsArePendingUntilTakenAndReadTheSameEitherWay() throws {
        let bytes: [UInt8] = Array("ID,Title,Owner\nR-1,Drift,李伟\nR-2,Caf".utf8) + [0xE9] + Array(",Łukasz\n".utf8)
        var reader = try CSVRecordReader(source: ByteSource(name: "t.csv", bytes: bytes), diagnostics: DiagnosticList())
        var deferred: [DeferredIngestItem] = []
        while let item = try reader.nextDeferred() { deferred.append(item) }
        // The row of valid UTF-8 keeps its cells as bytes; the other's were decoded on reading.
        #expect(deferred.allSatisfy { if case .pending = $0.content { true } else { false } })
        let records = TestSupport.records(deferred.map { $0.materialized() })
        #expect(records == TestSupport.records(try read(bytes: bytes).items))
        #expect(records.map { $0["Title"] } == ["Drift", "Café"])
        #expect(records.map { $0["Owner"] } == ["李伟", "Łukasz"])
        #expect(records[1].fields.map(\.column) == [0, 1, 2])
    }

    @Test func multiLineFieldKeepsTheLineWhereItsRecordStarts() throws {
        let (items, _) = try read("ID,Description\r\nR-1,\"first\r\nsecond\"\r\nR-2,third\r\n")
        let records = TestSupport.records(items)
        #expect(records.map(\.locator.line) == [2, 4])
        #expect(records[0]["Description"] == "first\r\nsecond")
    }

    @Test func lastRecordWithoutNewlineArrives() throws {
        let (items, _) = try read("ID,Title\nR-1,a\nR-2,b")
        #expect(TestSupport.records(items).map { $0["ID"] } == ["R-1", "R-2"])
    }

    @Test func bannerRowsAndSectionRowAreSkippedAndQualifyDuplicates() throws {
        let text = """
        Contoso AI risk register
        Exported 01/02/2025
        ,Inherent,,Residual,
        ID,Likelihood,Impact,Likelihood,Impact
        R-1,Likely,Major,Rare,Minor

        """
        let records = TestSupport.records(try read(text).items)
        #expect(records.count == 1)
        #expect(records[0].fields.map(\.path) == ["ID", "Inherent Likelihood", "Inherent Impact", "Residual Likelihood", "Residual Impact"])
        #expect(records[0].locator.line == 5)
    }

    @Test func utf16WithBOMIsTranscoded() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "ID\tName\r\nS-1\tModèle 🤖\r\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let records = TestSupport.records(try read(bytes: bytes).items)
        #expect(records.first?["Name"] == "Modèle 🤖")
    }

    @Test func windows1252FallbackWarnsOnce() throws {
        let bytes: [UInt8] = Array("ID;Title\nR-1;Caf".utf8) + [0xE9, 0x20, 0x80] + Array("\nR-2;".utf8) + [0x93, 0x78, 0x94] + [0x0A]
        let (items, diagnostics) = try read(bytes: bytes, file: "emea.csv")
        #expect(TestSupport.records(items).map { $0["Title"] } == ["Café €", "“x”"])
        #expect(diagnostics.map(\.description) == ["emea.csv:2:1: warning: file is not valid UTF-8; reading it as Windows-1252"])
    }

    @Test func strayQuoteRejectsOnlyItsRecord() throws {
        let (items, _) = try readFixture("Fixtures/bad/stray-quote.csv")
        #expect(TestSupport.records(items).map { $0["Risk ID"] } == ["R-001", "R-003", "R-005"])
        let rejected = TestSupport.rejected(items)
        #expect(rejected.map(\.locator.description) == ["Fixtures/bad/stray-quote.csv:3:15", "Fixtures/bad/stray-quote.csv:5:20"])
        #expect(rejected[0].reason.hasPrefix("stray quote"))
        #expect(rejected[0].raw == "R-002,Bias in \"CV screening,Likely,Major")
        #expect(rejected[1].reason == "unexpected character after a closing quote")
    }

    @Test func unterminatedQuoteRejectsItsLineAndRereadsTheRest() throws {
        let (items, _) = try readFixture("Fixtures/bad/unterminated-quote.csv")
        #expect(TestSupport.records(items).map { $0["Risk ID"] } == ["R-001", "R-002", "R-004", "R-005", "R-006"])
        let rejected = TestSupport.rejected(items)
        #expect(rejected.map(\.locator.description) == ["Fixtures/bad/unterminated-quote.csv:4:7"])
        #expect(rejected.first?.raw == "R-003,\"Prompt injection via uploaded documents,Likely,Major")
        #expect(TestSupport.records(items).map(\.locator.line) == [2, 3, 5, 6, 7])
    }

    @Test func openRecordOverTheLimitIsRecovered() throws {
        var text = "ID,Note\nR-1,\"never closed\n"
        for index in 2...50 { text += "R-\(index),fine\n" }
        let limits = ReaderLimits(maxRecordBytes: 64)
        let (items, _) = try read(text, limits: limits)
        #expect(TestSupport.rejected(items).map(\.locator.line) == [2])
        #expect(TestSupport.records(items).count == 49)
    }

    @Test func aRecordsWorthOfShortLinesAfterAnUnclosedQuoteIsReadAgainInOrder() throws {
        // The quote opened on line 2 holds the short lines after it until they pass the record
        // limit; they are then read again one at a time (more of them than the reader reads
        // ahead), followed by the lines after them, each record with its own line.
        var text = "ID,Note\nR-0,\"never closed\n"
        for index in 1...3_000 { text += "R-\(index),n\n" }
        for chunkSize in [nil, 100] {
            let (items, _) = try read(text, chunkSize: chunkSize, limits: ReaderLimits(maxRecordBytes: 4_096))
            #expect(TestSupport.rejected(items).map(\.locator.line) == [2])
            let records = TestSupport.records(items)
            #expect(records.count == 3_000)
            #expect(records.map(\.locator.line) == Array(3...3_002))
            #expect(records.map { $0["ID"] } == (1...3_000).map { "R-\($0)" })
        }
    }

    @Test func heldLinesKeepTheirNumbersAndBytes() {
        var held = CSVHeldLines()
        for (number, text) in [(7, "a,\"b\n"), (8, "c\n"), (9, "\n"), (10, "d\"\n")] {
            Array(text.utf8).withUnsafeBufferPointer { held.append(line: number, bytes: $0) }
        }
        #expect(held.count == 4 && held.byteCount == 11)
        #expect(held.prefix(6) == Array("a,\"b\nc".utf8))
        held.removeFirst()
        #expect(held.count == 3 && held.byteCount == 6)
        #expect((0..<3).map { held.number(of: $0) } == [8, 9, 10])
        #expect((0..<3).map { held.bytes(of: $0) } == ["c\n", "\n", "d\"\n"].map { Array($0.utf8) })
        var later = CSVHeldLines()
        later.append(contentsOf: held, from: 1)
        #expect(later.count == 2 && later.number(of: 0) == 9 && later.bytes(of: 1) == Array("d\"\n".utf8))
        held.removeAll()
        #expect(held.count == 0 && held.byteCount == 0)
    }

    @Test func linesEndingWithCRAloneAreLines() throws {
        // Excel's "CSV (Macintosh)": every line ends with CR alone, and a quoted CR is data.
        let text = "Risk ID,Title\rR-1,Bias\rR-2,\"Drift\rseasonal\"\rR-3,Leak\r"
        for result in [try read(text), try read(text, chunkSize: 5)] {
            let records = TestSupport.records(result.items)
            #expect(records.map { $0["Risk ID"] } == ["R-1", "R-2", "R-3"])
            #expect(records.map(\.locator.line) == [2, 3, 5])
            #expect(records[1]["Title"] == "Drift\rseasonal")
        }
        let fixture = TestSupport.records(try readFixture("Fixtures/ai-use-cases-mac-cr.csv").items)
        #expect(fixture.map(\.locator.line) == [2, 3, 5, 6, 7, 8])
        #expect(fixture[1]["Purpose"]?.hasSuffix("interviews.\rA recruiter reviews every rejection before it is sent.") == true)
        #expect(CSVRecordReader.lineTerminator(in: Array("a\r\nb\r\nc\rd\n".utf8)) == 0x0A)
        #expect(CSVRecordReader.lineTerminator(in: Array("a\rb\rc\"x\ny\"\r".utf8)) == 0x0D)
    }

    @Test func aStrayLineEndingOfTheOtherKindDoesNotStartALine() throws {
        // Lines are counted by the file's own line ending, as `grep -n` and editors count them:
        // libcsv ends a row at a lone CR in a CRLF file (and at a lone LF in a CR file), and the
        // rows after it keep the numbering of the lines around them.
        let crlf = "Risk ID,Title\r\nR-1,First\rR-2,Second\r\nR-3,\"Third\rline\"\r\nR-4,Fourth\r\n"
        let cr = "Risk ID,Title\rR-1,First\nR-2,Second\rR-3,\"Third\nline\"\rR-4,Fourth\r"
        for text in [crlf, cr] {
            for result in [try read(text), try read(text, chunkSize: 7)] {
                let records = TestSupport.records(result.items)
                #expect(records.map { $0["Risk ID"] } == ["R-1", "R-2", "R-3", "R-4"])
                #expect(records.map(\.locator.line) == [2, 2, 3, 4])
            }
        }
    }

    @Test func aLineLongerThanARecordIsRejectedNotHeld() throws {
        // Read past the first 64 KiB 16 bytes at a time, the 100 KB line is never held whole:
        // its record is rejected at its line, the rest of the line skipped, and the next line
        // read as usual. A whole line over the limit (here, within the first chunk) rejects its
        // record the same way.
        let limits = ReaderLimits(maxRecordBytes: 64)
        let long = String(repeating: "x", count: 100_000)
        let (items, _) = try read("ID,Note\nR-1,\(long)\nR-2,fine\n", chunkSize: 16, limits: limits)
        let rejected = TestSupport.rejected(items)
        #expect(rejected.map(\.locator.line) == [2])
        #expect(rejected.first?.reason == "line longer than the 64-byte record limit")
        #expect(rejected.first?.raw.hasPrefix("R-1,xxxx") == true)
        #expect(TestSupport.records(items).map { $0["ID"] } == ["R-2"])
        #expect(TestSupport.records(items).map(\.locator.line) == [3])
        let (whole, _) = try read("ID,Note\nR-1,\(String(repeating: "x", count: 100))\nR-2,fine\n", limits: limits)
        #expect(TestSupport.rejected(whole).map(\.reason) == ["line longer than the 64-byte record limit"])
        #expect(TestSupport.records(whole).map(\.locator.line) == [3])
    }

    @Test func aLongLineInsideAnOpenRecordRejectsThatRecord() throws {
        // The record opened on line 2 goes on past the limit on line 3; the quote that closes
        // it on line 4 is then a stray one, and line 5 reads as usual.
        let limits = ReaderLimits(maxRecordBytes: 64)
        let long = String(repeating: "x", count: 100_000)
        let text = "ID,Note\nR-1,\"opened\n\(long)\nclosed\",\nR-2,fine\n"
        let (items, _) = try read(text, chunkSize: 16, limits: limits)
        let rejected = TestSupport.rejected(items)
        #expect(rejected.map(\.locator.line) == [3, 4])
        #expect(rejected.first?.reason == "line longer than the 64-byte record limit (record starts at line 2)")
        #expect(rejected.first?.raw.hasPrefix("R-1,\"opened\nxxxx") == true)
        #expect(TestSupport.records(items).map(\.locator.line) == [5])
    }

    @Test func aRowOfMegabytesIsReadWholeAndTheRowsAfterIt() throws {
        // Three fields of 900 KB: the parser's field buffer grows past what it keeps for reuse,
        // starts small again, and the rows after hold none of the large row's bytes.
        let large = ["a", "b", "c"].map { String(repeating: $0, count: 900_000) }
        let text = "ID,A,B,C\nR-1,\(large.joined(separator: ","))\nR-2,x,\"y\nz\",\nR-3,,,w\n"
        let records = TestSupport.records(try read(text).items)
        #expect(records.map { $0["ID"] } == ["R-1", "R-2", "R-3"])
        #expect(records.first?["A"] == large[0] && records.first?["B"] == large[1] && records.first?["C"] == large[2])
        #expect(records.dropFirst().first?.fields == [SourceField("ID", "R-2"), SourceField("A", "x"), SourceField("B", "y\nz")])
        #expect(records.last?.fields == [SourceField("ID", "R-3"), SourceField("C", "w")])
        #expect(records.map(\.locator.line) == [2, 3, 5])
    }

    @Test func nulBytesRejectTheRecord() throws {
        let (items, _) = try readFixture("Fixtures/bad/nul-bytes.csv")
        let rejected = TestSupport.rejected(items)
        #expect(rejected.map(\.locator.line) == [3])
        #expect(rejected.first?.reason.contains("NUL") == true)
        #expect(TestSupport.records(items).count == 2)
    }

    @Test func emptyAndHeaderOnlyFilesHaveNoRecords() throws {
        #expect(try readFixture("Fixtures/bad/empty.csv").items.isEmpty)
        #expect(try readFixture("Fixtures/bad/header-only.csv").items.isEmpty)
    }

    @Test func tooManyFieldsRejects() throws {
        let limits = ReaderLimits(maxFieldsPerRecord: 3)
        let (items, _) = try read("A,B,C\n1,2,3\n1,2,3,4\n", limits: limits)
        #expect(TestSupport.records(items).count == 1)
        #expect(TestSupport.rejected(items).map(\.locator.line) == [3])
        #expect(TestSupport.rejected(items).map(\.raw) == ["1,2,3,4"])
        // A row far over the limit keeps only the start of its raw text, as every rejection does.
        let wide = "A,B\n" + Array(repeating: "value", count: 5_000).joined(separator: ",") + "\n"
        let rejected = TestSupport.rejected(try read(wide, limits: ReaderLimits(maxFieldsPerRecord: 1_000)).items)
        #expect(rejected.map(\.reason) == ["more than 1000 fields in one record"])
        #expect(rejected.first?.raw.utf8.count == RejectedRecord.rawLimit)
        #expect(rejected.first?.raw.hasPrefix("value,value,") == true)
    }

    @Test func cp1252FixtureReadsBannerHeaderAndMultiLineRecords() throws {
        let (items, diagnostics) = try readFixture("Fixtures/risk-register-emea-cp1252.csv")
        let records = TestSupport.records(items)
        #expect(records.count == 12)
        #expect(records.first?["Risk ID"] == "AIR-001")
        #expect(records[1]["AI system"] == "Kundenservice-Chatbot „Lena“")
        #expect(records.map(\.locator.line).prefix(4) == [4, 5, 7, 8])
        #expect(diagnostics.count == 1)
    }

    @Test func legacyFixtureUsesTheSecondHeaderRow() throws {
        let records = TestSupport.records(try readFixture("Fixtures/legacy-isms-risks-27001-2013.csv").items)
        #expect(records.count == 10)
        #expect(records.first?.fields.first == SourceField("Ref", "ISR-2019-01"))
        #expect(records.first?["Annex A control (2013)"] == "A.9.2.3, A.9.4.2")
        #expect(records.first?["Description"]?.contains("\"admin\" accounts") == true)
    }
}
