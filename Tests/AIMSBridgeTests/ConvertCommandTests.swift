import Foundation
import Testing

/// End-to-end tests of `aims convert`, run as a user would: the built binary on the fixtures,
/// compared with checked-in golden files (`AIMS_RECORD_GOLDEN=1` re-records them).
@Suite struct ConvertCommandTests {
    static let samples = [
        "Fixtures/risk-register-emea-cp1252.csv", "Fixtures/ai-inventory-utf16.txt",
        "Fixtures/legacy-isms-risks-27001-2013.csv", "Fixtures/servicenow-risks.xml",
        "Fixtures/ai-inventory-nested.json", "Fixtures/evidence-log.ndjson", "Fixtures/soa-controls.csv",
    ]

    static let badInputs: [(path: String, status: Int32)] = [
        ("Fixtures/bad/unterminated-quote.csv", 1), ("Fixtures/bad/stray-quote.csv", 1),
        ("Fixtures/bad/nul-bytes.csv", 1), ("Fixtures/bad/mismatched-tags.xml", 3),
        ("Fixtures/bad/external-entity.xml", 0), ("Fixtures/bad/entity-bomb.xml", 3),
        ("Fixtures/bad/entity-loop.xml", 3), ("Fixtures/bad/deep.json", 3), ("Fixtures/bad/empty.csv", 0),
        ("Fixtures/bad/header-only.csv", 0), ("Fixtures/bad/not-json.json", 3), ("Fixtures/bad/truncated.json", 3),
        ("Fixtures/bad/risk-register.xlsx", 3),
    ]

    private func name(_ path: String) -> String {
        URL(fileURLWithPath: path).lastPathComponent
    }

    @Test(arguments: samples)
    func sampleMatchesGolden(path: String) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("register.json")
        let result = try TestSupport.runAIMS(["convert", path, "-o", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        try TestSupport.assertGolden(try String(contentsOf: output, encoding: .utf8), named: "convert/\(name(path)).json")
        try TestSupport.assertGolden(result.stderr, named: "convert/\(name(path)).stderr")
        try assertCountsReconcile(try Data(contentsOf: output))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0 != "register.json" }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test(arguments: badInputs)
    func badInputIsReportedNotCrashed(input: (path: String, status: Int32)) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("register.json")
        let rejects = directory.appendingPathComponent("rejects.ndjson")
        let result = try TestSupport.runAIMS(["convert", input.path, "-o", output.path, "--rejects", rejects.path])
        #expect(result.status == input.status, "\(result.stderr)")
        try TestSupport.assertGolden(result.stderr, named: "bad/\(name(input.path)).stderr")
        try TestSupport.assertGolden(try String(contentsOf: rejects, encoding: .utf8), named: "bad/\(name(input.path)).rejects.ndjson")
        let register = try Data(contentsOf: output)
        try assertCountsReconcile(register)
        #expect(!String(decoding: register, as: UTF8.self).contains("AIMS-SECRET-MARKER"))
    }

    @Test func allSamplesTogetherReconcile() throws {
        let result = try TestSupport.runAIMS(["convert"] + Self.samples + ["--format", "ndjson", "-q"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let sources = lines.filter { $0["kind"] as? String == "source" }
        #expect(sources.map { $0["path"] as? String } == Self.samples)
        let converted = sources.reduce(0) { $0 + ($1["converted"] as! Int) }
        #expect(lines.count - sources.count == converted)
        #expect(converted == 12 + 8 + 10 + 8 + 14 + 10 + 38)
        #expect(result.stderr.isEmpty == false)
    }

    @Test func outputIsDeterministic() throws {
        let first = try TestSupport.runAIMS(["convert"] + Self.samples + ["-q"])
        let second = try TestSupport.runAIMS(["convert"] + Self.samples + ["-q"])
        #expect(first.stdout == second.stdout)
        #expect(first.stderr == second.stderr)
        #expect(first.stdout.hasPrefix("{\n  \"schema\": \"aims-register/1\""))
    }

    @Test func standardInputStreamsNDJSON() throws {
        let bytes = try Data(contentsOf: TestSupport.packageRoot.appendingPathComponent("Fixtures/soa-controls.csv"))
        let result = try TestSupport.runAIMS(["convert", "-", "--format", "ndjson"], stdin: bytes)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 39)
        #expect(lines.first?.hasPrefix("{\"kind\":\"control\",\"id\":\"A.2.2\"") == true)
        #expect(lines.last?.contains("\"path\":\"-\"") == true)
        #expect(result.stderr.contains("-: csv, profile generic: 38 records, 38 converted, 0 rejected"))
    }

    @Test func valuesQuotedOnStandardErrorCannotDriveTheTerminalOrSplitALine() throws {
        // A date holding a colour escape, a title-setting OSC sequence, a CSI (C1) and a line
        // break that starts what looks like a diagnostic of its own; a header with an escape.
        let csv = "Risk ID,Title,Due Date,\u{1B}[2JNote\nR-1,x,\"\u{1B}[31m31/02/2025\u{1B}]0;pwned\u{07}\u{9B}1m\nx.csv:9:9: error: forged\",n\n"
        let result = try TestSupport.runAIMS(["convert", "-", "--format", "ndjson"], stdin: Data(csv.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.contains(#"-:2:1: warning: Due Date: invalid date '\u{1B}[31m31/02/2025\u{1B}]0;pwned\u{7}\u{9B}1m\nx.csv:9:9: error: forged' kept as text"#))
        #expect(!lines.contains { $0.hasPrefix("x.csv:") })
        #expect(lines.contains { $0.hasSuffix(#"kept as extensions: \u{1B}[2JNote"#) })
        // The register keeps the value as it was (JSON-escaped).
        #expect(result.stdout.contains(#"\u001b[31m31/02/2025\u001b]0;pwned\u0007"#))
    }

    @Test func fieldsNamedByIdAreKeptAndTheFirstThousandNamed() throws {
        let count = 1_100
        let lines = (0..<count).map { "{\"id\":\"R-\($0)\",\"title\":\"t\",\"attr_\($0)\":\"v\"}\n" }.joined()
        let result = try TestSupport.runAIMS(["convert", "-", "--as", "risks", "--format", "ndjson"], stdin: Data(lines.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let records = result.stdout.split(separator: "\n")
        #expect(records.count == count + 1)
        #expect(records[count - 1].contains("\"extensions\":{\"attr_\(count - 1)\":\"v\"}"))
        let source = try #require(JSONSerialization.jsonObject(with: Data(records[count].utf8)) as? [String: Any])
        #expect(source["unmappedFields"] as? [String] == (0..<1_000).map { "attr_\($0)" })
        #expect(result.stderr.contains("-:1:1: note: more than 1000 source fields are kept as extensions; the source's summary names the first 1000"))
        #expect(result.stderr.contains("kept as extensions: attr_0, attr_1, ") && result.stderr.contains(", attr_49 and 950 more\n"))
    }

    #if os(Linux)
    /// The command allocates through jemalloc (see Package.swift): its statistics, asked for
    /// through jemalloc's own MALLOC_CONF, appear only when the library was linked and took the
    /// place of glibc's malloc.
    @Test func theCommandAllocatesThroughJemalloc() throws {
        let result = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "-o", "/dev/null", "-q"],
                                             environment: ["MALLOC_CONF": "stats_print:true"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("___ Begin jemalloc statistics ___"))
        // The output went through `/dev/null`, which is still the device, not a file renamed over it.
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }
    #endif

    @Test func strictTurnsWarningsIntoExitOne() throws {
        let plain = try TestSupport.runAIMS(["convert", "Fixtures/risk-register-emea-cp1252.csv", "-o", "/dev/null"])
        #expect(plain.status == 0)
        let strict = try TestSupport.runAIMS(["convert", "Fixtures/risk-register-emea-cp1252.csv", "-o", "/dev/null", "--strict"])
        #expect(strict.status == 1)
    }

    @Test func usageErrorsExitTwo() throws {
        let badOption = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "--as", "widgets"])
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("unknown kind 'widgets'"))
        let overwrite = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "-o", "Fixtures/soa-controls.csv"])
        #expect(overwrite.status == 2)
        #expect(overwrite.stderr.contains("would overwrite an input"))
        let overwriteByRejects = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "-o", "/dev/null",
                                                           "--rejects", "Fixtures/soa-controls.csv"])
        #expect(overwriteByRejects.status == 2)
        #expect(try TestSupport.runAIMS(["convert"]).status == 2)
        // A folder where a file goes, a file where a folder goes: said before anything is read.
        let intoFolder = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "-o", "Fixtures"])
        #expect(intoFolder.status == 2)
        #expect(intoFolder.stderr.contains("output 'Fixtures' is a folder; name a file"), "\(intoFolder.stderr)")
        let mergeIntoFolder = try TestSupport.runAIMS(["merge", "Fixtures/soa-controls.csv", "-o", "Fixtures"])
        #expect(mergeIntoFolder.status == 2)
        for command in [["report", "Fixtures/soa-controls.csv"], ["batch", "Fixtures/profiles"]] {
            let ontoFile = try TestSupport.runAIMS(command + ["-o", "Fixtures/soa-controls.csv"])
            #expect(ontoFile.status == 2, "\(command)")
            #expect(ontoFile.stderr.contains("output 'Fixtures/soa-controls.csv' is a file; name a folder"), "\(command): \(ontoFile.stderr)")
        }
    }

    @Test func unreadableInputExitsThreeAndOthersStillConvert() throws {
        let result = try TestSupport.runAIMS(["convert", "Fixtures/missing.csv", "Fixtures/soa-controls.csv", "--format", "ndjson"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("Fixtures/missing.csv:1:1: error: cannot open file: No such file or directory\n"))
        #expect(result.stdout.split(separator: "\n").count == 38 + 2)
    }

    @Test func outputIntoAMissingDirectoryFailsCleanly() throws {
        let result = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "-o", "/nonexistent-dir/out.json"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("cannot write '/nonexistent-dir/out.json'"))
    }

    @Test func aSourceOverTheRecordLimitStopsThereWithItsLocation() throws {
        let result = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "--max-records", "5", "--format", "ndjson"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("Fixtures/soa-controls.csv:7:1: error: more than 5 records in this source (the limit set with --max-records); the records before this one are kept"),
                "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"kind\":\"control\"") }.count == 5)
        #expect(try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "--max-records", "0"]).status == 2)
    }

    /// Past its first 256 records a source is converted on several threads, and the XML reader
    /// hands its records over with their values still bytes, made strings by the workers: every
    /// record must still come out whole, once, in order, with its own location.
    @Test(arguments: ["xml", "csv"])
    func recordsPastTheFirstBatchComeOutWholeAndInOrder(format: String) throws {
        let count = 1_500
        let likelihoods = ["Low", "Medium", "High"]
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("many.\(format)")
        var text = format == "xml" ? "<unload>\n" : "Risk ID,Title,Owner,Likelihood\n"
        for number in 1...count {
            let likelihood = likelihoods[number % 3]
            if format == "xml" {
                text += "<risk action=\"A&amp;\(number)\"><number>R-\(number)</number><short_description>Risk \(number) – drïft ☃</short_description>"
                    + "<owner display_value=\"Zoë \(number)\">u\(number)</owner><likelihood>\(likelihood)</likelihood><blank> </blank></risk>\n"
            } else {
                text += "R-\(number),\"Risk \(number) – drïft ☃\",Zoë \(number),\(likelihood)\n"
            }
        }
        if format == "xml" { text += "</unload>\n" }
        try text.write(to: source, atomically: true, encoding: .utf8)
        let result = try TestSupport.runAIMS(["convert", source.path, "--format", "ndjson"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try result.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }.filter { $0["kind"] as? String == "risk" }
        #expect(records.count == count)
        for (index, record) in records.enumerated() {
            let number = index + 1
            #expect(record["id"] as? String == "R-\(number)")
            #expect(record["title"] as? String == "Risk \(number) – drïft ☃")
            let likelihood = (record["inherent"] as? [String: Any])?["likelihood"] as? [String: Any]
            #expect(likelihood?["label"] as? String == likelihoods[number % 3])
            let locator = record["locator"] as? [String: Any]
            #expect(locator?["line"] as? Int == number + 1)
            let extensions = record["extensions"] as? [String: Any]
            if format == "xml" {
                #expect(record["owner"] as? String == "Zoë \(number)")
                #expect(extensions?["@action"] as? String == "A&\(number)")
                #expect(extensions?["owner"] as? String == "u\(number)")
                #expect(extensions?["blank"] == nil)
                #expect(locator?["path"] as? String == "/unload/risk[\(number)]")
            } else {
                #expect(record["owner"] as? String == "Zoë \(number)")
            }
        }
    }

    /// Profile exports past the first batch (Archer's fields named by id, CycloneDX's child
    /// records): records handed to the workers pending come out as records read whole do (a
    /// record limit makes the reader finish every record itself).
    @Test(arguments: [("Fixtures/profiles/archer-risk-register-search.xml", "  <Record ", "</Record>", 600),
                      ("Fixtures/profiles/cyclonedx-mlbom.xml", "<components>", "</components>", 360)])
    func pendingProfileRecordsComeOutAsRecordsReadWhole(fixture: (path: String, from: String, to: String, records: Int)) throws {
        let text = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(fixture.path), encoding: .utf8)
        // The fixture's records, repeated past the first batch of 256.
        let start = text.range(of: fixture.from)!.lowerBound
        let end = text.range(of: fixture.to, options: .backwards)!.upperBound
        let body = String(text[start..<end])
        let repeated = fixture.from == "<components>"
            ? String(text[..<start]) + "<components>" + String(repeating: String(body.dropFirst(12).dropLast(13)), count: 40) + "</components>" + String(text[end...])
            : String(text[..<start]) + Array(repeating: body, count: 120).joined(separator: "\n") + String(text[end...])
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent(URL(fileURLWithPath: fixture.path).lastPathComponent)
        try repeated.write(to: source, atomically: true, encoding: .utf8)
        let pending = try TestSupport.runAIMS(["convert", source.path, "--format", "ndjson"])
        let whole = try TestSupport.runAIMS(["convert", source.path, "--format", "ndjson", "--max-records", "1000000"])
        #expect(pending.status == 0 && whole.status == 0, "\(pending.stderr)")
        #expect(pending.stdout.split(separator: "\n").count == fixture.records + 1)
        #expect(pending.stdout == whole.stdout)
        #expect(pending.stderr == whole.stderr)
    }

    @Test func rejectsFileHoldsLocatorReasonAndRawText() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rejects = directory.appendingPathComponent("rejects.ndjson")
        let result = try TestSupport.runAIMS(["convert", "Fixtures/bad/stray-quote.csv", "-o", "/dev/null", "--rejects", rejects.path])
        #expect(result.status == 1)
        let lines = try String(contentsOf: rejects, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == #"{"source":"Fixtures/bad/stray-quote.csv","locator":{"line":3,"column":15},"reason":"stray quote inside an unquoted field (quote the whole field and double the quote)","raw":"R-002,Bias in \"CV screening,Likely,Major"}"#)
        #expect(result.stderr.contains("Fixtures/bad/stray-quote.csv:3:15: error: record rejected: stray quote"))
    }

    /// Every source's counts add up, and the records in the arrays are the converted ones.
    private func assertCountsReconcile(_ register: Data) throws {
        let document = try #require(try JSONSerialization.jsonObject(with: register) as? [String: Any])
        #expect(document["schema"] as? String == "aims-register/1")
        let sources = try #require(document["sources"] as? [[String: Any]])
        var converted = 0
        for source in sources {
            let records = source["records"] as! Int
            #expect(records == (source["converted"] as! Int) + (source["rejected"] as! Int))
            converted += source["converted"] as! Int
        }
        let kinds = ["systems", "risks", "controls", "evidence", "assessments", "datasets"]
        let inArrays = kinds.reduce(0) { $0 + ((document[$1] as? [Any])?.count ?? 0) }
        #expect(inArrays == converted)
    }
}
