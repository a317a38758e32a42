import CByteScan

/// How much of each framework a crosswalk touches.
public struct CoverageReport: Sendable {
    /// The crosswalk.
    public var crosswalk: String
    /// Its source framework and the leaf requirements (those without children) it maps from.
    public var source: (framework: String, covered: Int, total: Int)
    /// Its target framework and the leaf requirements it maps to.
    public var target: (framework: String, covered: Int, total: Int)
    /// Authored edges.
    public var edges: Int

    /// One line: `iso42001:2023 → iso27001:2022: 52 edges; 41/79 iso42001:2023 (52%), …`.
    public var line: String {
        func share(_ side: (framework: String, covered: Int, total: Int)) -> String {
            let percent = side.total == 0 ? 0 : side.covered * 100 / side.total
            return "\(side.covered)/\(side.total) \(side.framework) leaf requirements (\(percent)%)"
        }
        return "\(source.framework) → \(target.framework): \(edges) edges; covers \(share(source)) and \(share(target))"
    }

    /// One report per crosswalk, in load order.
    public static func crosswalks(_ library: MappingLibrary) -> [CoverageReport] {
        library.crosswalks.map { crosswalk in
            func side(_ framework: String, _ ids: Set<String>) -> (framework: String, covered: Int, total: Int) {
                guard let catalog = library.catalog(framework) else { return (framework, 0, 0) }
                let parents = Set(catalog.requirements.compactMap(\.parent))
                let leaves = catalog.requirements.filter { !parents.contains($0.id) }
                return (framework, leaves.filter { ids.contains($0.id) }.count, leaves.count)
            }
            return CoverageReport(crosswalk: crosswalk.name,
                                  source: side(crosswalk.sourceFramework, Set(crosswalk.edges.map(\.source.id))),
                                  target: side(crosswalk.targetFramework, Set(crosswalk.edges.map(\.target.id))),
                                  edges: crosswalk.edges.count)
        }
    }
}

/// Writes every edge of a mapping library, authored and derived inverses, as CSV or JSON.
public enum CrosswalkExport {
    /// CSV with columns `source,target,relationship,rationale,strength,derived,note`, one row per
    /// edge, sorted; cells are quoted as RFC 4180 asks and made safe to open in a spreadsheet.
    public static func csv(_ library: MappingLibrary) -> [UInt8] {
        var text = "source,target,relationship,rationale,strength,derived,note\n"
        for edge in library.allEdges {
            let cells = [edge.source.description, edge.target.description, edge.relationship.rawValue, edge.rationale.rawValue,
                         edge.strength.map(String.init) ?? "", edge.derived ? "true" : "false", edge.note]
            text += cells.map(SpreadsheetSafeCSV.cell).joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    /// A JSON array of edges with the same fields as the CSV.
    public static func json(_ library: MappingLibrary) -> [UInt8] {
        var json = JSONBuffer()
        json.beginArray()
        for edge in library.allEdges {
            json.beginObject()
            json.string("source", edge.source.description)
            json.string("target", edge.target.description)
            json.string("relationship", edge.relationship.rawValue)
            json.string("rationale", edge.rationale.rawValue)
            if let strength = edge.strength { json.int("strength", strength) }
            json.bool("derived", edge.derived)
            json.string("note", edge.note)
            json.endObject()
        }
        json.endArray()
        return json.bytes + [0x0A]
    }
}

/// Makes a CSV cell safe: quoted when it holds a delimiter, quote or line break, and prefixed
/// with `'` when it starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage return).
public enum SpreadsheetSafeCSV {
    /// The cell as it should be written.
    public static func cell(_ value: String) -> String {
        var value = value
        // Unicode scalars, not Characters: "\r\n" is one Character that equals neither "\r" nor "\n".
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { value = "'" + value }
        guard needsQuotes(value) else { return value }
        // Every quote doubled, byte by byte. Foundation's replacingOccurrences went by way of
        // NSString (a seventh of writing risks.csv for 200,000 risks), and it compares
        // characters: a quote followed by a combining mark (`"́`) was left single, which broke
        // the row.
        return "\"" + quoteDoubling.apply(to: value) + "\""
    }

    private static let quoteDoubling = ASCIIReplacements(["\"": "\"\""])

    /// Whether `value` holds a comma, a quote or a line break, tested 16 bytes at a time
    /// (`aims_csv_first_quoted`; byte by byte, the test was a fiftieth of a CSV report set).
    static func needsQuotes(_ value: String) -> Bool {
        value.withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress else { return false }
            return aims_csv_first_quoted(base, bytes.count) < bytes.count
        }
    }
}
