/// A report laid out for rendering: summary figures, then sections of charts and tables. The
/// HTML, Markdown and CSV renderers all work from this; the JSON output is the report model.
public struct ReportDocument: Sendable {
    /// Which report.
    public var kind: ReportKind
    /// Its heading.
    public var title: String
    /// The key figures, shown first and on the summary page.
    public var facts: [Fact]
    /// The chart shown on the summary page, if any.
    public var highlight: Chart?
    /// The sections.
    public var sections: [Section]

    /// A labelled figure.
    public struct Fact: Sendable {
        public var label: String
        public var value: String
    }

    /// A heading with its charts and tables.
    public struct Section: Sendable {
        public var heading: String
        /// A sentence under the heading (how to read the section).
        public var note: String?
        public var charts: [Chart]
        public var tables: [Table]
    }

    /// An inline SVG chart and its text alternative (the data is also in a table).
    public struct Chart: Sendable {
        /// The SVG markup, built with every text escaped.
        public var svg: String
        /// The chart's title, shown under it.
        public var title: String
        /// What the chart shows, in words (the SVG's description, and the Markdown text).
        public var caption: String
    }

    /// A table: the CSV renderer writes each to `<name>.csv`.
    public struct Table: Sendable {
        /// The file stem (`risks`, `risks-heatmap-inherent`).
        public var name: String
        public var caption: String
        public var columns: [String]
        public var rows: [Row]
        /// How many rows HTML and Markdown show of a table that can be as long as the register
        /// (the CSV always has every row); nil for tables bounded by a catalog.
        public var displayLimit: Int? = nil

        /// The rows HTML and Markdown show.
        public var displayedRows: ArraySlice<Row> {
            rows.prefix(displayLimit ?? rows.count)
        }

        /// The caption HTML and Markdown show: says so when rows are left out.
        public var displayedCaption: String {
            guard displayedRows.count < rows.count else { return caption }
            return "\(caption) (the first \(displayedRows.count) of \(rows.count) rows; every row is in \(name).csv)"
        }
    }

    /// A row; `flag` marks it (`overdue`) for styling, and the flag is also spelled out in a cell.
    public struct Row: Sendable {
        public var cells: [Cell]
        public var flag: String?
    }

    /// A cell: one or more lines of text, and a status word for styling (also in the text).
    public struct Cell: Sendable {
        public var lines: [String]
        public var status: String?

        public init(_ lines: [String], status: String? = nil) {
            self.lines = lines.filter { !$0.isEmpty }
            self.status = status
        }

        public init(_ text: String?, status: String? = nil) {
            self.init(text.map { [$0] } ?? [], status: status)
        }

        /// The cell on one line (`; ` between lines).
        public var text: String { lines.joined(separator: "; ") }
    }
}

extension ReportDocument.Cell {
    /// A cell listing linked records or requirements, one per line.
    init(_ links: [ReportLink]) {
        self.init(links.map(\.text))
    }

    /// A cell listing the shown links of a list, one per line, then how many more there are.
    init(_ links: LinkList) {
        self.init(links.lines)
    }
}
