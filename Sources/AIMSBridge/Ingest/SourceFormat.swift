/// The formats the ingest stage reads.
public enum SourceFormat: String, Sendable, CaseIterable {
    /// Delimited text (comma, semicolon, tab or pipe).
    case csv
    /// XML.
    case xml
    /// A JSON document (array, or object holding an array).
    case json
    /// JSON Lines / NDJSON.
    case ndjson

    /// The format of a file: from its extension when it is a known one, otherwise from its first
    /// bytes (`<` XML, `[` or `{` JSON, anything else delimited text).
    public static func detect(path: String, prefix: ArraySlice<UInt8>) -> SourceFormat {
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? ""
        if let dot = name.lastIndex(of: ".") {
            switch name[name.index(after: dot)...] {
            case "csv", "tsv", "tab", "psv": return .csv
            case "xml": return .xml
            case "json", "jsonld": return sniff(prefix) == .ndjson ? .ndjson : .json
            case "ndjson", "jsonl": return .ndjson
            default: break
            }
        }
        return sniff(prefix)
    }

    private static func sniff(_ prefix: ArraySlice<UInt8>) -> SourceFormat {
        var bytes = prefix
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return .csv }
        switch first {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "["): return .json
        case UInt8(ascii: "{"): return looksLikeLines(bytes) ? .ndjson : .json
        default: return .csv
        }
    }

    /// Whether the text starts with a one-line object followed by another object.
    private static func looksLikeLines(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return false }
        let firstLine = bytes[..<newline].reversed().drop { [0x20, 0x09, 0x0D].contains($0) }
        guard firstLine.first == UInt8(ascii: "}") else { return false }
        let rest = bytes[(newline + 1)...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return rest == UInt8(ascii: "{") || rest == nil
    }
}
