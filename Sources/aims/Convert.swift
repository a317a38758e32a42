import AIMSBridge
import ArgumentParser

/// `aims convert`: exports in, canonical register out.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert exports (CSV, XML, JSON, NDJSON) into the canonical register (aims-register/1).",
        discussion: """
        Each FILE is read as a stream; '-' reads standard input. Without -o the register goes to \
        standard output. Diagnostics go to standard error as 'path:line:col: warning|error: message'.
        Exit codes: 0 all converted; 1 converted with rejected records (or warnings under --strict); \
        2 usage error; 3 an input could not be read or parsed.
        """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case json, ndjson
    }

    @Argument(help: "Export files to convert ('-' for standard input).")
    var files: [String]

    @Option(name: .shortAndLong, help: "Output path (default: standard output).")
    var output: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .json

    @OptionGroup var conversion: ConversionOptions

    @Option(help: "Write rejected records here as NDJSON (locator, reason, raw text).")
    var rejects: String?

    @Flag(help: "Add to every resolved requirement reference the requirements it maps to in the other frameworks (crosswalks, up to two hops), with relationship and path.")
    var expand = false

    @Flag(help: "Exit with 1 when there are warnings, not only when records are rejected.")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print no per-source summary on standard error.")
    var quiet = false

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input ('-') can be read only once")
        }
        for target in [output, rejects].compactMap({ $0 }) {
            if let problem = outputFileProblem(target, files) { throw ValidationError(problem) }
        }
        if let output, output != "-", output == rejects {
            throw ValidationError("the register and the rejects cannot both go to '\(output)'")
        }
    }

    func run() throws {
        let printer = DiagnosticPrinter()
        var library: MappingLibrary?
        if expand {
            library = MappingsLoader.load(directories: conversion.mappingDirectories, diagnostics: printer)
            if printer.errorCount > 0 { throw ExitCode(ExitStatus.unreadable.rawValue) }
        }
        let options = try conversion.makeOptions(printer: printer, expandWith: library)
        let converter = Converter(options: options, diagnostics: printer)
        var failed = false
        do {
            let outputFile = try OutputFile(path: output ?? "-")
            var rejectsWriter = try rejects.map { path throws(OutputError) in RejectsWriter(output: try OutputFile(path: path)) }
            var summaries: [SourceSummary] = []
            var sink: any RegisterSink = format == .ndjson
                ? NDJSONRegisterWriter(output: outputFile) : JSONRegisterWriter(output: outputFile)
            for file in files {
                let outcome = try converter.convert(path: file, into: &sink) { rejected throws(OutputError) in
                    try rejectsWriter?.add(rejected)
                }
                if outcome.failure != nil { failed = true }
                summaries.append(outcome.summary)
            }
            try sink.finish(sources: summaries)
            try rejectsWriter?.finish()
            printer.flushSuppressed()
            if !quiet { printSummary(summaries, printer: printer) }
            let rejected = summaries.reduce(0) { $0 + $1.rejected }
            if failed { throw ExitCode(ExitStatus.unreadable.rawValue) }
            if rejected > 0 || (strict && printer.warningCount > 0) { throw ExitCode(ExitStatus.rejects.rawValue) }
        } catch let error as OutputError {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
    }

    /// "1 error", "2 errors".
    private func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// How many names of fields kept as extensions a source's line on standard error shows.
    static let listedFieldNames = 50

    private func printSummary(_ summaries: [SourceSummary], printer: DiagnosticPrinter) {
        for summary in summaries {
            var line = "\(summary.path): \(summary.format), profile \(summary.profile): \(summary.records) records, "
                + "\(summary.converted) converted, \(summary.rejected) rejected"
            if !summary.unmappedFields.isEmpty {
                // One line per source, even when a header holds line breaks; the first names of
                // an export with hundreds (the register names up to 1,000).
                let names = summary.unmappedFields.prefix(Convert.listedFieldNames).map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
                let more = summary.unmappedFields.count - names.count
                line += "; kept as extensions: \(names.joined(separator: ", "))" + (more > 0 ? " and \(more) more" : "")
            }
            printer.printError(line)
        }
        let records = summaries.reduce(0) { $0 + $1.records }
        let rejected = summaries.reduce(0) { $0 + $1.rejected }
        printer.printError("\(counted(summaries.count, "source")), \(counted(records, "record")), \(records - rejected) converted, "
            + "\(rejected) rejected; \(counted(printer.errorCount, "error")), \(counted(printer.warningCount, "warning"))")
    }
}
