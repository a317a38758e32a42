import AIMSBridge
import ArgumentParser
import Foundation

/// `aims crosswalk`: look up, check and export the framework catalogs and crosswalks.
struct CrosswalkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosswalk",
        abstract: "Map requirements across ISO/IEC 42001, 27001, 9001, 23894, the EU AI Act and NIST AI RMF.",
        subcommands: [Map.self, List.self, Check.self, Export.self]
    )

    /// Options every crosswalk command takes.
    struct MappingOptions: ParsableArguments {
        @Option(name: .customLong("mappings"), help: "A folder with frameworks/ and crosswalks/ that extend or override the built-in mappings (repeatable).")
        var extra: [String] = []

        /// Loads the built-in mappings and the user's; prints problems; exits 3 on errors.
        func load(printer: DiagnosticPrinter, failOnErrors: Bool = true) throws -> MappingLibrary {
            let library = MappingsLoader.load(directories: [MappingsLoader.builtInDirectory()] + extra, diagnostics: printer)
            if library.catalogs.isEmpty {
                printer.printError("aims: error: no framework catalogs found in \(MappingsLoader.builtInDirectory()) (set AIMS_MAPPINGS to the Mappings folder)")
                throw ExitCode(ExitStatus.unreadable.rawValue)
            }
            if failOnErrors && printer.errorCount > 0 { throw ExitCode(ExitStatus.unreadable.rawValue) }
            return library
        }
    }

    struct Map: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where a requirement leads in other frameworks.",
            discussion: "Example: aims crosswalk map iso27001:2013/A.12.4.1 --to iso42001:2023"
        )

        @Argument(help: "The requirement, as framework/id (iso42001:2023/A.6.2.4).")
        var requirement: String

        @Option(help: "Only this framework.")
        var to: String?

        @Option(help: "Longest path, 1 or 2 edges.")
        var hops: Int = 2

        @Flag(help: "Print JSON instead of text.")
        var json = false

        @OptionGroup var mappings: MappingOptions

        func validate() throws {
            guard RequirementKey(requirement) != nil else {
                throw ValidationError("'\(requirement)' is not framework/id, e.g. iso42001:2023/A.6.2.4")
            }
            guard (1...2).contains(hops) else { throw ValidationError("--hops must be 1 or 2") }
        }

        func run() throws {
            let printer = DiagnosticPrinter()
            let library = try mappings.load(printer: printer)
            let key = RequirementKey(requirement)!
            guard let catalog = library.catalog(key.framework) else {
                let known = library.catalogs.map(\.framework).joined(separator: ", ")
                printer.printError("aims: error: unknown framework '\(key.framework)'; loaded: \(known)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            guard catalog.contains(key.id) else {
                let hint = catalog.nearest(to: key.id).map { " (did you mean \(key.framework)/\($0)?)" } ?? ""
                printer.printError("aims: error: \(key.id) is not in \(key.framework)\(hint)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            // `--to 27001` and `--to "ISO/IEC 42001"` name frameworks too.
            let to = self.to.map { library.catalog($0) == nil ? (RequirementReferenceParser.frameworkKey($0) ?? $0) : $0 }
            if let to, library.catalog(to) == nil {
                let known = library.catalogs.map(\.framework).joined(separator: ", ")
                printer.printError("aims: error: unknown framework '\(to)' for --to; loaded: \(known)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            let results = library.map(key, to: to, hops: hops)
            if json {
                var buffer = JSONBuffer()
                buffer.beginArray()
                for result in results {
                    buffer.beginObject()
                    buffer.string("target", result.target.description)
                    buffer.string("title", library.catalog(result.target.framework)?[result.target.id]?.title ?? "")
                    buffer.string("relationship", result.relationshipName)
                    buffer.int("hops", result.path.count)
                    buffer.string("path", result.pathDescription)
                    buffer.endObject()
                }
                buffer.endArray()
                print(String(decoding: buffer.bytes, as: UTF8.self))
                return
            }
            print("\(key)  \(catalog[key.id]?.title ?? "")")
            if results.isEmpty { print("  no mapping\(to.map { " to \($0)" } ?? "")") }
            for result in results {
                let title = library.catalog(result.target.framework)?[result.target.id]?.title ?? ""
                let via = result.path.count > 1 ? "  via \(result.path[0].target)" : ""
                print("  \(result.relationshipName.padding(toLength: 16, withPad: " ", startingAt: 0)) \(result.target)  \(title)\(via)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the loaded catalogs and crosswalks.")

        @OptionGroup var mappings: MappingOptions

        func run() throws {
            let library = try mappings.load(printer: DiagnosticPrinter())
            print("Catalogs:")
            for catalog in library.catalogs {
                print("  \(catalog.framework.padding(toLength: 16, withPad: " ", startingAt: 0)) \(catalog.requirements.count) requirements  \(catalog.title)")
            }
            print("Crosswalks:")
            for crosswalk in library.crosswalks {
                print("  \(crosswalk.sourceFramework) → \(crosswalk.targetFramework): \(crosswalk.edges.count) edges  (\(crosswalk.name), \(crosswalk.date))")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the catalogs and crosswalks and report coverage per framework pair.",
            discussion: "Exit codes: 0 valid; 1 warnings only; 3 errors."
        )

        @OptionGroup var mappings: MappingOptions

        func run() throws {
            let printer = DiagnosticPrinter(perFileLimit: 200)
            let library = try mappings.load(printer: printer, failOnErrors: false)
            for report in CoverageReport.crosswalks(library) {
                print(report.line)
            }
            print("\(library.catalogs.count) catalogs, \(library.crosswalks.count) crosswalks, "
                  + "\(library.crosswalks.reduce(0) { $0 + $1.edges.count }) edges; "
                  + "\(printer.errorCount) errors, \(printer.warningCount) warnings")
            if printer.errorCount > 0 { throw ExitCode(ExitStatus.unreadable.rawValue) }
            if printer.warningCount > 0 { throw ExitCode(ExitStatus.rejects.rawValue) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the crosswalks as CSV, JSON or an OSCAL mapping collection.",
            discussion: """
            csv and json: every edge, authored and derived, with columns \
            source,target,relationship,rationale,strength,derived,note. oscal: an OSCAL 1.1 \
            mapping-collection document of the authored edges.
            """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, oscal }

        @Option(help: "csv, json or oscal.")
        var format: Format = .csv

        @Option(name: .shortAndLong, help: "Output path (default: standard output).")
        var output: String = "-"

        @OptionGroup var mappings: MappingOptions

        func run() throws {
            let printer = DiagnosticPrinter()
            let library = try mappings.load(printer: printer)
            let bytes: [UInt8]
            switch format {
            case .csv: bytes = CrosswalkExport.csv(library)
            case .json: bytes = CrosswalkExport.json(library)
            case .oscal:
                // The newest crosswalk date, so the document is the same for the same data.
                let date = library.crosswalks.map(\.date).max() ?? "1970-01-01"
                bytes = OSCALMappingExport.document(library, lastModified: "\(date)T00:00:00Z")
            }
            do {
                let file = try OutputFile(path: output)
                try file.write(bytes)
                try file.commit()
            } catch {
                printer.printError(error.description)
                throw ExitCode(ExitStatus.unreadable.rawValue)
            }
        }
    }
}
