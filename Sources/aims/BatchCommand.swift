import AIMSBridge
import ArgumentParser
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `aims batch`: a folder of exports in, a mirrored folder of registers, one merged register and
/// reports out.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Convert every export under a folder, in parallel, into registers, one merged register and reports.",
        discussion: """
        Each supported file (.csv .tsv .txt .xml .json .ndjson .jsonl) under IN_DIR becomes \
        OUT_DIR/<path>.register.json (and <path>.rejects.ndjson when records are rejected); \
        OUT_DIR/register.json merges them all; OUT_DIR/batch-summary.json records every file's \
        status, counts, duration and diagnostics. Files whose content has not changed since the last \
        run are not converted again, and outputs whose content would not change are not rewritten.
        Exit codes: 0 every file converted; 1 records were rejected; 2 usage error; 3 a file failed \
        (the others are still converted, unless --fail-fast).
        """
    )

    @Argument(help: "Folder of exports (read recursively; hidden files and folders are left out).")
    var inputDirectory: String

    @Option(name: .shortAndLong, help: "Folder for the registers, the summary and the reports.")
    var output: String

    @Option(help: "Files converted at the same time (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Report to build from the merged register into OUT_DIR/reports (repeatable): soa, integrated, risks, inventory, gaps, log or all.")
    var report: [ReportCommand.KindOption] = []

    @Flag(help: "Stop converting after the first file that fails.")
    var failFast = false

    @Flag(name: .shortAndLong, help: "No progress on standard error.")
    var quiet = false

    @OptionGroup var merging: MergeArguments

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var conversion: ConversionOptions

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inputDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("'\(inputDirectory)' is not a folder")
        }
        let base = URL(fileURLWithPath: inputDirectory).standardizedFileURL.path
        if URL(fileURLWithPath: output).standardizedFileURL.path == base {
            throw ValidationError("the output folder cannot be the input folder")
        }
        if let problem = outputFolderProblem(output) { throw ValidationError(problem) }
        guard jobs >= 1 else { throw ValidationError("--jobs must be 1 or more") }
    }

    func run() throws {
        let printer = DiagnosticPrinter()
        let options = try conversion.makeOptions(printer: printer)
        let resources = try reporting.loadResources(conversion: conversion, printer: printer)
        let batch = BatchConverter(input: inputDirectory, output: output, options: options, settings: settingsFingerprint,
                                   jobs: jobs, failFast: failFast)
        let summaryPath = "\(output)/\(BatchConverter.summaryName)"
        let previous = FileManager.default.contents(atPath: summaryPath).flatMap { try? JSONDecoder().decode(BatchSummary.self, from: $0) }
        let files: [String]
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            files = try batch.files()
        } catch let error as OutputError {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        } catch {
            printer.printError("aims: error: cannot create '\(output)': \(error.localizedDescription)")
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        let terminal = isatty(2) == 1
        let display = BatchProgressDisplay(terminal: terminal, quiet: quiet, printer: printer)
        let summary = batch.run(files, previous: previous, progress: display.show)
        display.finish()
        if terminal {
            // The bar showed counts only: name the files that failed.
            for file in summary.files where file.status == "failed" {
                if let first = file.diagnostics.first(where: { $0.contains(": error: ") }) {
                    printer.printError("\(file.path): failed", "  " + first)
                } else {
                    printer.printError("\(file.path): failed")
                }
            }
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let file = try OutputFile(path: summaryPath, keepUnchanged: true)
            try file.write(Array((try? encoder.encode(summary)) ?? Data()) + [0x0A])
            try file.commit()
            let merger = RegisterMerger(options: merging.options(for: conversion, library: resources.library))
            let store = try MergeStore(for: merger)
            var merged = try registers(summary, into: store)
            // The records wait on disk while they are matched, and merged records are written as
            // they are made. For reports, the risks go to a spill file, as `aims report` reads
            // them, and the rest are held.
            let registerFile = try OutputFile(path: "\(output)/register.json", keepUnchanged: true)
            var held = Register()
            let spill = report.isEmpty ? nil : try RiskSpill()
            let mergeSummary = try merger.merge(store, sources: merged.register.sources,
                                                into: JSONRegisterWriter(output: registerFile)) { record throws(OutputError) in
                guard !report.isEmpty else { return }
                if record.kind == .risk, let spill { try spill.append(record) } else { held.records.append(record) }
            }
            held.sources = merger.mergedSources(merged.register.sources)
            merged.register = held
            if let spill { merged.risks = RiskRecords(spill: spill) }
            var reportLine = ""
            if !report.isEmpty {
                let set = ReportSet(kinds: ReportCommand.KindOption.kinds(report), input: merged, library: resources.library, obligations: resources.obligations,
                                    settings: reporting.settings)
                let written = try reporting.write(set, resources: resources, to: "\(output)/reports", inputs: [], keepUnchanged: true,
                                                  printer: printer)
                reportLine = "; reports: \(written.files) files in \(output)/reports (\(written.replaced) rewritten)"
            }
            let counts = Dictionary(grouping: summary.files, by: \.status).mapValues(\.count)
            let statuses = ["converted", "rejected", "failed", "skipped", "not run"].compactMap { status in counts[status].map { "\($0) \(status)" } }
            printer.printError("\(output): \(summary.files.count) files (\(statuses.joined(separator: ", "))); "
                + "register.json: \(mergeSummary.line)\(registerFile.replaced ? "" : " (unchanged)")\(reportLine)")
        } catch let error as OutputError {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        if summary.failed { throw ExitCode(ExitStatus.unreadable.rawValue) }
        if summary.rejected { throw ExitCode(ExitStatus.rejects.rawValue) }
    }

    /// The conversion settings, so that a run with other settings converts every file again.
    private var settingsFingerprint: String {
        let version = AIMS.configuration.version
        return "aims \(version); as=\(conversion.kind ?? ""); profile=\(conversion.profile ?? "detected"); framework=\(conversion.framework ?? "")"
            + "; record-path=\(conversion.recordPath ?? ""); date-order=\(conversion.dateOrder.rawValue)"
            + "; max-records=\(conversion.maxRecords.map(String.init) ?? ""); mappings=\(conversion.extraMappings.joined(separator: ","))"
    }

    /// The registers of the batch's files, their records put in `store` to merge (with their
    /// sources, and their rejects for the conversion log; their warnings are in the batch summary).
    /// A register that cannot be read to its end is left out whole.
    private func registers(_ summary: BatchSummary, into store: MergeStore) throws(OutputError) -> RegisterInput {
        var input = RegisterInput(register: Register())
        for file in summary.files {
            guard let name = file.output else { continue }
            let before = store.count
            var storeFailure: OutputError?
            do throws(RegisterReadError) {
                input.register.sources += try RegisterReader.read(path: "\(output)/\(name)") { record in
                    guard storeFailure == nil else { return }
                    do throws(OutputError) { try store.append(record) } catch { storeFailure = error }
                }
            } catch {
                store.keepFirst(before)
                continue
            }
            if let storeFailure { throw storeFailure }
            input.registerFiles.append("\(output)/\(name)")
            if let rejects = file.rejects {
                // The conversion log lists the first rejects and counts the rest, as `aims report` does.
                let read = RegisterReader.rejects(path: "\(output)/\(rejects)", keeping: RegisterInput.keptProblems - input.rejects.count)
                input.rejects += read.kept
                input.rejectCount += read.count
            }
        }
        return input
    }
}

/// Shows a batch's progress on standard error: a bar redrawn in place on a terminal (files,
/// records, MB/s, time left), one line per file otherwise.
final class BatchProgressDisplay: Sendable {
    private let terminal: Bool
    private let quiet: Bool
    private let printer: DiagnosticPrinter
    private let drawn = Mutex(false)

    init(terminal: Bool, quiet: Bool, printer: DiagnosticPrinter) {
        self.terminal = terminal
        self.quiet = quiet
        self.printer = printer
    }

    func show(_ progress: BatchProgress) {
        guard !quiet else { return }
        let file = progress.file
        if !terminal {
            let line = "\(file.path): \(file.status)\(progress.unchanged ? " (unchanged, not converted again)" : ""), "
                + "\(file.records) records, \(file.rejected) rejected, \(String(format: "%.2f", file.seconds)) s"
            if let first = file.diagnostics.first(where: { $0.contains(": error: ") }) ?? (file.status == "skipped" ? file.diagnostics.first : nil) {
                printer.printError(line, "  " + first)
            } else {
                printer.printError(line)
            }
            return
        }
        let width = 24
        let filled = progress.total == 0 ? width : width * progress.done / progress.total
        let megabytes = Double(progress.bytesDone) / 1e6
        let rate = progress.elapsed > 0 ? megabytes / progress.elapsed : 0
        let remaining = rate > 0 ? Double(progress.bytesTotal - progress.bytesDone) / 1e6 / rate : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let text = "\r[\(bar)] \(progress.done)/\(progress.total) files, \(progress.records) records, "
            + String(format: "%.1f MB/s, ETA %d:%02d", rate, Int(remaining) / 60, Int(remaining) % 60) + "\u{1B}[K"
        drawn.withLock { $0 = true }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Ends the bar's line.
    func finish() {
        if drawn.withLock({ $0 }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
