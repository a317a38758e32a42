import Foundation

/// Renders report documents as GitHub-flavoured Markdown: headings, figures as a list, tables
/// as pipe tables. Every value is escaped so that it stays text: Markdown punctuation gets a
/// backslash and `< > &` become entities (GitHub passes HTML through, so a `<script>` in a
/// risk title would otherwise be markup).
public enum MarkdownRenderer {
    /// One report.
    public static func render(_ document: ReportDocument, settings: ReportSettings) -> String {
        var text = "# \(escape(document.title))\n\n\(escape(settings.title)), as of \(settings.asOf).\n\n"
        for fact in document.facts { text += "- \(escape(fact.label)): **\(escape(fact.value))**\n" }
        for section in document.sections {
            text += "\n## \(escape(section.heading))\n"
            if let note = section.note { text += "\n\(escape(note))\n" }
            for chart in section.charts { text += "\n_\(escape(chart.title)):_ \(escape(chart.caption))\n" }
            for table in section.tables {
                text += "\n**\(escape(table.displayedCaption))**\n\n"
                guard !table.rows.isEmpty else {
                    text += "_None._\n"
                    continue
                }
                text += "| " + table.columns.map(escape).joined(separator: " | ") + " |\n"
                text += "|" + String(repeating: " --- |", count: table.columns.count) + "\n"
                for row in table.displayedRows {
                    text += "| " + row.cells.map { $0.lines.map(escape).joined(separator: "<br>") }.joined(separator: " | ") + " |\n"
                }
            }
        }
        return text
    }

    /// The summary page: the set's title and each report's figures, linked.
    public static func summary(_ documents: [ReportDocument], settings: ReportSettings) -> String {
        var text = "# \(escape(settings.title))\n\nAI management system reports as of \(settings.asOf).\n"
        for document in documents {
            text += "\n## [\(escape(document.title))](\(document.kind.rawValue).md)\n\n"
            for fact in document.facts { text += "- \(escape(fact.label)): **\(escape(fact.value))**\n" }
        }
        return text
    }

    /// Text made inert in Markdown (and in any HTML a Markdown viewer passes through); a CR LF
    /// line break is one break. With `[` and `]` escaped no link or image can form, so parentheses
    /// stay as they are.
    static func escape(_ text: String) -> String {
        inert.apply(to: text)
    }

    private static let inert = ASCIIReplacements([
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "", "\n": "<br>",
        "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
    ])
}

/// Renders each table of a report document as its own CSV file (RFC 4180, UTF-8, header row),
/// each cell made safe to open in a spreadsheet (see `SpreadsheetSafeCSV`). Rows are written a
/// block at a time, so a table made on demand (the risk register's) is never held whole.
public enum CSVReportRenderer {
    /// Writes one `<table>.csv` file per table into `sink`.
    public static func render<Sink: ReportFileSink>(_ document: ReportDocument, into sink: inout Sink) throws(Sink.Failure) {
        for table in document.sections.flatMap(\.tables) {
            try sink.open("\(table.name).csv")
            try sink.writeInBlocks { emit in
                emit(table.columns.map(SpreadsheetSafeCSV.cell).joined(separator: ",") + "\r\n")
                table.forEachRow { row in
                    emit(row.cells.map { SpreadsheetSafeCSV.cell($0.text) }.joined(separator: ",") + "\r\n")
                }
            }
            try sink.close()
        }
    }
}

/// Where `ReportSet.render` puts the files it makes: each is opened, written in pieces (a long
/// table a block of rows at a time, so no whole file need be held), then closed.
public protocol ReportFileSink {
    /// What a failed write throws.
    associatedtype Failure: Error
    /// Starts the file `name` (`soa.html`, `risks.csv`).
    mutating func open(_ name: String) throws(Failure)
    /// Appends text to the open file.
    mutating func write(_ text: String) throws(Failure)
    /// Completes the open file.
    mutating func close() throws(Failure)
}

extension ReportFileSink {
    /// Writes a whole file.
    mutating func file(_ name: String, _ text: String) throws(Failure) {
        try open(name)
        try write(text)
        try close()
    }

    /// Writes to the open file the pieces of text that `produce` hands to its `emit` function,
    /// gathered into blocks of about 64 KB, so that a long table is written as it is made
    /// rather than held. After a failed write the rest is dropped and the failure thrown.
    mutating func writeInBlocks(_ produce: (_ emit: (String) -> Void) -> Void) throws(Failure) {
        var block = ""
        var failure: Failure?
        produce { text in
            guard failure == nil else { return }
            block += text
            guard block.utf8.count >= 1 << 16 else { return }
            do throws(Failure) { try write(block) } catch { failure = error }
            block = ""
        }
        if let failure { throw failure }
        try write(block)
    }
}

/// Renders a report model as JSON: `{"schema":"aims-report/1","report":…,"title":…,"asOf":…,"data":…}`
/// with sorted keys, so that the same register gives the same bytes.
public enum JSONReportRenderer {
    private struct Envelope<Model: Encodable>: Encodable {
        var schema = "aims-report/1"
        var report: String
        var title: String
        var setTitle: String
        var asOf: String
        var data: Model
    }

    /// The JSON text.
    public static func render(_ model: some Encodable, kind: ReportKind, settings: ReportSettings) -> String {
        let envelope = Envelope(report: kind.rawValue, title: kind.title, setTitle: settings.title, asOf: settings.asOf, data: model)
        // Encoding plain structs of strings, numbers and arrays cannot fail.
        return String(decoding: (try? encoder.encode(envelope)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// Writes the risk register as `render` would, with every risk in `risks` made one at a time
    /// (`RiskRegisterReport.forEachRow`), so that the rows are never all held or encoded at once.
    public static func render<Sink: ReportFileSink>(_ report: RiskRegisterReport, settings: ReportSettings,
                                                    into sink: inout Sink) throws(Sink.Failure) {
        var held = report
        held.risks = []
        let text = render(held, kind: .risks, settings: settings)
        // The envelope with an empty risk list, split where the rows go (the list is the last
        // member of `data`, two levels in: its rows are indented six spaces).
        try sink.open("\(ReportKind.risks.rawValue).json")
        guard report.count > 0, let open = text.range(of: "\n    \"risks\" : ["),
              let close = text[open.upperBound...].firstIndex(of: "]") else {
            try sink.write(text)
            try sink.close()
            return
        }
        try sink.writeInBlocks { emit in
            emit(String(text[..<open.upperBound]) + "\n")
            var first = true
            report.forEachRow { row in
                // A member of the risk list, two levels in: its lines are indented three levels.
                var json = PrettyJSONWriter(level: 3)
                json.write(row)
                emit((first ? "" : ",\n") + String(decoding: json.bytes, as: UTF8.self))
                first = false
            }
            emit("\n    " + String(text[close...]))
        }
        try sink.close()
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}
