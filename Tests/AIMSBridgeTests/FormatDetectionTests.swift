import Foundation
import Testing
@testable import AIMSBridge

@Suite struct FormatDetectionTests {
    @Test(arguments: [
        ("export.csv", "a,b\n1,2\n", SourceFormat.csv),
        ("export.TSV", "a\tb\n", .csv),
        ("unload.xml", "<unload/>", .xml),
        ("items.json", "[{\"a\":1}]", .json),
        ("items.json", "{\"a\":1}\n{\"a\":2}\n", .ndjson),
        ("items.jsonl", "{\"a\":1}\n", .ndjson),
        ("-", "  <?xml version=\"1.0\"?><r/>", .xml),
        ("-", "\u{FEFF}[{\"a\":1}]", .json),
        ("-", "{\"data\": {\"items\": [\n{\"a\": 1}]}}", .json),
        ("export.txt", "Risk ID\tTitle\n", .csv),
    ])
    func detectsFormat(path: String, text: String, format: SourceFormat) {
        #expect(SourceFormat.detect(path: path, prefix: Array(text.utf8)[...]) == format)
    }

    @Test func namesBinaryDocumentsTakenForExports() throws {
        let workbook = try TestSupport.inPackageRoot {
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: "Fixtures/bad/risk-register.xlsx")))
        }
        let saveAs = "save the sheet as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) and convert that"
        // Found from the bytes, whatever the name: the workbook's entries are under xl/.
        #expect(SourceFormat.binaryDocument(path: "-", prefix: workbook[...]) == "an Excel workbook (.xlsx), not delimited text: \(saveAs)")
        #expect(SourceFormat.binaryDocument(path: "risks.zip", prefix: [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])
            == "a ZIP archive, not an export: extract it and convert the files inside")
        #expect(SourceFormat.binaryDocument(path: "risks.xls", prefix: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0])
            == "an Excel 97-2003 workbook (.xls) or another legacy Office document, not delimited text: \(saveAs)")
        #expect(SourceFormat.binaryDocument(path: "soa.csv", prefix: Array("%PDF-1.7\n".utf8)[...])?.hasPrefix("a PDF document") == true)
        #expect(SourceFormat.binaryDocument(path: "risks.csv.gz", prefix: [0x1F, 0x8B, 0x08])
            == "gzip-compressed: decompress it first (gunzip)")
        #expect(SourceFormat.binaryDocument(path: "risks.db", prefix: Array("SQLite format 3\0\u{10}\0".utf8)[...])?.hasPrefix("an SQLite database") == true)
        #expect(SourceFormat.binaryDocument(path: "risks.csv", prefix: Array("Risk ID,Title\nPK,x\n".utf8)[...]) == nil)
        // Anything else by the share of control characters: an image, but not UTF-16 text or a
        // text with a few stray NULs.
        var image: [UInt8] = [0x89] + Array("PNG\r\n".utf8) + [0x1A, 0x0A]
        for index in 0..<400 { image.append(UInt8(truncatingIfNeeded: index &* 37)) }
        #expect(SourceFormat.binaryDocument(path: "chart.csv", prefix: image[...])
            == "binary data, not a text export (45 of its first 408 bytes are control characters)")
        let utf16 = Array("Risk ID\tTitle\r\nR-1\tBias in CV screening\r\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(SourceFormat.binaryDocument(path: "-", prefix: utf16[...]) == nil)
        let nuls = try TestSupport.inPackageRoot { try [UInt8](Data(contentsOf: URL(fileURLWithPath: "Fixtures/bad/nul-bytes.csv"))) }
        #expect(SourceFormat.binaryDocument(path: "-", prefix: nuls[...]) == nil)
    }

    @Test func detectsEncodings() {
        #expect(TextEncoding.detect([0xEF, 0xBB, 0xBF, 0x41]).encoding == .utf8)
        #expect(TextEncoding.detect([0xEF, 0xBB, 0xBF, 0x41]).bomLength == 3)
        #expect(TextEncoding.detect([0xFF, 0xFE, 0x41, 0x00]).encoding == .utf16LE)
        #expect(TextEncoding.detect([0xFE, 0xFF, 0x00, 0x41]).encoding == .utf16BE)
        let withoutBOM = Array("Risk ID\tTitle\r\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let guessed = TextEncoding.detect(withoutBOM[...])
        #expect(guessed.encoding == .utf16LE && guessed.guessed && guessed.bomLength == 0)
        #expect(TextEncoding.detect(Array("plain, ascii text".utf8)[...]).encoding == .utf8)
    }

    @Test func utf16WithoutBOMIsReadWithAWarning() throws {
        let bytes = Array("ID\tName\r\nS-1\tChatbot\r\n".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        let diagnostics = DiagnosticList()
        var reader = try CSVRecordReader(source: ByteSource(name: "inv.txt", bytes: bytes), diagnostics: diagnostics)
        let records = TestSupport.records(try TestSupport.readAll(&reader))
        #expect(records.first?["Name"] == "Chatbot")
        #expect(diagnostics.diagnostics.map(\.description)
                == ["inv.txt:1:1: warning: no byte-order mark; reading as UTF-16BE from the pattern of NUL bytes"])
    }

    @Test func utf16TranscoderCarriesSplitSurrogatesAcrossChunks() {
        var transcoder = UTF16ToUTF8Transcoder(bigEndian: false)
        let bytes = Array("a🤖b".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        var output: [UInt8] = []
        for byte in bytes { output += transcoder.transcode([byte]) }
        output += transcoder.transcode([], final: true)
        #expect(String(decoding: output, as: UTF8.self) == "a🤖b")
    }

    @Test func utf8ValidationAgreesWithMakingTheString() {
        // Every lead byte with a second byte at the edges of the ranges (each followed by none,
        // one or two continuation bytes, so that 3- and 4-byte sequences are complete), at
        // several offsets (so that the 16-byte ASCII steps, the overlapping last block and the
        // halves of short texts meet them anywhere), and cut short.
        let seconds: [UInt8] = [0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0]
        let tails: [[UInt8]] = [[], [0xBF, 0xBF, 0xBF], [0x80, 0x41], [0x80, 0xC0]]
            + seconds.flatMap { second in [[second], [second, 0x80], [second, 0x80, 0xBF]] }
        var checked = 0
        for lead in UInt8(0x41)...UInt8(0xFF) {
            for tail in tails {
                for padding in [0, 3, 8, 13, 16, 21, 31] {
                    let bytes = Array(repeating: UInt8(ascii: "a"), count: padding) + [lead] + tail + [UInt8(ascii: "z")]
                    bytes.withUnsafeBufferPointer { buffer in
                        #expect(TextDecoding.isValidUTF8(buffer) == (TextDecoding.validUTF8(buffer) != nil), "\(bytes)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 191 * 28 * 7)
        for text in ["", "plain ASCII longer than a word", "李伟 Łukasz €", "emoji 🙂 at the end 🙂"] {
            Array(text.utf8).withUnsafeBufferPointer { #expect(TextDecoding.isValidUTF8($0)) }
            Array(text.utf8.dropLast()).withUnsafeBufferPointer { buffer in
                #expect(TextDecoding.isValidUTF8(buffer) == (TextDecoding.validUTF8(buffer) != nil))
            }
        }
    }

    @Test func windows1252MapsTheHighControlRange() {
        #expect(TextDecoding.windows1252([0x80, 0x93, 0x94, 0x96, 0xE9]) == "€“”–é")
    }

    @Test func headerDetectionSkipsBannersAndNamesEmptyColumns() {
        let rows = [["Risk register"], ["Exported 2025-01-01", ""], ["ID", "Title", "", "Owner"], ["R-1", "x", "y", "z"]]
        let header = CSVHeader.detect(rows)
        #expect(header?.rowIndex == 2)
        #expect(header?.names == ["ID", "Title", "column_3", "Owner"])
    }

    @Test func duplicateNamesWithoutSectionsGetNumbers() {
        #expect(CSVHeader.columnNames(header: ["Owner", "owner", "Owner"], section: nil) == ["Owner", "owner (2)", "Owner (3)"])
    }
}
