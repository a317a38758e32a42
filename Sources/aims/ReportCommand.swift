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
    }

    @Argument(help: "Registers or exports to report on.")
    var inputs: [String]

    @Option(help: "Report to build (repeatable): soa, integrated, risks, inventory, gaps, log or all.")
    var kind: [KindOption] = [.all]

    @Option(help: "Output format (repeatable): html, md, csv or json.")
    var format: [ReportFormat] = [.html]

    @Option(name: .shortAndLong, help: "Folder to write the reports into (created if missing).")
    var output: String

    @Option(help: "Framework for the gaps report (repeatable; default: every loaded framework), e.g. iso42001:2023.")
    var target: [String] = []

    @Option(help: "Annex shown beside ISO/IEC 42001 Annex A in the SoA (repeatable): iso27001:2022.")
    var includeAnnex: [String] = []

    @Option(help: "Title of the report set.")
    var title: String = "AI management system"

    @Option(help: "How many linked records a cell lists before '… and N more' (0: all).")
    var maxLinks: Int = 20

    @Option(help: "Folder of templates (report.mustache, summary.mustache, style.mustache) that replace the shipped ones by name.")
    var templateDir: String?

    @Option(help: "Date the reports are as of, YYYY-MM-DD (overdue treatments, expired evidence). Default: today (UTC).")
    var asOf: String?

    @OptionGroup var conversion: ConversionOptions

    func validate() throws {
        if let asOf, asOf.count != 10 || DateParser().parse(asOf).value.iso != asOf {
            throw ValidationError("--as-of must be a date as YYYY-MM-DD, not '\(asOf)'")
        }
        if inputs.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input ('-') can be read only once")
        }
        if maxLinks < 0 { throw ValidationError("--max-links must be 0 (all) or more") }
        for framework in target + includeAnnex where ConversionOptions.frameworkKey(framework) == nil {
            throw ValidationError("unknown framework '\(framework)'; use iso42001:2023, iso27001:2022, iso27001:2013, iso9001:2015, iso23894:2023, eu-ai-act:2024 or nist-ai-rmf:1.0")
        }
    }

    func run() throws {
        let printer = DiagnosticPrinter()
        let library = MappingsLoader.load(directories: conversion.mappingDirectories, diagnostics: printer)
        let obligations = ObligationRules.load(directories: conversion.mappingDirectories, diagnostics: printer)
        for rules in obligations { rules.validate(against: library, diagnostics: printer) }
        if printer.errorCount > 0 || library.catalogs.isEmpty {
            printer.printError("aims: error: the mappings in \(conversion.mappingDirectories.joined(separator: ", ")) could not be loaded")
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        for framework in includeAnnex.compactMap(ConversionOptions.frameworkKey)
        where !(library.catalog(framework)?.requirements.contains { $0.kind == "control" } ?? false) {
            printer.printError("aims: error: --include-annex \(framework): that catalog has no Annex A controls; use iso27001:2022 or iso27001:2013")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        var html: HTMLReportRenderer?
        if format.contains(.html) {
            do {
                html = try HTMLReportRenderer(directories: conversion.mappingDirectories.map { "\($0)/templates" } + (templateDir.map { [$0] } ?? []))
            } catch {
                printer.printError(error.description)
                throw ExitCode(ExitStatus.unreadable.rawValue)
            }
        }
        let diagnostics = DiagnosticList()
        let (input, failed) = RegisterInputLoader(options: try conversion.makeOptions(printer: printer))
            .load(paths: inputs, diagnostics: diagnostics)
        for diagnostic in input.diagnostics { printer.emit(diagnostic) }
        printer.flushSuppressed()
        if failed { throw ExitCode(ExitStatus.unreadable.rawValue) }
        let settings = ReportSettings(title: title, asOf: asOf ?? ReportCommand.today(),
                                      targets: target.compactMap(ConversionOptions.frameworkKey),
                                      includeAnnexes: includeAnnex.compactMap(ConversionOptions.frameworkKey), maxLinks: maxLinks)
        let kinds: Set<ReportKind> = kind.contains(.all) ? Set(ReportKind.allCases)
            : Set(kind.compactMap { ReportKind(rawValue: $0.rawValue) })
        let set = ReportSet(kinds: kinds, input: input, library: library, obligations: obligations, settings: settings)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            printer.printError("aims: error: cannot create '\(output)': \(error.localizedDescription)")
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        var written = 0
        do {
            try set.render(formats: Set(format), html: html) { name, text throws(OutputError) in
                let path = "\(output)/\(name)"
                if inputs.contains(path) { throw OutputError("output '\(path)' would overwrite an input") }
                let outputFile = try OutputFile(path: path)
                try outputFile.write(text.utf8)
                try outputFile.commit()
                written += 1
            }
        } catch {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        printer.printError("\(output): \(written) files (\(set.reports.map(\.kind.rawValue).joined(separator: ", ")) as \(format.map(\.rawValue).joined(separator: ", "))) as of \(settings.asOf); "
            + "\(input.register.records.count) records from \(input.register.sources.count) sources, \(input.rejects.count) rejected")
        if !input.rejects.isEmpty { throw ExitCode(ExitStatus.rejects.rawValue) }
    }

    /// Today's date in UTC, as YYYY-MM-DD.
    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}

extension ReportFormat: ExpressibleByArgument {}
