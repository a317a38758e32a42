import Foundation
import Testing
@testable import AIMSBridge

@Suite struct XMLRecordReaderTests {
    private func read(_ text: String, recordPath: String? = nil, limits: ReaderLimits = .standard)
        throws -> (items: [IngestItem], diagnostics: [Diagnostic]) {
        let diagnostics = DiagnosticList()
        var reader = try XMLRecordReader(source: ByteSource(name: "t.xml", bytes: Array(text.utf8)),
                                         recordPath: recordPath, limits: limits, diagnostics: diagnostics)
        return (try TestSupport.readAll(&reader), diagnostics.diagnostics)
    }

    private func readFixture(_ path: String) throws -> (items: [IngestItem], diagnostics: [Diagnostic]) {
        let diagnostics = DiagnosticList()
        let source = try TestSupport.inPackageRoot { try ByteSource(path: path, chunkSize: 113) }
        var reader = try XMLRecordReader(source: source, diagnostics: diagnostics)
        return (try TestSupport.readAll(&reader), diagnostics.diagnostics)
    }

    @Test func flattensAttributesChildrenAndNestedElements() throws {
        let xml = """
        <?xml version="1.0"?>
        <unload>
          <risk action="INSERT">
            <number>R-1</number>
            <owned_by display_value="Priya N">6816f79c</owned_by>
            <due_date/>
            <notes></notes>
            <model><name>Fraud engine</name><version>3</version></model>
            <description><![CDATA[a < b & c]]></description>
          </risk>
          <risk action="UPDATE"><number>R-2</number></risk>
        </unload>
        """
        let (items, diagnostics) = try read(xml)
        let records = TestSupport.records(items)
        #expect(records.count == 2)
        #expect(records[0].fields == [
            SourceField("@action", "INSERT"), SourceField("number", "R-1"),
            SourceField("owned_by@display_value", "Priya N"), SourceField("owned_by", "6816f79c"),
            SourceField("model.name", "Fraud engine"), SourceField("model.version", "3"),
            SourceField("description", "a < b & c"),
        ])
        #expect(records[0].locator == Locator(file: "t.xml", line: 3, column: 1, path: "/unload/risk[1]"))
        #expect(records[1].locator.path == "/unload/risk[2]")
        #expect(records[1].locator.line == 11)
        #expect(diagnostics.isEmpty)
    }

    @Test func aRecordOfHundredsOfFieldsNumbersEachPathOnce() throws {
        // Past 32 children of one element, its children's paths are found by hashing.
        let width = XMLFieldPaths.searchedChildren * 3
        func row(_ id: Int, reversed: Bool) -> String {
            let indices = reversed ? Array((0..<width).reversed()) : Array(0..<width)
            return "<risk><id>R-\(id)</id>" + indices.map { "<f\($0) a=\"\($0)\">v\(id)-\($0)</f\($0)>" }.joined() + "</risk>"
        }
        let records = TestSupport.records(try read("<risks>" + row(1, reversed: false) + row(2, reversed: true) + row(3, reversed: false) + "</risks>").items)
        #expect(records.count == 3)
        for (index, record) in records.enumerated() {
            #expect(record["f\(width - 1)"] == "v\(index + 1)-\(width - 1)")
            #expect(record.fields.count == 1 + 2 * width)
        }
        func numbers(_ record: SourceRecord) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: record.fields.map { ($0.path, $0.column) })
        }
        #expect(numbers(records[0]) == numbers(records[1]) && numbers(records[1]) == numbers(records[2]))
        #expect(Set(numbers(records[0]).values).count == 1 + 2 * width)
    }

    @Test func fieldsOfTheSamePathShareANumberAcrossRecords() throws {
        let xml = """
        <unload>
          <risk action="INSERT"><number>R-1</number><owned_by display_value="Priya">6816</owned_by></risk>
          <risk><owned_by display_value="Sam">77aa</owned_by><number>R-2</number></risk>
          <risk action="UPDATE"><model><number>3</number></model></risk>
        </unload>
        """
        let records = TestSupport.records(try read(xml).items)
        func numbers(_ record: SourceRecord) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: record.fields.map { ($0.path, $0.column) })
        }
        let (first, second, third) = (numbers(records[0]), numbers(records[1]), numbers(records[2]))
        // The same path in another order, or another record, has the same number …
        #expect(first == second.merging(["@action": first["@action"]!]) { $1 })
        #expect(third["@action"] == first["@action"])
        // … and every path its own: `model.number` is not `number`.
        let all = first.merging(third) { old, _ in old }
        #expect(Set(all.values).count == all.count)
        #expect(all.values.allSatisfy { $0 >= 0 })
    }

    @Test func findsTheRepeatedElementBelowAMetadataBlock() throws {
        let xml = "<Records><Metadata><FieldDefinitions><FieldDefinition id=\"1\" name=\"Risk\"/></FieldDefinitions></Metadata>"
            + "<Record><Field id=\"1\">A</Field></Record><Record><Field id=\"1\">B</Field></Record></Records>"
        let records = TestSupport.records(try read(xml).items)
        #expect(records.map { $0["Field"] } == ["A", "B"])
        #expect(records.first?["Field@id"] == "1")
    }

    @Test func recordPathIsHonoured() throws {
        let xml = "<export><meta><item>x</item><item>y</item></meta><data><row><id>1</id></row><row><id>2</id></row></data></export>"
        let records = TestSupport.records(try read(xml, recordPath: "/export/data/row").items)
        #expect(records.map { $0["id"] } == ["1", "2"])
        let byName = TestSupport.records(try read(xml, recordPath: "row").items)
        #expect(byName.count == 2)
    }

    @Test func aGuessedRecordPathSaysWhichRepeatedElementsWereNotRead() throws {
        let xml = """
        <export>
          <meta><item>x</item><item>y</item></meta>
          <data>
            <row><id>1</id></row>
            <row><id>2</id></row>
            <row><id>3</id></row>
          </data>
        </export>
        """
        let (items, diagnostics) = try read(xml)
        #expect(TestSupport.records(items).count == 2)
        #expect(diagnostics.map(\.description) == [
            "t.xml:4:1: warning: 3 <row> elements at /export/data/row were not read: records were taken from /export/meta/item, the first repeated element found; to read these instead, use --record-path /export/data/row",
        ])
        // A record path the user (or a profile) gave is taken as meant.
        #expect(try read(xml, recordPath: "/export/meta/item").diagnostics.isEmpty)
    }

    @Test func repeatedElementsHoldingRecordsAreNotReportedUnread() {
        // <a><b><r/><r/></b><b/><b/><b><r/></b><c/><c/><c/><d/><d/></a>, records at r: the four
        // bs hold records (not all of them), the three cs are the largest run that holds none.
        var skipped = XMLSkippedElements()
        var path = ["a"]
        skipped.start(path: path, line: 1)
        for (line, records) in [(2, 2), (3, 0), (3, 0), (3, 1)] {
            path.append("b")
            skipped.start(path: path, line: line)
            for _ in 0..<records { skipped.record(path: path + ["r"]) }
            skipped.end(path: path)
            path.removeLast()
        }
        for (line, name) in [(4, "c"), (5, "c"), (6, "c"), (7, "d"), (8, "d")] {
            path.append(name)
            skipped.start(path: path, line: line)
            skipped.end(path: path)
            path.removeLast()
        }
        skipped.end(path: path)
        #expect(skipped.largest == XMLSkippedElements.Group(path: ["a", "c"], count: 3, line: 4))
    }

    @Test func anOSCALPlanReadWithoutItsProfileNamesTheRisksLeftUnread() throws {
        let diagnostics = DiagnosticList()
        let source = try TestSupport.inPackageRoot { try ByteSource(path: "Fixtures/profiles/oscal-poam.xml") }
        var reader = try XMLRecordReader(source: source, diagnostics: diagnostics)
        let records = TestSupport.records(try TestSupport.readAll(&reader))
        #expect(records.count == 4)
        #expect(reader.recordPath == ["plan-of-action-and-milestones", "observation"])
        #expect(diagnostics.diagnostics.map(\.description) == [
            "Fixtures/profiles/oscal-poam.xml:71:1: warning: 4 <risk> elements at /plan-of-action-and-milestones/risk were not read: records were taken from /plan-of-action-and-milestones/observation, the first repeated element found; to read these instead, use --record-path /plan-of-action-and-milestones/risk",
        ])
    }

    @Test func serviceNowFixture() throws {
        let (items, diagnostics) = try readFixture("Fixtures/servicenow-risks.xml")
        let records = TestSupport.records(items)
        #expect(records.count == 8)
        #expect(records[0]["number"] == "RSK0001234")
        #expect(records[0]["owned_by@display_value"] == "Priya Natarajan")
        #expect(records[0]["owned_by"] == "6816f79cc0a8016401c5a33be04be441")
        #expect(records[0]["u_notes"] == nil, "empty elements are absent")
        #expect(records.map(\.locator.line).prefix(2) == [3, 24])
        #expect(diagnostics.isEmpty)
    }

    @Test func externalEntityIsNeverResolved() throws {
        let (items, diagnostics) = try readFixture("Fixtures/bad/external-entity.xml")
        let record = try #require(TestSupport.records(items).first)
        #expect(record["description"] == "Leak: &xxe;")
        #expect(!record.fields.contains { $0.value.strings.joined().contains("AIMS-SECRET-MARKER") })
        #expect(diagnostics.map(\.message) == ["entity reference '&xxe;' left unexpanded (entities are never expanded)"])
    }

    @Test(arguments: ["Fixtures/bad/entity-bomb.xml", "Fixtures/bad/entity-loop.xml"])
    func entityExpansionIsRefused(path: String) throws {
        #expect(throws: IngestError.self) { try readFixture(path) }
        do {
            _ = try readFixture(path)
        } catch let error as IngestError {
            #expect(error.message == "Detected an entity reference loop")
            #expect(error.locator.file == path)
        }
    }

    @Test func nestingDeeperThanTheLimitIsAnErrorAtItsLine() throws {
        // Outside records the document stops with an error; inside a record, the record is rejected.
        let deep = "<a>\n" + String(repeating: "<b>", count: 12) + String(repeating: "</b>", count: 12) + "\n</a>"
        do {
            _ = try read(deep, recordPath: "/a/b/b/b/b/b/b/b/b/b/b/b/b", limits: ReaderLimits(maxDepth: 8))
            Issue.record("a document nested 13 levels deep was read under a limit of 8")
        } catch let error as IngestError {
            #expect(error.message == "elements nested deeper than 8 levels")
            #expect(error.locator.line == 2)
        }
        let risks = "<risks>\n<risk><id>R1</id></risk>\n<risk><id>R2</id>" + String(repeating: "<x>", count: 12) + "deep"
            + String(repeating: "</x>", count: 12) + "</risk>\n</risks>"
        let (items, _) = try read(risks, limits: ReaderLimits(maxDepth: 8))
        #expect(TestSupport.records(items).map { $0["id"] } == ["R1"])
        let rejected = items.compactMap { item -> RejectedRecord? in
            if case .rejected(let record) = item { return record } else { return nil }
        }
        #expect(rejected.map(\.reason) == ["elements nested deeper than 8 levels"])
        #expect(rejected.first?.locator.line == 3)
        // Without a lower limit, libxml2's own bound (256 levels) stops a deeper document with its position.
        let deeper = "<a>" + String(repeating: "<b>", count: 300) + String(repeating: "</b>", count: 300) + "</a>"
        #expect(throws: IngestError.self) { try read(deeper) }
    }

    @Test func mismatchedTagIsAFatalErrorAtItsLine() throws {
        do {
            _ = try readFixture("Fixtures/bad/mismatched-tags.xml")
            Issue.record("expected an error")
        } catch let error as IngestError {
            #expect(error.locator.line == 19)
            #expect(error.message.hasPrefix("Opening and ending tag mismatch: name line 19 and nam"))
        }
    }

    @Test func childElementsBecomeRecordsLinkedToTheirParent() throws {
        let xml = """
        <bom><components>
          <component type="machine-learning-model"><name>m</name>
            <considerations><risks><risk><name>r1</name></risk><risk><name>r2</name></risk></risks></considerations>
          </component>
          <component type="data"><name>d</name></component>
        </components></bom>
        """
        let diagnostics = DiagnosticList()
        var reader = try XMLRecordReader(source: ByteSource(name: "b.xml", bytes: Array(xml.utf8)), recordPath: "/bom/components/component",
                                         childPaths: ["considerations.risks.risk"], diagnostics: diagnostics)
        let records = TestSupport.records(try TestSupport.readAll(&reader))
        #expect(records.map { $0["name"] } == ["m", "r1", "r2", "d"])
        #expect(records.map(\.ordinal) == [0, 1, 2, 3])
        #expect(records[1].parent?.parentOrdinal == 0 && records[1].parent?.field == "considerations.risks.risk")
        #expect(records[2].locator.path == "/bom/components/component[1]/considerations/risks/risk[2]")
        #expect(records[0].fields.map(\.path) == ["@type", "name"], "the child elements are not flattened into the parent")
    }

    @Test func aRecordWithMoreChildRecordsThanTheLimitIsRejectedWithThem() throws {
        // As in JSON: past the limit (here 2) the record is rejected with its child records,
        // and the next record is read.
        let xml = """
        <bom><components>
          <component><name>m</name><risks><risk><name>r1</name></risk><risk><name>r2</name></risk><risk><name>r3</name></risk></risks></component>
          <component><name>d</name><risks><risk><name>r4</name></risk><risk><name>r5</name></risk></risks></component>
        </components></bom>
        """
        var limits = ReaderLimits()
        limits.maxNestedRecords = 2
        var reader = try XMLRecordReader(source: ByteSource(name: "b.xml", bytes: Array(xml.utf8)), recordPath: "/bom/components/component",
                                         childPaths: ["risks.risk"], limits: limits, diagnostics: DiagnosticList())
        let items = try TestSupport.readAll(&reader)
        #expect(TestSupport.rejected(items).map(\.reason) == ["more than 2 records nested in one record"])
        #expect(TestSupport.rejected(items).map(\.locator.path) == ["/bom/components/component[1]"])
        #expect(TestSupport.records(items).map { $0["name"] } == ["d", "r4", "r5"])
        #expect(TestSupport.records(items).map(\.ordinal) == [1, 2, 3])
    }

    @Test func deepNestingIsRefusedByLibxml2() throws {
        let xml = "<root><r>" + String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000) + "</r><r/></root>"
        #expect(throws: IngestError.self) { try read(xml) }
    }

    @Test func locatorsPastLine65535AreExact() throws {
        // libxml2 keeps a tree node's line in 16 bits; records built from events are not capped.
        let xml = "<rows>\n<row><id>1</id></row>" + String(repeating: "\n", count: 70_000) + "<row><id>2</id></row>\n</rows>"
        let records = TestSupport.records(try read(xml).items)
        #expect(records.map(\.locator.line) == [2, 70_002])
    }

    @Test func anElementsTextComesBeforeItsChildrenAndHoldsTheirsWhenMixed() throws {
        // Mixed content (OSCAL markup) reads as its whole text; an element holding only elements
        // (and the space between them) has no text of its own.
        let xml = """
            <rows><row><a k="v">text <b>inner</b>more</a><c>  </c>
              <d>
                <p>See <a href="#ac-1">AC-1</a> and <em>AC-2</em>.</p>
                <p>Second</p>
              </d>
            </row><row><a>x</a></row></rows>
            """
        let records = TestSupport.records(try read(xml).items)
        #expect(records[0].fields == [
            SourceField("a@k", "v"), SourceField("a", "text innermore"), SourceField("a.b", "inner"),
            SourceField("d.p", "See AC-1 and AC-2."), SourceField("d.p.a@href", "#ac-1"), SourceField("d.p.a", "AC-1"),
            SourceField("d.p.em", "AC-2"), SourceField("d.p", "Second"),
        ])
        #expect(records[1].fields == [SourceField("a", "x")])
    }

    @Test func mixedTextOverTheFieldLimitRejectsItsRecord() throws {
        let limits = ReaderLimits(maxFieldBytes: 16)
        let xml = "<rows><row><d>0123456789 <b>0123456789</b></d></row><row><d>0123 <b>4567</b> 89</d></row>"
            + "<row><d><b>0123456789</b> <b>0123456789</b> more</d></row></rows>"
        let items = try read(xml, limits: limits).items
        #expect(TestSupport.records(items).map(\.fields) == [[SourceField("d", "0123 4567 89"), SourceField("d.b", "4567")]])
        #expect(TestSupport.rejected(items).map(\.reason) == [
            "field 'd' is larger than the 16-byte field limit", "field 'd' is larger than the 16-byte field limit",
        ])
    }

    @Test func recordsBeforeAFatalErrorAreKept() throws {
        // The whole document is one chunk: the records the parser finished before the broken
        // one are returned, then the error. The record path is found in the broken document too.
        let xml = "<rows>\n<row><id>1</id></row>\n<row><id>2</id></row>\n<row><id>3</bad></row>\n</rows>"
        let diagnostics = DiagnosticList()
        var reader = try XMLRecordReader(source: ByteSource(name: "t.xml", bytes: Array(xml.utf8)), diagnostics: diagnostics)
        #expect(reader.recordPath == ["rows", "row"])
        let (ids, error) = idsBeforeTheError(&reader)
        #expect(error?.locator.line == 4)
        #expect(ids == ["1", "2"])
    }

    /// The ids of the records read before the reader fails, and its error (nil if it did not).
    private func idsBeforeTheError(_ reader: inout XMLRecordReader) -> (ids: [String?], error: IngestError?) {
        var ids: [String?] = []
        do {
            while let item = try reader.next() {
                if case .record(let record) = item { ids.append(record["id"]) }
            }
            return (ids, nil)
        } catch {
            return (ids, error)
        }
    }

    @Test func utf16DocumentsAreDecoded() throws {
        // The push parser learns the encoding from the first bytes it is given.
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<rows><row><t>Ünïcode “quotes”</t></row><row><t>2</t></row></rows>"
        let bytes: [UInt8] = [0xFF, 0xFE] + xml.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var reader = try XMLRecordReader(source: ByteSource(name: "u.xml", bytes: bytes), diagnostics: DiagnosticList())
        #expect(TestSupport.records(try TestSupport.readAll(&reader)).map { $0["t"] } == ["Ünïcode “quotes”", "2"])
    }

    @Test func fieldOverTheLimitRejectsTheRecord() throws {
        let xml = "<rows><row><id>1</id><text>" + String(repeating: "x", count: 100) + "</text></row><row><id>2</id></row></rows>"
        let (items, _) = try read(xml, limits: ReaderLimits(maxFieldBytes: 50))
        #expect(TestSupport.rejected(items).map(\.locator.path) == ["/rows/row[1]"])
        #expect(TestSupport.records(items).map { $0["id"] } == ["2"])
    }

    @Test func anElementWithTooManyAttributesEndsTheDocumentBeforeLibxml2ReadsIt() throws {
        // libxml2 2.9 takes time quadratic in a tag's attributes: a tag over the limit (here 5)
        // is never given to it. The records before it are kept; the error is at the tag's `<`.
        let attributes = (1...6).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let xml = "<rows>\n<row><id>1</id></row>\n  <row \(attributes)><id>2</id></row>\n<row><id>3</id></row></rows>"
        for chunkSize in [nil, 7] {
            var reader = try XMLRecordReader(source: ByteSource(name: "t.xml", bytes: Array(xml.utf8), chunkSize: chunkSize),
                                             recordPath: "/rows/row", limits: ReaderLimits(maxFieldsPerRecord: 5),
                                             diagnostics: DiagnosticList())
            let (ids, error) = idsBeforeTheError(&reader)
            #expect(error?.locator.description == "t.xml:3:3")
            #expect(error?.message.hasPrefix("an element with more than 5 attributes; the document is read no further") == true)
            #expect(ids == ["1"])
        }
        // At the limit, the record is read (and rejected by the field limit, as any record is).
        let five = (1...5).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let (items, _) = try read("<rows><row \(five)><id>2</id></row></rows>", recordPath: "/rows/row",
                                  limits: ReaderLimits(maxFieldsPerRecord: 5))
        #expect(TestSupport.rejected(items).map(\.reason) == ["more than 5 fields in one record"])
    }

    @Test func aValuePastLibxml2sLengthLimitIsSaidInWords() throws {
        // Read in the chunks a file is read in, libxml2 says only "Huge input lookup".
        let xml = "<rows><row id=\"" + String(repeating: "y", count: 20_000_000) + "\"><t>1</t></row></rows>"
        var reader = try XMLRecordReader(source: ByteSource(name: "t.xml", bytes: Array(xml.utf8), chunkSize: 1 << 18),
                                         recordPath: "/rows/row", diagnostics: DiagnosticList())
        let (_, error) = idsBeforeTheError(&reader)
        #expect(error?.message == "a name or value longer than libxml2's limit of 10,000,000 bytes (Huge input lookup)")
        #expect(error?.locator.line == 1)
    }

    @Test func aFullDictionaryOfNamesEndsTheDocumentWithAnError() throws {
        // libxml2 keeps every distinct element name in a dictionary of at most 10,000,000 bytes,
        // and when it is full says "Memory allocation failed" without marking the document
        // malformed: the records after that point were lost, and the conversion said nothing.
        // It grows by pools four times larger each, and refuses a new pool once those it has add
        // up to more than the limit: names of 40,000 bytes, each once, fill it in 340 records.
        let padding = String(repeating: "x", count: 40_000)
        var xml = "<rows>\n"
        for index in 0..<500 { xml += "<row><id>\(index)</id><n\(index)\(padding)/></row>\n" }
        xml += "</rows>\n"
        var reader = try XMLRecordReader(source: ByteSource(name: "t.xml", bytes: Array(xml.utf8), chunkSize: 1 << 18),
                                         recordPath: "/rows/row", diagnostics: DiagnosticList())
        let (ids, error) = idsBeforeTheError(&reader)
        let message = try #require(error?.message)
        #expect(message.hasPrefix("libxml2 stopped here for want of memory, holding "))
        #expect(message.hasSuffix(" distinct element and attribute names (its dictionary of names holds at most 10,000,000 bytes of them); the document is read no further"))
        // The records before the one it stopped in are read, each once and in order.
        #expect(ids.count > 300 && ids.count < 400)
        #expect(ids == (0..<ids.count).map { String($0) })
        #expect(error?.locator.line == ids.count + 2)
    }

    @Test func theAttributeGuardCountsOnlyAttributesOfStartTags() {
        func crowded(_ text: String, bytes: [UInt8]? = nil, limit: Int = 2, pieces: Int = 1) -> Int? {
            let all = bytes ?? Array(text.utf8)
            var guardian = XMLAttributeGuard(limit: limit, layout: all.withUnsafeBufferPointer { .init(prefix: $0) })
            let size = max(1, (all.count + pieces - 1) / pieces)
            var offset = 0
            while offset < all.count {
                let piece = Array(all[offset..<min(all.count, offset + size)])
                if let found = piece.withUnsafeBufferPointer({ guardian.scan($0) }) { return offset + found }
                offset += size
            }
            return nil
        }
        // `=` in quoted values, text, comments, processing instructions and end tags is no attribute.
        #expect(crowded("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a x=\"1=2=3\" y='=>'>a=b=c<!-- p=q=r --></a>") == nil)
        #expect(crowded("<a x=\"1\" y=\"2\" z=\"3\"/>") == 0)
        // Read in pieces of 6 bytes, the tag at 3 passes the limit in the piece from 18 on: the
        // offset found is that piece's start (the parser is given nothing more).
        #expect(crowded("<r><a x=\"1\" y=\"2\" z=\"3\"/></r>", pieces: 5) == 18)
        // A quote left open in a comment does not hide the tag after it.
        #expect(crowded("<!-- it's --><b p='1' q = '2' r ='3'>") == 13)
        // Past many short tags and a text longer than the window (with `=` in it), the one tag
        // over the limit is found where it starts, read whole or in pieces.
        let attributes = (0...100).map { " a\($0)=\"\($0)\"" }.joined()
        let rows = (1...500).map { "<row><id>\($0)</id></row>" }.joined()
        let long = "<t>" + String(repeating: "x=y ", count: 300) + "</t>"
        let document = "<rows>" + rows + long + "<row" + attributes + "/></rows>"
        let at = document.utf8.count - "<row".utf8.count - attributes.utf8.count - "/></rows>".utf8.count
        #expect(crowded(document, limit: 100) == at)
        #expect(crowded(document, limit: 101) == nil)
        #expect(crowded(document, limit: 100, pieces: 7).map { $0 <= at && $0 > at - document.utf8.count / 7 } == true)
        // UTF-16: only ASCII characters count (U+3D3C is neither `<` nor `=`).
        let utf16 = "<a x=\"\u{3D3C}\u{3D3C}\u{3D3C}\" y=\"2\"/><b x=\"1\" y=\"2\" z=\"3\"/>"
        let littleEndian: [UInt8] = [0xFF, 0xFE] + utf16.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(crowded("", bytes: littleEndian) == 2 + 2 * 18)
        #expect(crowded("", bytes: littleEndian, pieces: 9) == 70)
        let bigEndian: [UInt8] = utf16.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(crowded("", bytes: bigEndian, pieces: 4) == 60)
        #expect(crowded("", bytes: bigEndian) == 2 * 18)
    }
}
