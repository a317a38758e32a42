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
        let name = fileName(path)
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

    /// What a file is when its first bytes are those of a binary document that people take for
    /// an export (a workbook saved as `.xlsx`, a PDF report, a compressed export), with what to do
    /// instead; nil for anything else. Read as text, such a file gave rows of noise and quoting
    /// errors instead of saying what it is.
    public static func binaryDocument(path: String, prefix: ArraySlice<UInt8>) -> String? {
        let name = fileName(path)
        let saveAsCSV = "save the sheet as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) and convert that"
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            // Office files are ZIP archives; a workbook's entries sit under `xl/`.
            if name.hasSuffix(".xlsx") || name.hasSuffix(".xlsm") || contains(prefix, "xl/") {
                return "an Excel workbook (.xlsx), not delimited text: \(saveAsCSV)"
            }
            if name.hasSuffix(".ods") || contains(prefix, "opendocument.spreadsheet") {
                return "an OpenDocument spreadsheet (.ods), not delimited text: save the sheet as CSV and convert that"
            }
            return "a ZIP archive, not an export: extract it and convert the files inside"
        }
        if prefix.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return "an Excel 97-2003 workbook (.xls) or another legacy Office document, not delimited text: \(saveAsCSV)"
        }
        if prefix.starts(with: Array("%PDF-".utf8)) {
            return "a PDF document, not an export: export the data from the tool as CSV, XML or JSON"
        }
        if prefix.starts(with: [0x1F, 0x8B]) {
            return "gzip-compressed: decompress it first (gunzip)"
        }
        if prefix.starts(with: Array("SQLite format 3\0".utf8)) {
            return "an SQLite database, not an export: export the table as CSV first (sqlite3 -csv -header)"
        }
        if prefix.starts(with: Array("PAR1".utf8)) {
            return "a Parquet file, not an export: write the table out as CSV or JSON first"
        }
        // Any other file is text, unless a twentieth of its first bytes are control characters
        // (random or compressed bytes have 11 %, an export's text next to none; UTF-16,
        // whose NULs are every other byte, is found as text first). Read as text, such a file made
        // records of noise wherever a row happened to hold no NUL byte.
        let sample = prefix.prefix(4096)
        guard sample.count >= 64, TextEncoding.detect(sample).encoding == .utf8 else { return nil }
        let controls = sample.reduce(0) { $0 + ($1 < 0x09 || ($1 > 0x0D && $1 < 0x20) || $1 == 0x7F ? 1 : 0) }
        if controls * 20 > sample.count {
            return "binary data, not a text export (\(controls) of its first \(sample.count) bytes are control characters)"
        }
        return nil
    }

    private static func contains(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
        bytes.firstRange(of: Array(text.utf8)) != nil
    }

    /// The last component of a path, lower-cased.
    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map { $0.lowercased() } ?? ""
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
