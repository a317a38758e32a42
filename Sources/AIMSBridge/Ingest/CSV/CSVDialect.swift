/// How a CSV file is written: found by looking at its first lines.
struct CSVDialect: Equatable {
    /// The field delimiter: one of `, ; TAB |`.
    var delimiter: UInt8

    static let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]

    /// Sniffs the delimiter from a sample of the (UTF-8) text: for each candidate, the count of
    /// delimiters outside quotes on each of the first lines; the candidate whose most common
    /// non-zero count occurs on the most lines wins (ties go to the earlier candidate).
    static func sniff(_ sample: ArraySlice<UInt8>) -> CSVDialect {
        var best = (delimiter: UInt8(0x2C), score: 0)
        for candidate in candidates {
            var counts: [Int: Int] = [:]
            var perLine = 0
            var inQuotes = false
            var lines = 0
            for byte in sample {
                if byte == 0x22 { inQuotes.toggle() }
                if inQuotes { continue }
                if byte == candidate { perLine += 1 }
                if byte == 0x0A {
                    if perLine > 0 { counts[perLine, default: 0] += 1 }
                    perLine = 0
                    lines += 1
                    if lines >= 50 { break }
                }
            }
            if perLine > 0 { counts[perLine, default: 0] += 1 }
            let mode = counts.max { ($0.value, $0.key) < ($1.value, $1.key) }
            let score = mode.map { $0.value * 1000 + min($0.key, 999) } ?? 0
            if score > best.score { best = (candidate, score) }
        }
        return CSVDialect(delimiter: best.delimiter)
    }

    /// A printable name for the delimiter.
    var delimiterName: String {
        switch delimiter {
        case 0x09: return "tab"
        case 0x3B: return "semicolon"
        case 0x7C: return "pipe"
        default: return "comma"
        }
    }
}
