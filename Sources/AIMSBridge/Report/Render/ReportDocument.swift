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
        /// What is counted (`overdue treatments`).
        public var label: String
        /// The figure, as shown.
        public var value: String
    }

    /// A heading with its charts and tables.
    public struct Section: Sendable {
        /// The section's heading.
        public var heading: String
        /// A sentence under the heading (how to read the section).
        public var note: String?
        /// Charts, shown before the tables.
        public var charts: [Chart]
        /// Tables, in order.
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
        /// What the table shows.
        public var caption: String
        /// Column headings.
        public var columns: [String]
        /// Every row; with `allRows`, the first rows only (at least `displayLimit` of them).
        public var rows: [Row]
        /// How many rows HTML and Markdown show of a table that can be as long as the register
        /// (the CSV always has every row); nil for tables bounded by a catalog.
        public var displayLimit: Int? = nil
        /// Every row, made on demand, for a table too long to hold (the risk register's); nil
        /// when `rows` is every row.
        public var allRows: RowStream? = nil

        /// How many rows the table has.
        public var rowCount: Int { allRows?.count ?? rows.count }

        /// The rows HTML and Markdown show.
        public var displayedRows: ArraySlice<Row> {
            rows.prefix(displayLimit ?? rows.count)
        }

        /// The caption HTML and Markdown show: says so when rows are left out.
        public var displayedCaption: String {
            guard displayedRows.count < rowCount else { return caption }
            return "\(caption) (the first \(displayedRows.count) of \(rowCount) rows; every row is in \(name).csv)"
        }

        /// Calls `body` with every row, in order.
        public func forEachRow(_ body: (Row) -> Void) {
            if let allRows { allRows.forEach(body) } else { rows.forEach(body) }
        }
    }

    /// The rows of a table made one at a time from the register when asked for, and how many.
    public struct RowStream: Sendable {
        /// How many rows there are.
        public var count: Int
        /// Makes the rows, in order, handing each to the function it is given.
        public var forEach: @Sendable (_ body: (Row) -> Void) -> Void
    }

    /// A row; `flag` marks it (`overdue`) for styling, and the flag is also spelled out in a cell.
    public struct Row: Sendable {
        /// One cell per column; the first is the row's heading.
        public var cells: [Cell]
        /// A word that marks the row (`overdue`, `missing`, `gap`), or nil.
        public var flag: String?
    }

    /// A cell: one or more lines of text, and a status word for styling (also in the text).
    public struct Cell: Sendable {
        /// The cell's lines (empty ones left out).
        public var lines: [String]
        /// A status word for styling (`covered`, `missing`), or nil.
        public var status: String?

        /// A cell of several lines.
        public init(_ lines: [String], status: String? = nil) {
            self.lines = lines.filter { !$0.isEmpty }
            self.status = status
        }

        /// A cell of one line, or an empty one for nil.
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
