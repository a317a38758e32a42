import AIMSBridge
import ArgumentParser
import Foundation

/// `aims merge`: registers or exports in, one merged register out.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge registers and exports (27001 and 42001 evidence, several tools) into one register.",
        discussion: """
        Records of the same kind merge when they have the same id within one source family (the \
        exports of one tool), or with --match title|both the same normalized title and linked systems \
        across sources. A merged record lists its contributors in 'mergedFrom'; values that lost go \
        to 'conflicts'. References carry the requirements they lead to through the crosswalks. The \
        output does not depend on the order of the inputs (except with --prefer first).
        Exit codes: 0 merged; 1 merged, but records were rejected while converting; 2 usage error; \
        3 an input could not be read or the output not written.
        """
    )

    @Argument(help: "Registers or exports to merge.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output path ('-' for standard output).")
    var output: String

    @Option(help: "Output format: json or ndjson.")
    var format: Convert.OutputFormat = .json

    @OptionGroup var merging: MergeArguments

    @OptionGroup var conversion: ConversionOptions

    func validate() throws {
        if inputs.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input ('-') can be read only once")
        }
        if let problem = outputFileProblem(output, inputs) { throw ValidationError(problem) }
    }

    func run() throws {
        let printer = DiagnosticPrinter()
        let library = MappingsLoader.load(directories: conversion.mappingDirectories, diagnostics: printer)
        if printer.errorCount > 0 { throw ExitCode(ExitStatus.unreadable.rawValue) }
        let options = try conversion.makeOptions(printer: printer)
        // Problems are printed as they are found; a merge keeps none of them.
        let diagnostics = DiagnosticLog(keeping: 0, forwardingTo: printer)
        let merger = RegisterMerger(options: merging.options(for: conversion, library: library))
        // The records wait on disk while they are matched, and merged records are written as
        // they are made: memory holds a few hundred bytes per record.
        let store: MergeStore
        do {
            store = try MergeStore(for: merger)
        } catch {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        let (input, failed) = RegisterInputLoader(options: options).load(paths: inputs, diagnostics: diagnostics, store: store)
        printer.flushSuppressed()
        if failed { throw ExitCode(ExitStatus.unreadable.rawValue) }
        let summary: MergeSummary
        do {
            let file = try OutputFile(path: output)
            summary = try merger.merge(store, sources: input.register.sources,
                                       into: format == .ndjson ? NDJSONRegisterWriter(output: file) : JSONRegisterWriter(output: file))
        } catch {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        var perSource: [String: Int] = [:]
        for entry in store.entries { perSource[entry.source, default: 0] += 1 }
        for source in perSource.keys.sorted() { printer.printError("\(source): \(perSource[source]!) records in") }
        printer.printError("merged \(store.count) records into \(summary.line)")
        if input.rejectCount > 0 { throw ExitCode(ExitStatus.rejects.rawValue) }
    }
}

/// How records are merged, shared by `aims merge` and `aims batch`.
struct MergeArguments: ParsableArguments {
    enum MatchOption: String, ExpressibleByArgument, CaseIterable {
        case id, title, both
    }

    @Option(help: "Which value wins when merged records disagree: newest, first, or a source (path, file name, profile or tool).")
    var prefer: String = "newest"

    @Option(help: "How records are matched: id (within a source family), title (normalized title and linked systems, across sources) or both.")
    var match: MatchOption = .id

    /// The merge options: source families from the tools of every loaded profile, references
    /// expanded with `library`.
    func options(for conversion: ConversionOptions, library: MappingLibrary) -> MergeOptions {
        var families: [String: String] = [:]
        // Problems with the profiles were reported when the conversion options were made.
        for profile in ProfileLoader.load(directories: conversion.mappingDirectories, diagnostics: DiagnosticList()) {
            families[profile.name] = profile.tool
        }
        return MergeOptions(prefer: MergePreference(prefer), match: MergeMatch(rawValue: match.rawValue) ?? .id,
                            families: families, expandWith: library)
    }
}
