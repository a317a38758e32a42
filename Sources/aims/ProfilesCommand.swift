import AIMSBridge
import ArgumentParser

/// `aims profiles`: the import profiles, and which one an export matches.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List, show and detect import profiles.",
        subcommands: [List.self, Show.self, Detect.self]
    )

    /// Loads the built-in profiles and the user's folders; exits 3 on errors.
    static func load(_ extra: [String], printer: DiagnosticPrinter) throws -> [ImportProfile] {
        let profiles = ProfileLoader.load(directories: [MappingsLoader.builtInDirectory()] + extra, diagnostics: printer)
        if printer.errorCount > 0 { throw ExitCode(ExitStatus.unreadable.rawValue) }
        return profiles
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the import profiles.")

        @Option(name: .customLong("mappings"), help: "A folder with profiles/ that extend or override the built-in ones (repeatable).")
        var extra: [String] = []

        func run() throws {
            for profile in try ProfilesCommand.load(extra, printer: DiagnosticPrinter()) {
                print("\(profile.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(profile.format.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(profile.kind.collectionKey.padding(toLength: 9, withPad: " ", startingAt: 0)) \(profile.title)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what a profile maps.")

        @Argument(help: "The profile's name.")
        var name: String

        @Option(name: .customLong("mappings"), help: "A folder with profiles/ that extend or override the built-in ones (repeatable).")
        var extra: [String] = []

        func run() throws {
            let printer = DiagnosticPrinter()
            let profiles = try ProfilesCommand.load(extra, printer: printer)
            guard let profile = profiles.first(where: { $0.name == name }) else {
                printer.printError("aims: error: unknown profile '\(name)'; see 'aims profiles list'")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            print("\(profile.name): \(profile.title)")
            print("  tool: \(profile.tool); format: \(profile.format.rawValue); records: \(profile.kind.collectionKey)"
                  + (profile.recordPath.map { " at \($0)" } ?? ""))
            print("  file: \(profile.file)")
            print("  signature: \(profile.signature.fields.joined(separator: ", "))")
            print("  fields (source key → canonical field):")
            for (source, field) in profile.fields.sorted(by: { $0.key < $1.key }) {
                print("    \(source) → \(field.name)")
            }
            for (field, map) in profile.values.sorted(by: { $0.key < $1.key }) {
                let labels = map.labels.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { "\($0.key)=\($0.value)" }
                let terms = map.terms.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
                print("  \(field.name): " + ([map.scale.map { "scale \($0)" }].compactMap { $0 } + labels + terms).joined(separator: ", "))
            }
            if !profile.required.isEmpty { print("  required: \(profile.required.map(\.name).joined(separator: ", "))") }
            print("  other fields: " + (profile.genericFallback ? "mapped by header synonyms, else kept as extensions" : "kept as extensions"))
        }
    }

    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which profile an export matches, and the fields no profile maps.")

        @Argument(help: "The export file.")
        var file: String

        @Option(help: "XML element path or JSON Pointer of the records.")
        var recordPath: String?

        @Option(name: .customLong("mappings"), help: "A folder with profiles/ that extend or override the built-in ones (repeatable).")
        var extra: [String] = []

        func run() throws {
            let printer = DiagnosticPrinter()
            let profiles = try ProfilesCommand.load(extra, printer: printer)
            let converter = Converter(options: ConvertOptions(recordPath: recordPath, candidateProfiles: profiles), diagnostics: printer)
            do {
                let source = try ByteSource(path: file)
                let format = SourceFormat.detect(path: file, prefix: try source.peek(4096))
                let (ranked, records) = try converter.rankProfiles(source: source, format: format)
                let best = ProfileDetector.best(ranked)
                if let best {
                    print("\(file): \(best.profile.name) (score \(Int(best.score * 100))%)")
                } else {
                    print("\(file): no profile matches; the generic header synonyms will be used")
                }
                for match in ranked.prefix(3) where match.score > 0 {
                    print("  \(match.profile.name): \(Int(match.score * 100))%" + (match.missing.isEmpty ? "" : ", missing \(match.missing.joined(separator: ", "))"))
                }
                let unmapped = ProfileDetector.unmappedFields(records, profile: best?.profile)
                print("  fields no profile maps (kept as extensions): " + (unmapped.isEmpty ? "none" : unmapped.joined(separator: ", ")))
            } catch {
                printer.emit(Diagnostic(.error, error.message, at: error.locator))
                throw ExitCode(ExitStatus.unreadable.rawValue)
            }
        }
    }
}
