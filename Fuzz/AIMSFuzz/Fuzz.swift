import AIMSBridge
import Foundation

/// libFuzzer's driver, for the `main` below.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The executable's entry point. SwiftPM links an executable target's `main` to
/// `<module>_main`; with no top-level code here (`-parse-as-library`) it is this function, which
/// hands over to libFuzzer.
@_cdecl("AIMSFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzz)
}

/// The libFuzzer entry point: feeds the bytes to the entry point named by `AIMS_FUZZ_TARGET`
/// (`csv`, `xml`, `json`, `profile`, `references`, `register`, `mappings`, `convert`). Any crash, sanitizer report or
/// hang is a bug; errors the code reports are the expected outcome for most inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch FuzzTarget.current {
    case .csv:
        FuzzTarget.drain { () throws(IngestError) -> any RecordReader in
            try CSVRecordReader(source: FuzzTarget.source(bytes, named: "fuzz.csv"), limits: FuzzTarget.limits, diagnostics: DiagnosticList())
        }
    case .xml:
        FuzzTarget.drain { () throws(IngestError) -> any RecordReader in
            try XMLRecordReader(source: FuzzTarget.source(bytes, named: "fuzz.xml"), limits: FuzzTarget.limits, diagnostics: DiagnosticList())
        }
    case .json:
        FuzzTarget.drain { () throws(IngestError) -> any RecordReader in
            try JSONRecordReader(source: FuzzTarget.source(bytes, named: "fuzz.json"), limits: FuzzTarget.limits)
        }
    case .profile:
        _ = ProfileLoader.load(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", diagnostics: DiagnosticList())
    case .references:
        var parser = RequirementReferenceParser()
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            _ = parser.parseRemembering(String(line))
        }
    case .register:
        // What `aims report` and `aims merge` read back: a JSON register document or NDJSON.
        do {
            _ = try RegisterReader.read(Data(bytes), path: "fuzz-register.json")
        } catch {
            _ = error.description
        }
    case .mappings:
        FuzzTarget.mappings(bytes)
    case .convert:
        FuzzTarget.convert(bytes)
    }
    return 0
}

/// Which entry point this run exercises, and how.
enum FuzzTarget: String {
    case csv, xml, json, profile, references, register, mappings, convert

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["AIMS_FUZZ_TARGET"] ?? "convert"
        guard let target = FuzzTarget(rawValue: name) else { fatalError("AIMS_FUZZ_TARGET must be csv, xml, json, profile, references, register, mappings or convert") }
        return target
    }()

    /// The input as the readers get it: all at once, or in chunks from a single byte up (chosen by
    /// the input's length, so that every size is tried and an input always gets the same one).
    static func source(_ bytes: [UInt8], named name: String) -> ByteSource {
        ByteSource(name: name, bytes: bytes, chunkSize: [nil, 1, 7, 61, 4096][bytes.count % 5])
    }

    /// Small limits, so that the limits' own paths are exercised and runs stay fast.
    static let limits = ReaderLimits(maxFieldBytes: 4096, maxRecordBytes: 16_384, maxFieldsPerRecord: 256, maxDepth: 32)

    /// Reads every record (at most 10,000) of a reader; errors end the input.
    static func drain(_ open: () throws(IngestError) -> any RecordReader) {
        do throws(IngestError) {
            var reader = try open()
            var count = 0
            while count < 10_000, try reader.next() != nil { count += 1 }
        } catch {
            _ = error.description
        }
    }

    /// The whole conversion of the bytes as a file (format detected, profiles of the checkout
    /// tried), into a register in memory.
    static func convert(_ bytes: [UInt8]) {
        let path = "\(NSTemporaryDirectory())/aims-fuzz-\(getpid()).input"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = ConvertOptions(limits: limits, candidateProfiles: profiles)
        var sink = RegisterCollector()
        _ = try? Converter(options: options, diagnostics: DiagnosticList(), workers: 1).convert(path: path, into: &sink) { _ in }
    }

    /// The bytes as a user's mapping folder (`--mappings`): the same file as a catalog, a
    /// crosswalk and obligation rules, loaded and validated.
    static func mappings(_ bytes: [UInt8]) {
        let folder = "\(NSTemporaryDirectory())/aims-fuzz-mappings-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for kind in ["frameworks", "crosswalks", "obligations"] {
            try? FileManager.default.createDirectory(atPath: "\(folder)/\(kind)", withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: "\(folder)/\(kind)/fuzz.yaml", contents: Data(bytes))
        }
        let library = MappingsLoader.load(directories: [folder], diagnostics: DiagnosticList())
        for rules in ObligationRules.load(directories: [folder], diagnostics: DiagnosticList()) {
            rules.validate(against: library, diagnostics: DiagnosticList())
        }
    }

    static let profiles = ProfileLoader.load(directories: [MappingsLoader.builtInDirectory()], diagnostics: DiagnosticList())
}
