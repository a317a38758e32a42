import AIMSBridge
import ArgumentParser
import Foundation

/// `aims report`: a register (or raw exports) in, integrated management-system reports out.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Build the SoA, integrated matrix, risk register, AI inventory, coverage gaps and conversion log.",
        discussion: """
        Each INPUT is a canonical register (from 'aims convert') or a raw export, converted on the way \
        with the same options as 'aims convert'. Files are written atomically into the output folder \
        with stable names: index.html, soa.html, risks.csv, gaps-iso42001-2023.csv, soa.json, …
        Exit codes: 0 reports written; 1 written, but records were rejected while converting; \
        2 usage error; 3 an input, mapping or template could not be read, or an output not written.
        """
    )

    enum KindOption: String, ExpressibleByArgument, CaseIterable {
        case soa, integrated, risks, inventory, gaps, log, all

        /// The reports the options name (`all`: every one).
        static func kinds(_ options: [KindOption]) -> Set<ReportKind> {
            options.contains(.all) ? Set(ReportKind.allCases) : Set(options.compactMap { ReportKind(rawValue: $0.rawValue) })
        }
    }

    @Argument(help: "Registers or exports to report on.")
    var inputs: [String]

    @Option(help: "Report to build (repeatable): soa, integrated, risks, inventory, gaps, log or all.")
    var kind: [KindOption] = [.all]

    @Option(name: .shortAndLong, help: "Folder to write the reports into (created if missing).")
    var output: String

    @OptionGroup var reporting: ReportOptions

    @OptionGroup var conversion: ConversionOptions

    func validate() throws {
        if inputs.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input ('-') can be read only once")
        }
        if let problem = outputFolderProblem(output) { throw ValidationError(problem) }
    }

    func run() throws {
        let printer = DiagnosticPrinter()
        let resources = try reporting.loadResources(conversion: conversion, printer: printer)
        // Problems are printed as they are found; the first ones are kept for the conversion log.
        let diagnostics = DiagnosticLog(keeping: RegisterInput.keptProblems, forwardingTo: printer)
        // Risks are spilled to a temporary file as they are read, so that reports on millions of
        // them are built in bounded memory.
        let spill: RiskSpill
        do {
            spill = try RiskSpill()
        } catch {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        let (input, failed) = RegisterInputLoader(options: try conversion.makeOptions(printer: printer))
            .load(paths: inputs, diagnostics: diagnostics, spill: spill)
        printer.flushSuppressed()
        if failed { throw ExitCode(ExitStatus.unreadable.rawValue) }
        let set = ReportSet(kinds: KindOption.kinds(kind), input: input, library: resources.library, obligations: resources.obligations,
                            settings: reporting.settings)
        let written = try reporting.write(set, resources: resources, to: output, inputs: inputs, keepUnchanged: false, printer: printer)
        printer.printError("\(output): \(written.files) files (\(set.reports.map(\.kind.rawValue).joined(separator: ", ")) as \(reporting.format.map(\.rawValue).joined(separator: ", "))) as of \(set.settings.asOf); "
            + "\(input.register.records.count + input.risks.count) records from \(input.register.sources.count) sources, \(input.rejectCount) rejected")
        if input.rejectCount > 0 { throw ExitCode(ExitStatus.rejects.rawValue) }
    }
}

