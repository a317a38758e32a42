import Testing
@testable import AIMSBridge

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The items a reader yields, and the error it ended with (if any).
private struct ReadResult {
    var items: [IngestItem] = []
    var error: IngestError?
    /// The reader's warnings, as `line:column: message`.
    var warnings: [String] = []

    var records: [SourceRecord] {
        items.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }

    var rejected: [RejectedRecord] {
        items.compactMap { if case .rejected(let rejected) = $0 { rejected } else { nil } }
    }
}

/// Reads every item; `chunkSize` nil reads from memory in one chunk, otherwise from a file.
private func read(_ text: String, bytes: [UInt8]? = nil, recordPath: String? = nil, limits: ReaderLimits = .standard,
                  lines: Bool = false, chunkSize: Int? = nil) throws -> ReadResult {
    let input = bytes ?? Array(text.utf8)
    // Locators name the file; a temporary file's name is replaced by "in.json" for comparisons.
    func named(_ locator: Locator) -> Locator {
        var locator = locator
        locator.file = "in.json"
        return locator
    }
    func drain(_ source: ByteSource) throws -> ReadResult {
        var result = ReadResult()
        let diagnostics = DiagnosticList()
        var reader = try JSONRecordReader(source: source, recordPath: recordPath, limits: limits, lines: lines,
                                          diagnostics: diagnostics)
        do {
            while let item = try reader.next() {
                switch item {
                case .record(var record):
                    record.locator = named(record.locator)
                    if let parent = record.parent { record.parent?.locator = named(parent.locator) }
                    result.items.append(.record(record))
                case .rejected(var rejected):
                    rejected.locator = named(rejected.locator)
                    result.items.append(.rejected(rejected))
                }
            }
        } catch {
            result.error = IngestError(error.message, at: named(error.locator))
        }
        result.warnings = diagnostics.diagnostics.map { "\($0.locator?.line ?? 0):\($0.locator?.column ?? 0): \($0.message)" }
        return result
    }
    guard let chunkSize else { return try drain(ByteSource(name: "in.json", bytes: input)) }
    return try TestSupport.withTemporaryFile(input) { path in try drain(ByteSource(path: path, chunkSize: chunkSize)) }
}

/// The fields of a record as `path=value` strings (lists joined with `|`).
private func flat(_ record: SourceRecord) -> [String] {
    record.fields.map { field in
        switch field.value {
        case .text(let value): return "\(field.path)=\(value)"
        case .list(let values): return "\(field.path)=[\(values.joined(separator: "|"))]"
        }
    }
}

@Suite("JSONRecordReader")
struct JSONRecordReaderTests {
    @Test func aRecordWithMoreNestedRecordsThanTheLimitIsRejectedWhole() throws {
        // A record and its nested records are held until it ends: past the limit (here 10) it
        // is rejected with them, as over the record size, and the next record is read.
        let nested = (1...11).map { "{\"id\":\"R-\($0)\"}" }.joined(separator: ",")
        let text = "[{\"id\":\"S-1\",\"risks\":[\(nested)]},{\"id\":\"S-2\",\"risks\":[{\"id\":\"R-1\"}]}]"
        var limits = ReaderLimits()
        limits.maxNestedRecords = 10
        let result = try read(text, limits: limits)
        #expect(result.error == nil)
        #expect(result.rejected.map(\.reason) == ["more than 10 records nested in one record"])
        #expect(result.rejected.first?.locator.path == "/0")
        #expect(result.records.map { $0["id"] } == ["S-2", "R-1"])
        limits.maxNestedRecords = 11
        #expect(try read(text, limits: limits).records.count == 14)
    }

    @Test func anNDJSONFileWhoseFirstLineIsTooLongToTellIsReadAsLines() throws {
        // The first object is still open after the look-ahead window (64 KiB here): in a file
        // named as NDJSON it is a line over the record limit, rejected, and the lines after it
        // are read; otherwise it is taken for a wrapper of records.
        let text = "{\"id\":\"R-1\",\"title\":\"" + String(repeating: "x", count: 70_000) + "\"}\n{\"id\":\"R-2\"}\n"
        let limits = ReaderLimits(maxRecordBytes: 1_024)
        for chunkSize in [nil, 4_096] {
            let lines = try read(text, limits: limits, lines: true, chunkSize: chunkSize)
            #expect(lines.error == nil)
            #expect(lines.rejected.map(\.reason) == ["record is larger than 1024 bytes"])
            #expect(lines.rejected.map(\.locator.line) == [1])
            #expect(lines.records.map { $0["id"] } == ["R-2"])
        }
        let wrapper = try read(text, limits: limits)
        #expect(wrapper.error?.message == "no member of the top-level object is an array of objects; give a record path")
    }

    @Test func topLevelArray() throws {
        let result = try read("""
        [
          {"id": "S-1", "name": "Chatbot"},
          {"id": "S-2", "name": "Scoring", "active": true}
        ]
        """)
        #expect(result.error == nil)
        #expect(result.records.count == 2)
        #expect(flat(result.records[0]) == ["id=S-1", "name=Chatbot"])
        #expect(flat(result.records[1]) == ["id=S-2", "name=Scoring", "active=true"])
        #expect(result.records[1].locator == Locator(file: "in.json", line: 3, column: 3, path: "/1"))
        #expect(result.records.map(\.ordinal) == [0, 1])
    }

    @Test func emptyInputsGiveNoRecords() throws {
        #expect(try read("").items.isEmpty)
        #expect(try read("  \n\t ").items.isEmpty)
        let empty = try read("[]")
        #expect(empty.items.isEmpty && empty.error == nil)
    }

    @Test func ndjsonWithBadMiddleLine() throws {
        let result = try read("""
        {"id": 1, "name": "a"}
        {"id": 2, "name": "b",, "x": 1}
        {"id": 3, "name": "c"}

        """)
        #expect(result.error == nil)
        #expect(result.items.count == 3)
        #expect(result.records.map { $0["id"] } == ["1", "3"])
        #expect(result.records[1].locator == Locator(file: "in.json", line: 3, column: 1, path: "/2"))
        #expect(result.records.map(\.ordinal) == [0, 2])
        let bad = try #require(result.rejected.first)
        #expect(bad.locator == Locator(file: "in.json", line: 2, column: 23, path: "/1"))
        #expect(bad.reason == "expected a string key")
        #expect(bad.raw == #"{"id": 2, "name": "b",,"#)
    }

    @Test func ndjsonTruncatedLastLineIsRejected() throws {
        let result = try read("{\"a\": 1}\n{\"a\": 2")
        #expect(result.error == nil)
        #expect(result.records.map { $0["a"] } == ["1"])
        #expect(result.rejected.first?.reason == "unexpected end of file inside object started at line 2")
        #expect(result.rejected.first?.locator.column == 8)
    }

    @Test func recordPathWithEscapes() throws {
        let result = try read("""
        {"meta": {"count": 2, "items": [{"x": 0}]},
         "data": {"a/b": [{"id": "R1"}, {"id": "R2"}], "other": [1, 2]},
         "after": [{"ignored": true}]}
        """, recordPath: "/data/a~1b")
        #expect(result.error == nil)
        #expect(result.records.map { $0["id"] } == ["R1", "R2"])
        #expect(result.records.map(\.locator.path) == ["/data/a~1b/0", "/data/a~1b/1"])
        #expect(result.records[0].locator.line == 2)
        #expect(result.records[0].locator.column == 19)
    }

    @Test func recordPathThroughArrayIndex() throws {
        let text = #"[{"items": [{"n": "skip"}]}, {"items": [{"n": "x"}, {"n": "y"}], "z": [1]}]"#
        let result = try read(text, recordPath: "/1/items")
        #expect(result.error == nil)
        #expect(result.records.map(flat) == [["n=x"], ["n=y"]])
        #expect(result.records.map(\.locator.path) == ["/1/items/0", "/1/items/1"])
        #expect(try read(text, recordPath: "/2/items").error?.message
                == "record path '/2/items' not found: the array at '' has no element '2'")
        #expect(try read(text + "]", recordPath: "/1/items").error?.message
                == "unexpected content after the end of the JSON document")
    }

    @Test func recordPathMissingIsFatal() throws {
        let result = try read(#"{"data": {"items": []}}"#, recordPath: "/data/rows")
        #expect(result.items.isEmpty)
        let error = try #require(result.error)
        #expect(error.message == "record path '/data/rows' not found: the object at '/data' has no member 'rows'")
        #expect(error.locator.line == 1 && error.locator.column == 22)
    }

    @Test func recordPathNamingAScalarIsFatal() throws {
        let result = try read(#"{"data": 3}"#, recordPath: "/data")
        #expect(result.error?.message == "record path '/data' names a number, not an array")
    }

    @Test func invalidPointerIsRejectedAtInit() throws {
        #expect(throws: IngestError.self) {
            _ = try JSONRecordReader(source: ByteSource(name: "x", bytes: []), recordPath: "data")
        }
        #expect(JSONRecordReader.parsePointer("/a~0b/c~1d/") == ["a~b", "c/d", ""])
        #expect(JSONRecordReader.parsePointer("/a~2") == nil)
    }

    @Test func autoDetectsFirstArrayOfObjectsMember() throws {
        let result = try read("""
        {
          "version": "2.1",
          "tags": ["x", "y"],
          "empty": [],
          "systems": [
            {"name": "A"},
            {"name": "B"}
          ],
          "risks": [{"title": "not read"}],
          "exportedAt": "2025-01-01"
        }
        """)
        #expect(result.error == nil)
        #expect(result.records.map { $0["name"] } == ["A", "B"])
        #expect(result.records.map(\.locator.path) == ["/systems/0", "/systems/1"])
        #expect(result.records[1].locator.line == 7)
        // The second array of objects is not read, and the warning says how to read it.
        #expect(result.warnings == ["9:12: '/risks' is an array of objects too and is not read (the records are those of '/systems'); convert it with --record-path /risks"])
        let chosen = try read(#"{"systems": [{"name": "A"}], "risks": [{"title": "r"}]}"#, recordPath: "/systems")
        #expect(chosen.records.count == 1 && chosen.warnings.isEmpty)
        let scalars = try read(#"{"systems": [{"name": "A"}], "tags": ["x"], "meta": {"risks": [{"t": 1}]}}"#)
        #expect(scalars.records.count == 1 && scalars.warnings.isEmpty)
    }

    /// An aims register given to `convert` is refused where its schema is named, pointing to
    /// the commands that read registers; a record path given by the user is still followed, and
    /// another schema is no register.
    @Test func anAIMSRegisterIsRefusedWithTheCommandsThatReadIt() throws {
        let register = """
        {
          "schema": "aims-register/1",
          "sources": [{"path": "risks.csv", "format": "csv"}],
          "risks": [{"kind": "risk", "id": "R-1"}]
        }
        """
        let refused = try read(register)
        #expect(refused.items.isEmpty)
        let error = try #require(refused.error)
        #expect(error.message == "this is an AIMS register ('aims-register/1'), not an export to convert; 'aims merge FILE -o OUT' rewrites it (with --format ndjson as NDJSON), 'aims report FILE' reports on it")
        #expect(error.locator.line == 2 && error.locator.column == 13)
        let chosen = try read(register, recordPath: "/risks")
        #expect(chosen.error == nil && chosen.records.map { $0["id"] } == ["R-1"])
        let other = try read(#"{"schema": "vendor-export/2", "risks": [{"id": "R-1"}]}"#)
        #expect(other.error == nil && other.records.count == 1)
    }

    @Test func loneObjectIsOneRecordAndEmptyWrapperIsNone() throws {
        let single = try read(#"{"name": "only", "tags": []}"#)
        #expect(single.records.map(flat) == [["name=only"]])
        #expect(single.records.first?.locator.path == "/0")
        let empty = try read(#"{"systems": [], "meta": {}}"#)
        #expect(empty.items.isEmpty && empty.error == nil)
        let forced = try read(#"{"name": "s", "risks": [{"t": "r"}]}"#, recordPath: "")
        #expect(forced.records.map(flat) == [["name=s"], ["t=r"]])
    }

    @Test func wrapperWithoutRecordArrayTooLargeToBeARecordIsFatal() throws {
        var limits = ReaderLimits.standard
        limits.maxRecordBytes = 10
        let text = #"{"a": "\#(String(repeating: "x", count: 70_000))"}"#
        for chunkSize in [nil, 4096] {
            let result = try read(text, limits: limits, chunkSize: chunkSize)
            #expect(result.items.isEmpty)
            #expect(result.error?.message == "no member of the top-level object is an array of objects; give a record path")
            #expect(result.error?.locator.column == 70_009)
        }
    }

    @Test func nestedObjectsFlattenToDottedPaths() throws {
        let result = try read("""
        [{"name": "M", "owner": {"name": "Ana", "unit": {"code": "BU1"}},
          "model.card": {"task": "ranking"}, "empty": {}, "n": null, "s": "", "k": "v", "k": "w"}]
        """)
        #expect(flat(try #require(result.records.first)) == [
            "name=M", "owner.name=Ana", "owner.unit.code=BU1", "model.card.task=ranking", "k=v", "k=w",
        ])
    }

    @Test func arraysOfScalarsBecomeLists() throws {
        let result = try read("""
        [{"tags": ["a", "b"], "one": ["x"], "empty": [], "mixed": [1, null, "", true, 2.5],
          "matrix": [[1, 2], [], [3, [4]]]}]
        """)
        #expect(flat(try #require(result.records.first)) == [
            "tags=[a|b]", "one=[x]", "mixed=[1|true|2.5]", "matrix=[1|2|3|4]",
        ])
        #expect(result.records.first?.fields[1].value == .list(["x"]))
    }

    @Test func numbersKeepTheirSourceText() throws {
        let result = try read(#"[{"a": 1.50, "b": -0, "c": 1e-7, "d": 12345678901234567890123, "e": false}]"#)
        #expect(flat(try #require(result.records.first)) == [
            "a=1.50", "b=-0", "c=1e-7", "d=12345678901234567890123", "e=false",
        ])
    }

    @Test func invalidNumberRejectsTheRecord() throws {
        let result = try read(#"[{"a": 01}, {"a": 2}]"#)
        #expect(result.rejected.first?.reason == "invalid number '01' in the value of 'a'")
        #expect(result.records.map { $0["a"] } == ["2"])
        #expect(result.records.first?.ordinal == 1)
    }

    @Test func escapesAndSurrogatePairs() throws {
        let result = try read(#"""
        [{"q": "say \"hi\"\\ \/ \b\f\n\r\t", "e": "caf\u00e9 \u20AC", "pair": "\uD83D\uDE00!",
          "lone": "a\uD800b\uDC00c", "k\u0065y": "v", "raw": "naïve 🙂"}]
        """#)
        let record = try #require(result.records.first)
        #expect(record["q"] == "say \"hi\"\\ / \u{8}\u{C}\n\r\t")
        #expect(record["e"] == "café €")
        #expect(record["pair"] == "😀!")
        #expect(record["lone"] == "a\u{FFFD}b\u{FFFD}c")
        #expect(record["key"] == "v")
        #expect(record["raw"] == "naïve 🙂")
        #expect(result.warnings == ["2:11: an escaped UTF-16 surrogate without its pair in the value of 'lone' is no character; kept as U+FFFD"])
    }

    @Test func aKeyWithALoneSurrogateIsKeptAndWarnedAbout() throws {
        let result = try read(#"[{"id": "R-1", "t\uDE00": "x"}]"#)
        #expect(result.records.first.map(flat) == ["id=R-1", "t\u{FFFD}=x"])
        #expect(result.warnings == ["1:16: an escaped UTF-16 surrogate without its pair in a key is no character; kept as U+FFFD"])
    }

    @Test func badStringsRejectTheRecord() throws {
        var bytes = Array(#"[{"a": "ok"}, {"a": "bad "#.utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(#""}, {"a": "\x"}, {"a": "tab\#there"}, {"a": "fine"}]"#.utf8)
        let result = try read("", bytes: bytes)
        #expect(result.error == nil)
        #expect(result.records.map { $0["a"] } == ["ok", "fine"])
        #expect(result.rejected.map(\.reason) == [
            "invalid UTF-8 in the value of 'a'",
            "invalid escape sequence '\\x' in the value of 'a'",
            "raw control character U+0009 in the value of 'a'",
        ])
        #expect(result.rejected[0].locator.column == 21)
        #expect(result.rejected[0].locator.path == "/1")
    }

    @Test func stringsAreReadWithEscapesAndControlsAtEveryOffset() throws {
        // Strings are skipped 16 bytes at a time up to the first quote, backslash or control (the
        // last block overlapping, a shorter run read as its first and last 8 or 4 bytes), and tested for bytes beyond
        // ASCII: put an escape (and characters beyond ASCII) at each offset of values of every
        // length up to 40, read from memory and in chunks of 7 bytes.
        let escapes = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), (#"\u00e9"#, "é"), ("é", "é"), ("李", "李")]
        for (escape, decoded) in escapes {
            for (length, position) in (1...40).flatMap({ length in (0..<length).map { (length, $0) } }) {
                let before = String(repeating: "x", count: position)
                let after = String(repeating: "y", count: length - position - 1)
                let text = #"[{"a": ""# + before + escape + after + #"", "b": "z"# + after + #""}]"#
                for chunkSize in [nil, 7] {
                    let record = try read(text, chunkSize: chunkSize).records.first
                    #expect(record?["a"] == before + decoded + after, "\(escape) at \(position) of \(length)")
                    #expect(record?["b"] == "z" + after)
                }
            }
        }
        for position in 0..<20 {
            let result = try read(#"[{"a": ""# + String(repeating: "x", count: position) + "\t" + #""}, {"a": "ok"}]"#)
            #expect(result.rejected.map(\.reason) == ["raw control character U+0009 in the value of 'a'"], "at \(position)")
            #expect(result.records.map { $0["a"] } == ["ok"])
            // A byte that is no UTF-8 is found wherever it is (the scan notes ASCII strings, which
            // are not checked again).
            let invalid = Array(#"[{"a": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: position) + [0xFF]
                + Array(#"yz"}, {"a": "ok"}]"#.utf8)
            let refused = try read("", bytes: invalid)
            #expect(refused.rejected.map(\.reason) == ["invalid UTF-8 in the value of 'a'"], "at \(position)")
            #expect(refused.records.map { $0["a"] } == ["ok"])
        }
    }

    @Test func childRecordsFollowTheirParent() throws {
        let result = try read("""
        {"systems": [
          {"name": "A",
           "risks": [
             {"title": "R1", "controls": [{"id": "C1"}, {"id": "C2"}]},
             {"title": "R2"}
           ],
           "owner": {"team": "T", "history": [{"who": "x"}, "note"]}},
          {"name": "B", "risks": []}
        ]}
        """)
        #expect(result.error == nil)
        let records = result.records
        #expect(records.map { $0["name"] ?? $0["title"] ?? $0["id"] ?? $0["who"] ?? "?" }
                == ["A", "R1", "C1", "C2", "R2", "x", "B"])
        #expect(records.map(\.ordinal) == Array(0..<7))
        #expect(flat(records[0]) == ["name=A", "owner.team=T", "owner.history=[note]"])
        #expect(records.map(\.locator.path) == [
            "/systems/0", "/systems/0/risks/0", "/systems/0/risks/0/controls/0",
            "/systems/0/risks/0/controls/1", "/systems/0/risks/1", "/systems/0/owner/history/0", "/systems/1",
        ])
        #expect(records.map(\.locator.line) == [2, 4, 4, 4, 5, 7, 8])
        #expect(records[1].locator.column == 6)
        #expect(records[0].parent == nil)
        #expect(records[1].parent == ParentLink(field: "risks", locator: records[0].locator, parentOrdinal: 0))
        #expect(records[3].parent == ParentLink(field: "controls", locator: records[1].locator, parentOrdinal: 1))
        #expect(records[5].parent?.field == "owner.history")
        #expect(records[5].parent?.parentOrdinal == 0)
        #expect(records[6].parent == nil)
        #expect(flat(records[1]) == ["title=R1"])
    }

    @Test func objectsInNestedArraysAreChildren() throws {
        let result = try read(#"[{"m": [[{"a": 1}, 2]]}]"#)
        #expect(result.records.map(flat) == [["m=[2]"], ["a=1"]])
        #expect(result.records[1].locator.path == "/0/m/0/0")
        #expect(result.records[1].parent?.field == "m")
    }

    @Test func deepNestingIsFatalWithoutRecursion() throws {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let result = try read(text)
        #expect(result.items.isEmpty)
        let error = try #require(result.error)
        #expect(error.message == "nesting deeper than 256 levels")
        #expect(error.locator.line == 1)
        #expect(error.locator.column == 257)
        let objects = try read("[" + String(repeating: #"{"a":"#, count: depth))
        #expect(objects.error?.message == "nesting deeper than 256 levels")
        #expect(objects.error?.locator.column == 2 + 255 * 5)
    }

    @Test func truncatedArrayIsFatal() throws {
        let result = try read("""
        [
          {"a": 1},
          {"a": 2, "b": [1,
        """)
        #expect(result.records.map { $0["a"] } == ["1"])
        let error = try #require(result.error)
        #expect(error.message == "unexpected end of file inside array started at line 1")
        #expect(error.locator.line == 3)
        #expect(error.locator.column == 20)
        let wrapper = try read(#"{"x": [{"a": 1}], "b": "#, recordPath: "/x")
        #expect(wrapper.error?.message == "unexpected end of file inside object started at line 1")
        let string = try read(#"[{"a": "abc"#)
        #expect(string.error?.message == "unexpected end of file inside array started at line 1")
        #expect(string.error?.locator.column == 12)
    }

    @Test func syntaxErrorInArrayRejectsThenStops() throws {
        let result = try read("""
        [{"a": 1},
         {"a": 2 "b": 3},
         {"a": 4}]
        """)
        #expect(result.records.map { $0["a"] } == ["1"])
        let bad = try #require(result.rejected.first)
        #expect(bad.reason == "expected ',' or '}' after object member")
        #expect(bad.locator == Locator(file: "in.json", line: 2, column: 10, path: "/1"))
        #expect(bad.raw == #"{"a": 2 "b""#)
        #expect(result.error?.locator.line == 2)
    }

    @Test func scalarTopLevelIsFatal() throws {
        let result = try read("  42")
        #expect(result.error?.message == "expected a JSON array or object")
        #expect(result.error?.locator.column == 3)
        #expect(try read("[1] x").error?.message == "unexpected content after the end of the JSON document")
    }

    @Test func nonObjectElementsAreRejected() throws {
        let result = try read(#"[{"a": 1}, "text", [2], {"a": 3}]"#)
        #expect(result.records.map { $0["a"] } == ["1", "3"])
        #expect(result.rejected.map(\.reason) == [
            "expected a JSON object as record, found a string", "expected a JSON object as record, found an array",
        ])
        #expect(result.rejected.map(\.raw) == [#""text""#, "[2]"])
        #expect(result.records.last?.locator.path == "/3")
        #expect(result.records.map(\.ordinal) == [0, 3])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let result = try read("", bytes: [0xEF, 0xBB, 0xBF] + Array(#"[{"a": "b"}]"#.utf8))
        #expect(result.records.map(flat) == [["a=b"]])
        #expect(result.records.first?.locator.column == 2)
    }

    @Test func limitsRejectRecords() throws {
        var limits = ReaderLimits.standard
        limits.maxFieldBytes = 8
        limits.maxFieldsPerRecord = 3
        limits.maxRecordBytes = 60
        let result = try read("""
        [{"a": "12345678"}, {"a": "123456789"}, {"a": 1, "b": 2, "c": 3, "d": 4},
         {"a": "1234", "b": "1234", "c": "1234", "d": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, {"z": 1}]
        """, limits: limits)
        #expect(result.error == nil)
        #expect(result.records.map(flat) == [["a=12345678"], ["z=1"]])
        #expect(result.records.map(\.ordinal) == [0, 4])
        #expect(result.rejected.map(\.reason) == [
            "the value of 'a' is larger than 8 bytes",
            "record has more than 3 fields",
            "record is larger than 60 bytes",
        ])
    }

    @Test func manyEmptyChildrenHitTheRecordLimit() throws {
        var limits = ReaderLimits.standard
        limits.maxRecordBytes = 1_000
        let children = Array(repeating: "{}", count: 1_000).joined(separator: ",")
        let result = try read(#"[{"a": [\#(children)]}, {"b": 1}]"#, limits: limits)
        #expect(result.rejected.map(\.reason) == ["record is larger than 1000 bytes"])
        #expect(result.records.map(flat) == [["b=1"]])
        #expect(result.records.first?.ordinal == 1)
    }

    @Test func oversizedStringAcrossChunksIsSkipped() throws {
        var limits = ReaderLimits.standard
        limits.maxFieldBytes = 100
        let big = String(repeating: "x\\\"", count: 3_000)
        let result = try read(#"[{"a": "\#(big)"}, {"a": "small"}]"#, limits: limits, chunkSize: 7)
        #expect(result.records.map { $0["a"] } == ["small"])
        #expect(result.rejected.first?.reason == "the value of 'a' is larger than 100 bytes")
        #expect(result.rejected.first?.raw.utf8.count == 4096)
    }

    @Test func chunkBoundariesDoNotMatter() throws {
        let text = """
        \u{FEFF}{"meta": {"v": 1},
         "systems": [
          {"name": "caf\\u00e9 \\uD83D\\uDE00 ünï", "n": 1.50e+3, "ok": true, "no": false, "nil": null,
           "tags": ["a", "b\\"c"], "deep": {"er": {"est": "x"}},
           "risks": [{"title": "R1"}, {"title": "R2", "controls": [{"id": "C"}]}]},
          {"name": "B", "bad": "\\q"},
          {"name": "C"}
         ]}
        """
        let reference = try read(text)
        #expect(reference.records.count == 5)
        #expect(reference.rejected.count == 1)
        for chunkSize in [1, 2, 3, 7, 64] {
            let chunked = try read(text, chunkSize: chunkSize)
            #expect(chunked.error == reference.error)
            #expect(chunked.records == reference.records, "chunk size \(chunkSize)")
            #expect(chunked.rejected == reference.rejected, "chunk size \(chunkSize)")
        }
        #expect(reference.records[0]["name"] == "café 😀 ünï")
        #expect(reference.records[0]["n"] == "1.50e+3")
        #expect(flat(reference.records[0]).contains("tags=[a|b\"c]"))
        #expect(flat(reference.records[0]).contains("deep.er.est=x"))
        #expect(reference.records[4].locator == Locator(file: "in.json", line: 7, column: 3, path: "/systems/2"))
    }

    @Test func ndjsonChunkBoundaries() throws {
        var lines = ""
        for index in 0..<50 { lines += #"{"i": \#(index), "s": "line \#(index)"}"# + "\n" }
        lines += "{\"broken\": }\n{\"i\": 50}\n"
        let reference = try read(lines)
        #expect(reference.records.count == 51)
        #expect(reference.rejected.first?.locator.line == 51)
        for chunkSize in [1, 5, 13] {
            let chunked = try read(lines, chunkSize: chunkSize)
            #expect(chunked.records == reference.records)
            #expect(chunked.rejected == reference.rejected)
        }
        #expect(reference.records.last?.locator.path == "/51")
    }
}
