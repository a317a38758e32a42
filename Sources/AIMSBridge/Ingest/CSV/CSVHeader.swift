/// Finds the header row among the first rows of a CSV file and names its columns.
///
/// Exports often put a title or "exported on …" banner above the header, and some group
/// columns under a section row ("Inherent risk" over "Likelihood, Impact"). The header is the
/// first row that is as wide as the table and mostly filled in; a sparse row of the same width
/// just above it is a section row, whose names qualify duplicate column names below it.
struct CSVHeader: Equatable {
    /// Column names, unique within the header.
    var names: [String]
    /// Index, among the sampled rows, of the header row (data starts after it).
    var rowIndex: Int
    /// Index of the section row, if there is one.
    var sectionRowIndex: Int?

    /// Detects the header from the first rows (each a list of trimmed cell texts).
    static func detect(_ rows: [[String]]) -> CSVHeader? {
        guard !rows.isEmpty else { return nil }
        var widths: [Int: Int] = [:]
        for row in rows { widths[filledWidth(row), default: 0] += 1 }
        let width = widths.max { ($0.value, $0.key) < ($1.value, $1.key) }!.key
        let needed = max(1, (width * 6 + 9) / 10)
        var headerIndex = rows.firstIndex { row in
            filledWidth(row) >= width - (width > 4 ? 1 : 0) && nonEmpty(row) >= needed
                && row.filter { !$0.isEmpty && isNumeric($0) }.count * 2 < nonEmpty(row)
        } ?? 0
        // With a single row, or when a section row was mistaken for the header because the data
        // rows are sparse, the first filled row still heads the table.
        if nonEmpty(rows[headerIndex]) == 0 { headerIndex = 0 }
        var sectionIndex: Int?
        if headerIndex > 0 {
            let above = rows[headerIndex - 1]
            if nonEmpty(above) >= 2 && nonEmpty(above) < nonEmpty(rows[headerIndex]) && above.count >= 2 {
                sectionIndex = headerIndex - 1
            }
        }
        let names = columnNames(header: rows[headerIndex], section: sectionIndex.map { rows[$0] })
        return CSVHeader(names: names, rowIndex: headerIndex, sectionRowIndex: sectionIndex)
    }

    /// Names columns: the header text; a name repeated under different sections is qualified by
    /// its section ("Residual Likelihood"); an empty header cell becomes `column_N`; remaining
    /// duplicates get ` (2)`, ` (3)`.
    static func columnNames(header: [String], section: [String]?) -> [String] {
        var sections: [String] = []
        var current = ""
        for index in header.indices {
            if let section, index < section.count, !section[index].isEmpty { current = section[index] }
            sections.append(current)
        }
        var counts: [String: Int] = [:]
        for name in header where !name.isEmpty { counts[name.lowercased(), default: 0] += 1 }
        var names: [String] = []
        var seen: Set<String> = []
        for (index, cell) in header.enumerated() {
            var name = cell.isEmpty ? "column_\(index + 1)" : cell
            if !cell.isEmpty, counts[cell.lowercased(), default: 0] > 1, !sections[index].isEmpty {
                name = "\(sections[index]) \(cell)"
            }
            var unique = name
            var suffix = 2
            while seen.contains(unique.lowercased()) {
                unique = "\(name) (\(suffix))"
                suffix += 1
            }
            seen.insert(unique.lowercased())
            names.append(unique)
        }
        return names
    }

    /// Index of the last non-empty cell, plus one.
    static func filledWidth(_ row: [String]) -> Int {
        (row.lastIndex { !$0.isEmpty } ?? -1) + 1
    }

    static func nonEmpty(_ row: [String]) -> Int {
        row.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) }
    }

    static func isNumeric(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x25 }
    }
}
