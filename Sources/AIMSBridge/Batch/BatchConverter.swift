import Foundation
import Synchronization

/// What happened to one file of a batch.
public struct BatchFileResult: Sendable, Codable, Equatable {
    /// `converted`, `rejected` (converted, some records rejected), `failed` (could not be read
    /// or parsed to its end), `skipped` (not a supported format) or `not run` (`--fail-fast`).
    public var status: String
    /// The path relative to the input folder.
    public var path: String
    /// SHA-256 of the input (empty when not read).
    public var sha256: String
    /// The register written, relative to the output folder.
    public var output: String?
    /// The rejected records written, relative to the output folder.
    public var rejects: String?
    /// Records read.
    public var records: Int
    /// Records rejected.
    public var rejected: Int
    /// Seconds the conversion took (of the run that converted it).
    public var seconds: Double
    /// Errors and warnings, compiler style: the first ``BatchConverter/listedDiagnostics`` of the
    /// file, and its fatal error if it had one.
    public var diagnostics: [String]
    /// How many more errors and warnings the file raised than are listed (absent when none).
    public var omittedDiagnostics: Int?
}

/// The batch's record of every file (`batch-summary.json`): what a later run compares against,
/// and what a pipeline reads to see what failed.
public struct BatchSummary: Sendable, Codable, Equatable {
    /// `aims-batch/1`.
    public var schema = "aims-batch/1"
    /// The conversion settings the files were converted with; a run with other settings
    /// converts every file again.
    public var settings: String
    /// One entry per file found, sorted by path.
    public var files: [BatchFileResult]

    /// Whether a file failed.
    public var failed: Bool { files.contains { $0.status == "failed" || $0.status == "not run" } }
    /// Whether records were rejected.
    public var rejected: Bool { files.contains { $0.rejected > 0 } }
}

/// Progress of a batch, reported after every file.
public struct BatchProgress: Sendable {
    /// The file just finished.
    public var file: BatchFileResult
    /// Whether it was reused from the previous run (its input had not changed).
    public var unchanged: Bool
    /// Files finished so far.
    public var done: Int
    /// Files in all.
    public var total: Int
    /// Records read so far.
    public var records: Int
    /// Input bytes of the files finished so far.
    public var bytesDone: Int
    /// Input bytes of all the files.
    public var bytesTotal: Int
    /// Seconds since the batch started.
    public var elapsed: Double
}

/// Converts every supported file under a folder into a mirrored tree of registers, in parallel
/// across files. One bad file never stops the others; a file whose content and settings have not
/// changed since the last run (by SHA-256, recorded in `batch-summary.json`) is not converted
/// again, and an output whose bytes would not change is not rewritten.
public struct BatchConverter: Sendable {
    /// File extensions converted (anything else is skipped and listed).
    public static let supportedExtensions: Set<String> = ["csv", "tsv", "txt", "xml", "json", "ndjson", "jsonl"]
    /// The summary's file name in the output folder.
    public static let summaryName = "batch-summary.json"
    /// How many of a file's diagnostics the summary lists; the rest are counted. An export can
    /// raise a warning on every row, and the summary (held until the batch ends) would grow with it.
    public static let listedDiagnostics = 100

    private let input: String
    private let output: String
    private let options: ConvertOptions
    private let settings: String
    private let jobs: Int
    private let failFast: Bool

    /// Creates a batch from `input` into `output`; `settings` names the conversion settings (a
    /// changed value converts everything again).
    public init(input: String, output: String, options: ConvertOptions, settings: String, jobs: Int, failFast: Bool) {
        self.input = input.hasSuffix("/") && input.count > 1 ? String(input.dropLast()) : input
        self.output = output.hasSuffix("/") && output.count > 1 ? String(output.dropLast()) : output
        self.options = options
        self.settings = settings
        self.jobs = max(1, jobs)
        self.failFast = failFast
    }

    /// The files under the input folder (relative paths, sorted), leaving out hidden files and
    /// folders and the output folder when it lies inside the input folder.
    public func files() throws(OutputError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: input) else {
            throw OutputError("cannot read the folder '\(input)'")
        }
        let outputInside = relative(output)
        var found: [String] = []
        while let path = enumerator.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            let isDirectory = (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory
            if name.hasPrefix(".") || (outputInside.map { path == $0 || path.hasPrefix($0 + "/") } ?? false) {
                if isDirectory { enumerator.skipDescendants() }
                continue
            }
            if !isDirectory { found.append(path) }
        }
        return found.sorted()
    }

    /// `path` relative to the input folder, when it lies inside it.
    private func relative(_ path: String) -> String? {
        let base = URL(fileURLWithPath: input).standardizedFileURL.path
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        return target.hasPrefix(base + "/") ? String(target.dropFirst(base.count + 1)) : nil
    }

    /// Converts the files, calling `progress` (from worker threads, one call at a time) after
    /// each, and returns the summary (not yet written).
    public func run(_ files: [String], previous: BatchSummary?, progress: @escaping @Sendable (BatchProgress) -> Void) -> BatchSummary {
        let reusable = previous?.settings == settings ? Dictionary(previous!.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a }) : [:]
        let sizes = files.map { (try? FileManager.default.attributesOfItem(atPath: "\(input)/\($0)")[.size] as? Int) ?? 0 }
        struct State {
            var next = 0
            var results: [BatchFileResult?]
            var done = 0
            var records = 0
            var bytes = 0
            var stopped = false
        }
        let state = Mutex(State(results: Array(repeating: nil, count: files.count)))
        let started = Date()
        let total = sizes.reduce(0, +)
        let workersPerFile = max(1, (ProcessInfo.processInfo.activeProcessorCount + 1) / jobs)
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(1, files.count)) {
            group.enter()
            let thread = Thread {
                while true {
                    let claim: (index: Int, stopped: Bool)? = state.withLock { state in
                        guard state.next < files.count else { return nil }
                        state.next += 1
                        return (state.next - 1, state.stopped)
                    }
                    guard let claim else { break }
                    let path = files[claim.index]
                    var unchanged = false
                    var result: BatchFileResult
                    if claim.stopped {
                        result = BatchFileResult(status: "not run", path: path, sha256: "", records: 0, rejected: 0, seconds: 0,
                                                 diagnostics: ["not converted: --fail-fast stopped the batch after a failure"])
                    } else if let reused = reuse(path, from: reusable) {
                        result = reused
                        unchanged = true
                    } else {
                        result = convert(path, workers: workersPerFile)
                    }
                    let report: BatchProgress = state.withLock { state in
                        state.results[claim.index] = result
                        state.done += 1
                        state.records += result.records
                        state.bytes += sizes[claim.index]
                        if failFast && result.status == "failed" { state.stopped = true }
                        return BatchProgress(file: result, unchanged: unchanged, done: state.done, total: files.count,
                                             records: state.records, bytesDone: state.bytes, bytesTotal: total,
                                             elapsed: Date().timeIntervalSince(started))
                    }
                    progress(report)
                }
                group.leave()
            }
            thread.stackSize = 1 << 21
            thread.start()
        }
        group.wait()
        return BatchSummary(settings: settings, files: state.withLock { $0.results.compactMap { $0 } })
    }

    /// The previous result for `path`, when its input and outputs are still as they were.
    private func reuse(_ path: String, from previous: [String: BatchFileResult]) -> BatchFileResult? {
        // A file that failed on its content fails the same way again; one that could not be read
        // (no digest) or was not run is tried again.
        guard let known = previous[path], known.status != "not run", known.status == "skipped" || !known.sha256.isEmpty else { return nil }
        if known.status == "skipped" { return BatchConverter.isSupported(path) ? nil : known }
        for file in [known.output, known.rejects].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: "\(output)/\(file)") {
            return nil
        }
        guard notAFile(path) == nil, let digest = try? ByteSource(path: "\(input)/\(path)").finishDigest(),
              digest == known.sha256 else { return nil }
        return known
    }

    /// Why `path` is not read, when it is no regular file (links followed): a folder reached
    /// through a link is not walked, and a named pipe, socket or device is not read (reading a
    /// pipe that no one writes to never ends).
    private func notAFile(_ path: String) -> String? {
        var info = stat()
        guard stat("\(input)/\(path)", &info) == 0, (info.st_mode & S_IFMT) != S_IFREG else { return nil }
        return (info.st_mode & S_IFMT) == S_IFDIR ? "a link to a folder is not followed"
            : "not a regular file (a named pipe, socket or device)"
    }

    static func isSupported(_ path: String) -> Bool {
        supportedExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// Converts one file into `<output>/<path>.register.json` (and `.rejects.ndjson`).
    private func convert(_ path: String, workers: Int) -> BatchFileResult {
        if let what = notAFile(path) {
            return BatchFileResult(status: "skipped", path: path, sha256: "", records: 0, rejected: 0, seconds: 0,
                                   diagnostics: ["\(input)/\(path): not converted: \(what)"])
        }
        guard BatchConverter.isSupported(path) else {
            // A workbook or a PDF among the exports is named for what it is, with what to do.
            let prefix = try? ByteSource(path: "\(input)/\(path)", hashing: false).peek(4096)
            let reason = prefix.flatMap { SourceFormat.binaryDocument(path: path, prefix: $0) }.map { "this file is \($0)" }
                ?? "'.\((path as NSString).pathExtension)' is not a supported format (CSV, TSV, TXT, XML, JSON, NDJSON)"
            return BatchFileResult(status: "skipped", path: path, sha256: "", records: 0, rejected: 0, seconds: 0,
                                   diagnostics: ["\(input)/\(path): not converted: \(reason)"])
        }
        let started = Date()
        let diagnostics = DiagnosticLog(keeping: BatchConverter.listedDiagnostics)
        let registerName = path + ".register.json"
        let rejectsName = path + ".rejects.ndjson"
        var result = BatchFileResult(status: "converted", path: path, sha256: "", output: registerName, records: 0, rejected: 0,
                                     seconds: 0, diagnostics: [])
        var fatal: Diagnostic?
        do {
            try FileManager.default.createDirectory(atPath: ("\(output)/\(registerName)" as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            var sink = JSONRegisterWriter(output: try OutputFile(path: "\(output)/\(registerName)", keepUnchanged: true))
            // Rejected records are written as they come (a file can reject every one of its
            // rows); the file is made at the first one.
            var rejects: RejectsWriter?
            let outcome = try Converter(options: options, diagnostics: diagnostics, workers: workers)
                .convert(path: "\(input)/\(path)", into: &sink) { rejected throws(OutputError) in
                    if rejects == nil {
                        rejects = RejectsWriter(output: try OutputFile(path: "\(output)/\(rejectsName)", keepUnchanged: true))
                    }
                    try rejects!.add(rejected)
                }
            try sink.finish(sources: [outcome.summary])
            result.sha256 = outcome.summary.sha256
            result.records = outcome.summary.records
            result.rejected = outcome.summary.rejected
            if let rejects {
                try rejects.finish()
                result.rejects = rejectsName
                result.status = "rejected"
            } else {
                try? FileManager.default.removeItem(atPath: "\(output)/\(rejectsName)")
            }
            if let failure = outcome.failure {
                result.status = "failed"
                fatal = Diagnostic(.error, failure.message, at: failure.locator)
            }
        } catch {
            let message = (error as? OutputError)?.message ?? "cannot write the register of '\(path)': \(error.localizedDescription)"
            fatal = Diagnostic(.error, message, at: Locator(file: "\(input)/\(path)", line: 1))
            diagnostics.emit(fatal!)
            result.status = "failed"
        }
        result.diagnostics = diagnostics.diagnostics.filter { $0.severity != .note }.map(\.description)
        var omitted = diagnostics.counts.omittedWarnings + diagnostics.counts.omittedErrors
        // The error that ended the file is listed even past the first ones (it comes last).
        if let fatal, !result.diagnostics.contains(fatal.description) {
            result.diagnostics.append(fatal.description)
            omitted -= 1
        }
        result.omittedDiagnostics = omitted > 0 ? omitted : nil
        result.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        return result
    }
}
