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

    /// Text made inert in Markdown (and in any HTML a Markdown viewer passes through).
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\r": continue
            case "\n": escaped += "<br>"
            // With `[` and `]` escaped no link or image can form, so parentheses stay as they are.
            case "\\", "`", "*", "_", "[", "]", "|", "~": escaped += "\\\(character)"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// Renders each table of a report document as its own CSV file (RFC 4180, UTF-8, header row),
/// each cell made safe to open in a spreadsheet (see `SpreadsheetSafeCSV`).
public enum CSVReportRenderer {
    /// `(file name, contents)` per table.
    public static func render(_ document: ReportDocument) -> [(name: String, text: String)] {
        document.sections.flatMap(\.tables).map { table in
            var text = table.columns.map(SpreadsheetSafeCSV.cell).joined(separator: ",") + "\r\n"
            for row in table.rows {
                text += row.cells.map { SpreadsheetSafeCSV.cell($0.text) }.joined(separator: ",") + "\r\n"
            }
            return ("\(table.name).csv", text)
        }
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let envelope = Envelope(report: kind.rawValue, title: kind.title, setTitle: settings.title, asOf: settings.asOf, data: model)
        // Encoding plain structs of strings, numbers and arrays cannot fail.
        let data = (try? encoder.encode(envelope)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
