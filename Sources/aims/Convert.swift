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

    enum DateOrderOption: String, ExpressibleByArgument, CaseIterable {
        case dmy, mdy
    }

    @Argument(help: "Export files to convert ('-' for standard input).")
    var files: [String]

    @Option(name: .shortAndLong, help: "Output path (default: standard output).")
    var output: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .json

    @Option(name: .customLong("as"), help: "Kind of the records: systems, risks, controls, evidence, assessments or datasets (default: detected from the fields).")
    var kind: String?

    @Option(help: "Import profile: a name from 'aims profiles list', 'generic' (header synonyms only), or a profile file. Default: detected.")
    var profile: String?

    @Option(help: "Framework of bare requirement ids such as A.5.2 when the cell and header name none: iso42001:2023, iso27001:2022, iso27001:2013, iso9001:2015, iso23894:2023, eu-ai-act:2024 or nist-ai-rmf:1.0.")
    var framework: String?

    @Option(help: "XML element path (/unload/risk) or JSON Pointer (/data/items) of the records.")
    var recordPath: String?

    @Option(help: "How to read ambiguous dates like 04/05/2025: dmy (day first) or mdy.")
    var dateOrder: DateOrderOption = .dmy

    @Option(help: "Write rejected records here as NDJSON (locator, reason, raw text).")
    var rejects: String?

    @Flag(help: "Add to every resolved requirement reference the requirements it maps to in the other frameworks (crosswalks, up to two hops), with relationship and path.")
    var expand = false

    @Option(name: .customLong("mappings"), help: "A folder with profiles/, frameworks/ and crosswalks/ that extend the built-in mappings (repeatable).")
    var extraMappings: [String] = []

    @Flag(help: "Exit with 1 when there are warnings, not only when records are rejected.")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print no per-source summary on standard error.")
    var quiet = false

    func validate() throws {
        if let kind, RecordKind(userText: kind) == nil {
            throw ValidationError("unknown kind '\(kind)'; use systems, risks, controls, evidence, assessments or datasets")
        }
        if let framework, frameworkKey(framework) == nil {
            throw ValidationError("unknown framework '\(framework)'; use iso42001:2023, iso27001:2022, iso27001:2013, iso9001:2015, iso23894:2023, eu-ai-act:2024 or nist-ai-rmf:1.0")
        }
        if files.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input ('-') can be read only once")
        }
        for target in [output, rejects].compactMap({ $0 }) where target != "-" && files.contains(target) {
            throw ValidationError("output '\(target)' would overwrite an input")
        }
        if let output, output != "-", output == rejects {
            throw ValidationError("the register and the rejects cannot both go to '\(output)'")
        }
    }

    /// The framework key for `--framework` (`42001` and `ISO/IEC 42001:2023` work too).
    private func frameworkKey(_ text: String) -> String? {
        let supported = ["iso42001:2023", "iso27001:2022", "iso27001:2013", "iso9001:2015", "iso23894:2023",
                         "eu-ai-act:2024", "nist-ai-rmf:1.0"]
        return RequirementReferenceParser.frameworkKey(text).flatMap { supported.contains($0) ? $0 : nil }
    }

    func run() throws {
        let printer = DiagnosticPrinter()
        var library: MappingLibrary?
        if expand {
            library = MappingsLoader.load(directories: [MappingsLoader.builtInDirectory()] + extraMappings, diagnostics: printer)
            if printer.errorCount > 0 { throw ExitCode(ExitStatus.unreadable.rawValue) }
        }
        let profiles = ProfileLoader.load(directories: [MappingsLoader.builtInDirectory()] + extraMappings, diagnostics: printer)
        var chosen: ImportProfile?
        if let profile, profile != "generic" {
            if profile.hasSuffix(".yaml") || profile.hasSuffix(".yml") || profile.contains("/") {
                chosen = ProfileLoader.load(file: profile, diagnostics: printer)
                if chosen == nil { throw ExitCode(ExitStatus.usage.rawValue) }
            } else if let named = profiles.first(where: { $0.name == profile }) {
                chosen = named
            } else {
                printer.printError("aims: error: unknown profile '\(profile)'; see 'aims profiles list'")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
        let options = ConvertOptions(
            recordPath: recordPath,
            normalize: NormalizeOptions(dateOrder: dateOrder == .mdy ? .monthFirst : .dayFirst,
                                        kind: kind.flatMap(RecordKind.init(userText:)),
                                        framework: framework.flatMap(frameworkKey), expandWith: library),
            profile: chosen, candidateProfiles: profile == nil ? profiles : [])
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

    private func printSummary(_ summaries: [SourceSummary], printer: DiagnosticPrinter) {
        for summary in summaries {
            var line = "\(summary.path): \(summary.format), profile \(summary.profile): \(summary.records) records, "
                + "\(summary.converted) converted, \(summary.rejected) rejected"
            if !summary.unmappedFields.isEmpty {
                // One line per source, even when a header holds line breaks.
                let names = summary.unmappedFields.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
                line += "; kept as extensions: \(names.joined(separator: ", "))"
            }
            printer.printError(line)
        }
        let records = summaries.reduce(0) { $0 + $1.records }
        let rejected = summaries.reduce(0) { $0 + $1.rejected }
        printer.printError("\(counted(summaries.count, "source")), \(counted(records, "record")), \(records - rejected) converted, "
            + "\(rejected) rejected; \(counted(printer.errorCount, "error")), \(counted(printer.warningCount, "warning"))")
    }
}
