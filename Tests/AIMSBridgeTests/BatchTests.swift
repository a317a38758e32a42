import Foundation
import Testing
@testable import AIMSBridge

/// `aims batch` on a folder holding good exports, a broken one, one with rejected records, an
/// unsupported file and a hidden folder: every file accounted for, nothing stopped by the bad
/// one, and a second run on unchanged inputs rewriting nothing.
@Suite struct BatchTests {
    /// A fresh input folder: `contoso/` (three good exports and one with two rejected rows),
    /// `isms/` (a good export, a truncated JSON file and an .xlsx), and a hidden folder.
    private func inputFolder() throws -> URL {
        let root = try TestSupport.temporaryDirectory()
        let files = ["contoso/evidence-log.ndjson": "Fixtures/evidence-log.ndjson", "contoso/soa-controls.csv": "Fixtures/soa-controls.csv",
                     "contoso/risk-register.csv": "Fixtures/risk-register-emea-cp1252.csv", "contoso/stray-quote.csv": "Fixtures/bad/stray-quote.csv",
                     "isms/isms-evidence-27001.csv": "Fixtures/merge/isms-evidence-27001.csv", "isms/broken.json": "Fixtures/bad/truncated.json",
                     ".cache/old.csv": "Fixtures/soa-controls.csv"]
        for (target, source) in files {
            let url = root.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent(source), to: url)
        }
        try Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]).write(to: root.appendingPathComponent("isms/controls.xlsx"))
        return root
    }

    /// Runs `body` with a fresh input folder (the one above, or an empty one) and an empty output
    /// folder, removed afterwards.
    private func withFolders(empty: Bool = false, _ body: (URL, URL) throws -> Void) throws {
        let input = empty ? try TestSupport.temporaryDirectory() : try inputFolder()
        let output = try TestSupport.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        try body(input, output)
    }

    private func summary(_ output: URL) throws -> BatchSummary {
        try JSONDecoder().decode(BatchSummary.self, from: Data(contentsOf: output.appendingPathComponent("batch-summary.json")))
    }

    /// Modification dates of every file under `folder`, by relative path.
    private func dates(_ folder: URL) throws -> [String: Date] {
        var dates: [String: Date] = [:]
        for path in FileManager.default.subpaths(atPath: folder.path) ?? [] {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(path).path)
            if attributes[.type] as? FileAttributeType == .typeRegular { dates[path] = attributes[.modificationDate] as? Date }
        }
        return dates
    }

    @Test func oneBadFileStopsNothingAndEveryFileIsAccountedFor() throws {
        try withFolders { input, output in
            let result = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "--jobs", "2", "--report", "soa", "--report", "log",
                                                  "--as-of", "2025-06-30"])
            #expect(result.status == 3, "a failed file makes the exit code 3: \(result.stderr)")
            let files = try summary(output).files
            #expect(files.map(\.path) == ["contoso/evidence-log.ndjson", "contoso/risk-register.csv", "contoso/soa-controls.csv",
                                          "contoso/stray-quote.csv", "isms/broken.json", "isms/controls.xlsx", "isms/isms-evidence-27001.csv"])
            #expect(files.map(\.status) == ["converted", "converted", "converted", "rejected", "failed", "skipped", "converted"])
            #expect(files.map(\.records) == [10, 12, 38, 5, 2, 0, 8])
            #expect(files[3].rejected == 2 && files[3].rejects == "contoso/stray-quote.csv.rejects.ndjson")
            #expect(files[4].diagnostics == ["\(input.path)/isms/broken.json:4:45: error: unexpected end of file inside array started at line 1"])
            #expect(files[5].diagnostics == [
                "\(input.path)/isms/controls.xlsx: not converted: this file is an Excel workbook (.xlsx), not delimited text: save the sheet as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) and convert that",
            ])
            #expect(files.allSatisfy { $0.status == "skipped" || $0.sha256.count == 64 })
            for file in files where file.status != "skipped" {
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file.path + ".register.json").path))
            }
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".cache").path))
            // Line-per-file progress when standard error is not a terminal.
            for file in files { #expect(result.stderr.contains("\(file.path): \(file.status)")) }
            // The merged register holds every converted record (the broken file's two included); the
            // two generic exports that both have a risk R-001 merge into one record.
            let register = try RegisterReader.read(path: output.appendingPathComponent("register.json").path)
            #expect(register.sources.count == 6)
            #expect(register.records.count == files.reduce(0) { $0 + $1.records - $1.rejected } - 1)
            #expect(register.records.first { $0.id == "R-001" }?.mergedFrom.map(\.source)
                    == ["\(input.path)/contoso/stray-quote.csv", "\(input.path)/isms/broken.json"])
            let log = try String(contentsOf: output.appendingPathComponent("reports/log.html"), encoding: .utf8)
            #expect(log.contains("stray quote inside an unquoted field"))
        }
    }

    @Test func aSecondRunOnUnchangedInputsRewritesNothing() throws {
        try withFolders { input, output in
            let arguments = ["batch", input.path, "-o", output.path, "--report", "all", "--format", "html", "--format", "csv", "--as-of", "2025-06-30"]
            _ = try TestSupport.runAIMS(arguments)
            let before = try dates(output)
            Thread.sleep(forTimeInterval: 1.1)
            let again = try TestSupport.runAIMS(arguments)
            #expect(again.status == 3)
            #expect(try dates(output) == before, "a file was rewritten")
            #expect(again.stderr.contains("contoso/soa-controls.csv: converted (unchanged, not converted again)"))
            // Changing one input converts that one again and rewrites only what depends on it.
            let soa = input.appendingPathComponent("contoso/soa-controls.csv")
            try String(contentsOf: soa, encoding: .utf8).replacingOccurrences(of: "Annual review cycle agreed by the board", with: "Reviewed twice a year")
                .write(to: soa, atomically: true, encoding: .utf8)
            _ = try TestSupport.runAIMS(arguments)
            let after = try dates(output)
            let changed = Set(after.keys.filter { after[$0] != before[$0] })
            #expect(changed.contains("contoso/soa-controls.csv.register.json") && changed.contains("register.json")
                    && changed.contains("batch-summary.json") && changed.contains("reports/soa.html"))
            #expect(!changed.contains("contoso/evidence-log.ndjson.register.json") && !changed.contains("reports/risks.html"))
            #expect(try String(contentsOf: output.appendingPathComponent("reports/soa.html"), encoding: .utf8).contains("Reviewed twice a year"))
        }
    }

    @Test func failFastStopsAfterTheFirstFailure() throws {
        try withFolders { input, output in
            let result = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "--jobs", "1", "--fail-fast"])
            #expect(result.status == 3)
            let files = try summary(output).files
            #expect(files.map(\.status) == ["converted", "converted", "converted", "rejected", "failed", "not run", "not run"])
        }
    }

    @Test func theBatchRegisterIsTheMergeOfItsFiles() throws {
        try withFolders { input, output in
            try FileManager.default.removeItem(at: input.appendingPathComponent("isms/broken.json"))
            try FileManager.default.removeItem(at: input.appendingPathComponent("isms/controls.xlsx"))
            let batch = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "-q"])
            #expect(batch.status == 1, "records were rejected: \(batch.stderr)")
            let exports = try summary(output).files.map { input.appendingPathComponent($0.path).path }
            let merged = output.appendingPathComponent("merged.json")
            let merge = try TestSupport.runAIMS(["merge"] + exports + ["-o", merged.path])
            #expect(merge.status == 1)
            #expect(try Data(contentsOf: merged) == Data(contentsOf: output.appendingPathComponent("register.json")))
        }
    }

    @Test func outputsStayInsideTheOutputFolder() throws {
        try withFolders { input, output in
            // A linked folder pointing elsewhere is not followed, and the output folder inside the
            // input folder is not read back as input.
            let outside = try TestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: outside) }
            try FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent("Fixtures/soa-controls.csv"),
                                             to: outside.appendingPathComponent("elsewhere.csv"))
            try FileManager.default.createSymbolicLink(at: input.appendingPathComponent("linked"), withDestinationURL: outside)
            let nested = input.appendingPathComponent("converted")
            let result = try TestSupport.runAIMS(["batch", input.path, "-o", nested.path, "-q"])
            #expect(result.status == 3, "\(result.stderr)")
            let entries = try summary(nested).files
            let files = entries.map(\.path)
            #expect(!files.contains { $0.hasPrefix("linked/") || $0.hasPrefix("converted") })
            #expect(entries.first { $0.path == "linked" }?.diagnostics == ["\(input.path)/linked: not converted: a link to a folder is not followed"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["elsewhere.csv"])
            let again = try TestSupport.runAIMS(["batch", input.path, "-o", nested.path, "-q"])
            #expect(try summary(nested).files.map(\.path) == files, "\(again.stderr)")
        }
    }

    @Test func aNamedPipeIsSkippedNotRead() throws {
        // Reading a pipe that no one writes to never ends: a batch over a folder holding one
        // (here named like an export) skips it and converts the rest.
        try withFolders { input, output in
            #expect(mkfifo(input.appendingPathComponent("pipe.csv").path, 0o600) == 0)
            let result = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "-q"], timeout: 30)
            #expect(result.status == 3, "a file of the folder fails to convert: \(result.stderr)")
            let entries = try summary(output).files
            #expect(entries.filter { $0.status == "converted" }.count == 4)
            let pipe = entries.first { $0.path == "pipe.csv" }
            #expect(pipe?.status == "skipped")
            #expect(pipe?.diagnostics == ["\(input.path)/pipe.csv: not converted: not a regular file (a named pipe, socket or device)"])
        }
    }

    @Test func filesOfOtherFormatsAreSkippedSayingWhatTheyAre() throws {
        // A PDF report saved among the exports is named for what it is; other files by their extension.
        try withFolders { input, output in
            try Data("%PDF-1.7\n%âãÏÓ\n".utf8).write(to: input.appendingPathComponent("isms/board-report.pdf"))
            try Data("Exported on Monday.\n".utf8).write(to: input.appendingPathComponent("isms/notes.md"))
            _ = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "-q"])
            let entries = try summary(output).files
            #expect(entries.first { $0.path == "isms/board-report.pdf" }?.diagnostics == [
                "\(input.path)/isms/board-report.pdf: not converted: this file is a PDF document, not an export: export the data from the tool as CSV, XML or JSON",
            ])
            #expect(entries.first { $0.path == "isms/notes.md" }?.diagnostics == [
                "\(input.path)/isms/notes.md: not converted: '.md' is not a supported format (CSV, TSV, TXT, XML, JSON, NDJSON)",
            ])
        }
    }

    @Test func aFilesDiagnosticsAreListedUpToALimitAndCountedPastIt() throws {
        // 1,200 risks each due on an ambiguous date; 150 objects of no known kind in a JSON array cut off at the end.
        try withFolders(empty: true) { input, output in
            let rows = (1...1_200).map { "R-\($0),Risk \($0),05/06/2024" }
            try ("Risk ID,Title,Due Date\n" + rows.joined(separator: "\n") + "\n").write(to: input.appendingPathComponent("risks.csv"), atomically: true, encoding: .utf8)
            let objects = (1...150).map { "{\"colour\": \"blue \($0)\"}" }
            try ("[\n" + objects.joined(separator: ",\n") + ",\n{\"colour\": \"gr").write(to: input.appendingPathComponent("odd.json"), atomically: true, encoding: .utf8)
            let result = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "-q"])
            #expect(result.status == 3)
            let files = try summary(output).files
            let risks = try #require(files.first { $0.path == "risks.csv" })
            #expect(risks.diagnostics.count == BatchConverter.listedDiagnostics)
            #expect(risks.diagnostics.last == "\(input.path)/risks.csv:101:1: warning: Due Date: ambiguous date '05/06/2024' read as 5 June 2024 (day first); use --date-order mdy if it is month first")
            #expect(risks.omittedDiagnostics == 1_100)
            let odd = try #require(files.first { $0.path == "odd.json" })
            #expect(odd.status == "failed" && odd.rejected == 150)
            #expect(odd.diagnostics.count == BatchConverter.listedDiagnostics + 1)
            #expect(odd.diagnostics.last == "\(input.path)/odd.json:152:15: error: unexpected end of file inside array started at line 1")
            #expect(odd.omittedDiagnostics == 50)
            // Every rejected record is in the rejects file, written as they came.
            let rejects = try String(contentsOf: output.appendingPathComponent("odd.json.rejects.ndjson"), encoding: .utf8)
            #expect(rejects.split(separator: "\n").count == 150)
        }
    }

    @Test func theConversionLogOfABatchListsTheFirstRejectsAndCountsTheRest() throws {
        // Every row of the export has a stray quote: 10,005 records rejected, more than a log lists.
        try withFolders(empty: true) { input, output in
            let rows = (1...(RegisterInput.keptProblems + 5)).map { "R-\($0),Bias in \"CV screening,Likely" }
            try ("Risk ID,Title,Likelihood\n" + rows.joined(separator: "\n") + "\n").write(to: input.appendingPathComponent("risks.csv"), atomically: true, encoding: .utf8)
            let result = try TestSupport.runAIMS(["batch", input.path, "-o", output.path, "-q", "--report", "log", "--format", "json"])
            #expect(result.status == 1, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("reports/log.json"))) as? [String: Any]
            let log = report?["data"] as? [String: Any]
            let omitted = log?["omitted"] as? [String: Any]
            #expect(omitted?["rejects"] as? Int == 5)
            #expect((log?["rejects"] as? [Any])?.count == RegisterInput.keptProblems)
        }
    }

    @Test func aMissingFolderIsAUsageError() throws {
        let result = try TestSupport.runAIMS(["batch", "Fixtures/no-such-folder", "-o", "/tmp/aims-batch-none"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'Fixtures/no-such-folder' is not a folder"))
    }
}
