import Foundation
import Testing
@testable import AIMSBridge

/// Paths and helpers shared by the tests.
enum TestSupport {
    /// The package root (tests run fixtures by paths relative to it, as a user would).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding checked-in expected outputs.
    static let goldenDirectory = packageRoot.appendingPathComponent("Tests/Golden")

    /// Runs `body` with the package root as the current directory, so source paths in outputs
    /// read `Fixtures/...` whatever directory the tests were started from.
    static func inPackageRoot<T>(_ body: () throws -> T) rethrows -> T {
        _ = FileManager.default.changeCurrentDirectoryPath(packageRoot.path)
        return try body()
    }

    /// Writes `bytes` to a temporary file (removed afterwards) so that a `ByteSource` can read it
    /// in small chunks.
    static func withTemporaryFile<R>(_ bytes: [UInt8], _ body: (String) throws -> R) throws -> R {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aims-test-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    /// A fresh temporary directory, inside `scratchRoot`.
    static func temporaryDirectory() throws -> URL {
        let url = scratchRoot.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The folder of the test process's temporary directories, removed, with all they hold, when
    /// the process exits: the tests make them in many places and did not remove them one by one
    /// (each run left about thirty in the system's temporary folder).
    private static let scratchRoot: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aims-tests-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: TestSupport.scratchRoot) }
        return url
    }()

    /// A fresh mappings folder holding `files` (paths relative to it, such as
    /// `profiles/mine.yaml`, → their text), for `--mappings` and the loaders.
    static func mappingsFolder(_ files: [String: String]) throws -> URL {
        let root = try temporaryDirectory()
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// The `aims` executable built beside the test bundle.
    static var aimsExecutable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("aims")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/aims")
    }

    /// What a run of `aims` printed and returned.
    struct RunResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `aims` with `arguments` in the package root, with `environment` added to this process's.
    static func runAIMS(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                        timeout: TimeInterval? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = aimsExecutable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.currentDirectoryURL = packageRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let timeout {
            // A run that hangs is killed, and fails on its status rather than never ending.
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { kill(pid, SIGKILL) } }
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return RunResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Compares `actual` with the golden file `name`. Set `AIMS_RECORD_GOLDEN=1` to re-record.
    /// A missing golden file is written and the test fails, so a new golden is always looked at.
    static func assertGolden(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = goldenDirectory.appendingPathComponent(name)
        let record = ProcessInfo.processInfo.environment["AIMS_RECORD_GOLDEN"] == "1"
        guard !record, let expected = try? String(contentsOf: url, encoding: .utf8) else {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            if !record {
                Issue.record("golden file \(name) was missing and has been recorded; check it and re-run", sourceLocation: sourceLocation)
            }
            return
        }
        if expected != actual {
            Issue.record("output differs from golden file \(name) (re-record with AIMS_RECORD_GOLDEN=1):\n\(try diff(expected, actual))",
                         sourceLocation: sourceLocation)
        }
    }

    /// A unified diff of two texts, from diff(1).
    static func diff(_ expected: String, _ actual: String) throws -> String {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let left = directory.appendingPathComponent("expected")
        let right = directory.appendingPathComponent("actual")
        try expected.write(to: left, atomically: true, encoding: .utf8)
        try actual.write(to: right, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        process.arguments = ["-u", left.path, right.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data.prefix(20_000), as: UTF8.self)
    }

    /// Reads every item from a reader.
    static func readAll(_ reader: inout some RecordReader) throws -> [IngestItem] {
        var items: [IngestItem] = []
        while let item = try reader.next() { items.append(item) }
        return items
    }

    /// The records among items.
    static func records(_ items: [IngestItem]) -> [SourceRecord] {
        items.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }

    /// The rejected records among items.
    static func rejected(_ items: [IngestItem]) -> [RejectedRecord] {
        items.compactMap { if case .rejected(let rejected) = $0 { rejected } else { nil } }
    }
}

/// Report files rendered into memory, in the order they were written.
struct MemoryReportFiles: ReportFileSink {
    private(set) var names: [String] = []
    private(set) var files: [String: String] = [:]

    mutating func open(_ name: String) {
        names.append(name)
        files[name] = ""
    }

    mutating func write(_ text: String) {
        files[names.last!, default: ""] += text
    }

    mutating func close() {}
}
