import AIMSBridge
import ArgumentParser
import Foundation

/// The options that say how exports are read, shared by `aims convert` and `aims report`.
struct ConversionOptions: ParsableArguments {
    enum DateOrderOption: String, ExpressibleByArgument, CaseIterable {
        case dmy, mdy
    }

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

    @Option(help: "Most records read from one source; a source with more stops there with an error, keeping the records before (default: no limit).")
    var maxRecords: Int?

    @Option(name: .customLong("mappings"), help: "A folder with profiles/, frameworks/, crosswalks/, obligations/ and templates/ that extend the built-in mappings (repeatable).")
    var extraMappings: [String] = []

    /// The built-in mapping folder followed by the user's.
    var mappingDirectories: [String] { [MappingsLoader.builtInDirectory()] + extraMappings }

    func validate() throws {
        if let kind, RecordKind(userText: kind) == nil {
            throw ValidationError("unknown kind '\(kind)'; use systems, risks, controls, evidence, assessments or datasets")
        }
        if let maxRecords, maxRecords < 1 { throw ValidationError("--max-records must be 1 or more") }
        if let framework, ConversionOptions.frameworkKey(framework) == nil {
            throw ValidationError("unknown framework '\(framework)'; use iso42001:2023, iso27001:2022, iso27001:2013, iso9001:2015, iso23894:2023, eu-ai-act:2024 or nist-ai-rmf:1.0")
        }
    }

    /// A framework key the user named (`42001` and `ISO/IEC 42001:2023` work too), if supported.
    static func frameworkKey(_ text: String) -> String? {
        let supported = ["iso42001:2023", "iso27001:2022", "iso27001:2013", "iso9001:2015", "iso23894:2023",
                         "eu-ai-act:2024", "nist-ai-rmf:1.0"]
        return RequirementReferenceParser.frameworkKey(text).flatMap { supported.contains($0) ? $0 : nil }
    }

    /// The conversion options: the profile the user chose (or every shipped one to detect from).
    /// Prints the problem and exits 2 for an unknown or broken profile.
    func makeOptions(printer: DiagnosticPrinter, expandWith library: MappingLibrary? = nil) throws -> ConvertOptions {
        let profiles = ProfileLoader.load(directories: mappingDirectories, diagnostics: printer)
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
        var limits = ReaderLimits.standard
        limits.maxRecords = maxRecords
        return ConvertOptions(
            recordPath: recordPath,
            normalize: NormalizeOptions(dateOrder: dateOrder == .mdy ? .monthFirst : .dayFirst,
                                        kind: kind.flatMap(RecordKind.init(userText:)),
                                        framework: framework.flatMap(ConversionOptions.frameworkKey), expandWith: library),
            limits: limits, profile: chosen, candidateProfiles: profile == nil ? profiles : [])
    }
}

/// Why `output` cannot be written as a file (it would overwrite an input, or a folder is there),
/// checked before anything is read; nil when it can.
func outputFileProblem(_ output: String, _ inputs: [String]) -> String? {
    if overwritesInput(output, inputs) { return "output '\(output)' would overwrite an input" }
    var isFolder: ObjCBool = false
    if output != "-", FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
        return "output '\(output)' is a folder; name a file"
    }
    return nil
}

/// Why `directory` cannot be the folder outputs go into (a file is there), checked before
/// anything is read; nil when it can.
func outputFolderProblem(_ directory: String) -> String? {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), !isFolder.boolValue else { return nil }
    return "output '\(directory)' is a file; name a folder"
}

/// Whether an output path names one of the inputs, however either is spelled (`./a.csv`,
/// `dir/../a.csv`, a link to it).
func overwritesInput(_ output: String, _ inputs: [String]) -> Bool {
    guard output != "-" else { return false }
    func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
    let target = canonical(output)
    return inputs.contains { $0 != "-" && canonical($0) == target }
}
