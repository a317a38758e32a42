import AIMSBridge
import ArgumentParser
import Foundation

/// The options that say how reports look, shared by `aims report` and `aims batch`.
struct ReportOptions: ParsableArguments {
    @Option(help: "Output format (repeatable): html, md, csv or json.")
    var format: [ReportFormat] = [.html]

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

    func validate() throws {
        if let asOf, asOf.count != 10 || DateParser().parse(asOf).value.iso != asOf {
            throw ValidationError("--as-of must be a date as YYYY-MM-DD, not '\(asOf)'")
        }
        if maxLinks < 0 { throw ValidationError("--max-links must be 0 (all) or more") }
        for framework in target + includeAnnex where ConversionOptions.frameworkKey(framework) == nil {
            throw ValidationError("unknown framework '\(framework)'; use iso42001:2023, iso27001:2022, iso27001:2013, iso9001:2015, iso23894:2023, eu-ai-act:2024 or nist-ai-rmf:1.0")
        }
    }

    /// The report settings.
    var settings: ReportSettings {
        ReportSettings(title: title, asOf: asOf ?? ReportOptions.today(), targets: target.compactMap(ConversionOptions.frameworkKey),
                       includeAnnexes: includeAnnex.compactMap(ConversionOptions.frameworkKey), maxLinks: maxLinks)
    }

    /// What building reports needs besides the register.
    struct Resources {
        var library: MappingLibrary
        var obligations: [ObligationRules]
        var html: HTMLReportRenderer?
    }

    /// Loads and checks the mappings, obligation rules and (for HTML) templates; prints what is
    /// wrong and exits 3 (2 for an annex without controls).
    func loadResources(conversion: ConversionOptions, printer: DiagnosticPrinter) throws -> Resources {
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
        return Resources(library: library, obligations: obligations, html: html)
    }

    /// Writes the report files into `directory` (created if missing), each atomically; with
    /// `keepUnchanged`, a file whose content is the same is left alone. Exits 3 on failure.
    func write(_ set: ReportSet, resources: Resources, to directory: String, inputs: [String], keepUnchanged: Bool,
               printer: DiagnosticPrinter) throws -> (files: Int, replaced: Int) {
        var folder = ReportFolder(directory: directory, inputs: inputs, keepUnchanged: keepUnchanged)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try set.render(formats: Set(format), html: resources.html, into: &folder)
        } catch let error as OutputError {
            printer.printError(error.description)
            throw ExitCode(ExitStatus.unreadable.rawValue)
        } catch {
            printer.printError("aims: error: cannot create '\(directory)': \(error.localizedDescription)")
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        if let failure = set.risks.readFailure {
            printer.printError("\(failure.description) (the reports in \(directory) are incomplete)")
            throw ExitCode(ExitStatus.unreadable.rawValue)
        }
        return (folder.files, folder.replaced)
    }

    /// The report files of one folder, each written atomically as it is rendered.
    private struct ReportFolder: ReportFileSink {
        let directory: String
        let inputs: [String]
        let keepUnchanged: Bool
        var current: OutputFile?
        var files = 0
        var replaced = 0

        init(directory: String, inputs: [String], keepUnchanged: Bool) {
            self.directory = directory
            self.inputs = inputs
            self.keepUnchanged = keepUnchanged
        }

        mutating func open(_ name: String) throws(OutputError) {
            let path = "\(directory)/\(name)"
            if overwritesInput(path, inputs) { throw OutputError("output '\(path)' would overwrite an input") }
            current = try OutputFile(path: path, keepUnchanged: keepUnchanged)
        }

        mutating func write(_ text: String) throws(OutputError) {
            try current?.write(text.utf8)
        }

        mutating func close() throws(OutputError) {
            guard let file = current else { return }
            current = nil
            try file.commit()
            files += 1
            if file.replaced { replaced += 1 }
        }
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
