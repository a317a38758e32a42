import Foundation
import Testing
@testable import AIMSBridge

/// `aims convert` and `aims batch` killed mid-run (SIGKILL, so nothing can clean up): what is in
/// place afterwards is the complete file of an earlier run, or nothing, never a partial one.
@Suite(.serialized) struct CrashSafetyTests {
    /// A risk register big enough that converting it takes a while (about 30 MB).
    private func largeExport(in folder: URL, rows: Int = 250_000) throws -> URL {
        var text = "Risk ID,Risk title,Description,Risk owner,Likelihood,Impact,Status,Due date,Controls\n"
        text.reserveCapacity(rows * 130)
        for row in 1...rows {
            text += "R-\(row),Model drift in scoring \(row),\"Inputs shift, so the score degrades; see ticket \(row)\",Ana Silva,Likely,Major,Open,31/03/2025,A.6.2.6\n"
        }
        let url = folder.appendingPathComponent("large.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Starts `aims` with `arguments`, waits until it has written something under `watch` (or
    /// `delay` seconds), kills it with SIGKILL and returns once it is gone. Its spool files (in
    /// `$TMPDIR`, which nothing can remove after a SIGKILL) go to a folder removed afterwards.
    private func killMidRun(_ arguments: [String], watching watch: URL, delay: Double = 3) throws {
        let spool = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: spool) }
        let process = Process()
        process.executableURL = TestSupport.aimsExecutable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": spool.path]) { $1 }
        process.currentDirectoryURL = TestSupport.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while Date() < deadline {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: watch.path)) ?? []
            if entries.contains(where: { $0.contains(".tmp-") }) { break }
            usleep(10_000)
        }
        usleep(200_000)
        #expect(process.isRunning, "the run ended before it could be killed; use a larger input")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
    }

    @Test func aKilledConvertLeavesTheEarlierRegisterOrNone() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try largeExport(in: folder)
        let register = folder.appendingPathComponent("register.json")
        try killMidRun(["convert", input.path, "-o", register.path], watching: folder)
        #expect(!FileManager.default.fileExists(atPath: register.path), "a partial register was left in place")

        let earlier = Data("{\"schema\": \"aims-register/1\", \"sources\": []}\n".utf8)
        try earlier.write(to: register)
        try killMidRun(["convert", input.path, "-o", register.path, "--format", "ndjson"], watching: folder)
        #expect(try Data(contentsOf: register) == earlier, "the earlier register was replaced by a partial one")
    }

    @Test func aKilledBatchLeavesCompleteFilesOnly() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        _ = try largeExport(in: inputs, rows: 60_000)
        try FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent("Fixtures/soa-controls.csv"),
                                         to: inputs.appendingPathComponent("soa-controls.csv"))
        let output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try killMidRun(["batch", inputs.path, "-o", output.path, "--jobs", "2"], watching: output)
        // Whatever is in place is complete: every register reads back, and nothing half-written has the final name.
        for name in (try FileManager.default.contentsOfDirectory(atPath: output.path)) where !name.hasPrefix(".") {
            #expect(name.hasSuffix(".register.json"), "\(name) should not exist before the batch ends")
            #expect(throws: Never.self) { try RegisterReader.read(path: output.appendingPathComponent(name).path) }
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("batch-summary.json").path))
        // A run afterwards completes the batch.
        let again = try TestSupport.runAIMS(["batch", inputs.path, "-o", output.path, "-q"])
        #expect(again.status == 0, "\(again.stderr)")
        let register = try RegisterReader.read(path: output.appendingPathComponent("large.csv.register.json").path)
        #expect(register.records.count == 60_000)
    }
}
