/// A parsed date and, when the reading needs the user's attention, a warning.
public struct DateParseResult: Sendable, Hashable {
    /// The date: the source text and, when valid, its ISO 8601 form.
    public var value: DateValue
    /// Why the user should look at this value (ambiguous day/month, two-digit year, invalid date);
    /// nil when the reading is certain.
    public var warning: String?

    /// Creates a result.
    public init(value: DateValue, warning: String? = nil) {
        self.value = value
        self.warning = warning
    }
}

/// Reads the dates GRC exports write and gives them in ISO 8601 form.
///
/// | input | ISO form |
/// | --- | --- |
/// | `2025-03-31`, `2025/03/31`, `2025.03.31`, `20250331` | `2025-03-31` |
/// | `2023-05-01T10:00:00Z`, `…+02:00`, `…10:00:00.123Z` | as given (`t`/`z` upper-cased, date zero-padded) |
/// | `2025-03-31 14:05`, `31/03/2025 14:05:00` | `2025-03-31T14:05`, `2025-03-31T14:05:00` |
/// | `31/03/2025`, `31.03.2025`, `31-03-2025`, `03/31/2025` | `2025-03-31` |
/// | `14 Mar 2025`, `14-Mar-2025`, `14th March 2025`, `March 14, 2025`, `Mar 14 2025` | `2025-03-14` |
/// | `2025-03`, `2025/03`, `March 2025`, `Mar-2025` | `2025-03` |
/// | `Q2 2024`, `2024 Q2`, `2024-Q2`, `Q2/2024`, `2024Q2` | `2024-Q2` |
/// | `45518` (an Excel date serial number, 1950 to 2099, with a warning) | `2024-08-14` |
///
/// Day-month-year and month-day-year: when both numbers are 12 or less and differ
/// (`04/05/2025`), ``order`` decides and the result carries a warning naming the reading; when one
/// is over 12 the only possible reading wins, whatever the order, with no warning. A two-digit
/// year `yy` is read as `20yy`, with a warning. An invalid date (`31/02/2025`, `2025-13-01`, text)
/// keeps its text with `iso` nil and the warning "invalid date '…' kept as text". An empty cell
/// gives `iso` nil and no warning. Month names are English, full or three-letter (`Sept` too).
public struct DateParser: Sendable {
    /// How to read `nn/nn/yyyy` when both numbers could be the month.
    public enum DateOrder: Sendable, Hashable {
        /// `04/05/2025` is 4 May 2025.
        case dayFirst
        /// `04/05/2025` is April 5, 2025.
        case monthFirst
    }

    /// How ambiguous day/month dates are read.
    public var order: DateOrder

    /// Creates a parser; day first unless told otherwise.
    public init(order: DateOrder = .dayFirst) {
        self.order = order
    }

    /// Parses one cell.
    public func parse(_ text: String) -> DateParseResult {
        switch text.withUTF8Bytes(outcome) {
        case .empty:
            return DateParseResult(value: DateValue(raw: text, iso: nil))
        case .invalid:
            return DateParseResult(value: DateValue(raw: text, iso: nil), warning: "invalid date '\(text)' kept as text")
        case .excelSerial(let iso, let (day, month, year)):
            return DateParseResult(value: DateValue(raw: text, iso: iso),
                                   warning: "'\(text)' read as an Excel date serial number: \(day) \(Self.monthNames[month - 1]) \(year)")
        case .date(let iso, let ambiguity, let twoDigitYear):
            let caveat = Caveat(ambiguity: ambiguity, twoDigitYear: twoDigitYear, order: order)
            return DateParseResult(value: DateValue(raw: text, iso: iso), warning: caveat.map { $0.warning(about: text) })
        }
    }

    /// What the reading of a date needs a warning about: an ambiguous day and month, a two-digit
    /// year. Its warning's text is made on demand (`warning(about:)`), as `parse` gives it.
    struct Caveat {
        let ambiguity: (day: Int, month: Int, year: Int)?
        let twoDigitYear: Int?
        let order: DateOrder

        /// Nil when there is nothing to warn about.
        init?(ambiguity: (Int, Int, Int)?, twoDigitYear: Int?, order: DateOrder) {
            guard ambiguity != nil || twoDigitYear != nil else { return nil }
            self.ambiguity = ambiguity
            self.twoDigitYear = twoDigitYear
            self.order = order
        }

        /// The warning about the date written `text`.
        func warning(about text: String) -> String {
            var warnings: [String] = []
            if let (day, month, year) = ambiguity {
                let reading = "\(day) \(DateParser.monthNames[month - 1]) \(year)"
                switch order {
                case .dayFirst:
                    warnings.append("ambiguous date '\(text)' read as \(reading) (day first); use --date-order mdy if it is month first")
                case .monthFirst:
                    warnings.append("ambiguous date '\(text)' read as \(reading) (month first); use --date-order dmy if it is day first")
                }
            }
            if let year = twoDigitYear {
                warnings.append("two-digit year in '\(text)' read as \(year)")
            }
            return warnings.joined(separator: "; ")
        }
    }

    /// The ISO form of the date in a cell's UTF-8 bytes, with what its reading needs a warning
    /// about, when `parse` would read it as a date from the same text; nil when it would not (an
    /// empty cell, not a date, an Excel serial number): `parse` says why. A date read this way
    /// needs no string of its cell, and its warning is made only if it is shown.
    func isoDate(_ utf8: UnsafeBufferPointer<UInt8>) -> (iso: String, caveat: Caveat?)? {
        guard case .date(let iso, let ambiguity, let twoDigitYear) = outcome(utf8) else { return nil }
        return (iso, Caveat(ambiguity: ambiguity, twoDigitYear: twoDigitYear, order: order))
    }

    private func outcome(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var start = 0
        var end = bytes.count
        RatingParser.trim(bytes, &start, &end)
        if start == end { return .empty }
        var scanner = Scanner(bytes: bytes, start: start, end: end)
        return scanner.scan(order: order)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// English month names and abbreviations, lowercase, by month number.
    static let monthsByName: [String: Int] = {
        var table: [String: Int] = [:]
        for (index, name) in monthNames.enumerated() {
            table[name.lowercased()] = index + 1
            table[String(name.lowercased().prefix(3))] = index + 1
        }
        table["sept"] = 9
        return table
    }()

    enum Outcome {
        case empty
        case invalid
        /// The ISO form; for an ambiguous reading the (day, month, year) chosen; the year a
        /// two-digit year was widened to.
        case date(String, ambiguity: (Int, Int, Int)?, twoDigitYear: Int?)
        /// A spreadsheet's day number, read as the ISO form: with the (day, month, year) it is.
        case excelSerial(String, reading: (Int, Int, Int))
    }

    /// An Excel date serial number: days since 30 December 1899 (the count Excel uses from
    /// March 1900 on, past its 29 February 1900 that never was). A date column formatted as a
    /// number exports as one. Only 1950 to 2099 are read, so that other numbers stay invalid.
    static func excelSerial(_ serial: Int) -> Outcome {
        guard (18_264...73_050).contains(serial) else { return .invalid }
        let (year, month, day) = civilDate(daysSince1970: serial - 25_569)
        return .excelSerial(isoDate(year, month, day), reading: (day, month, year))
    }

    /// The Gregorian date `days` days after 1 January 1970. Counted in 400-year eras that start
    /// on 1 March, so that a leap day is the last day of its year.
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard month >= 1, month <= 12, day >= 1 else { return false }
        switch month {
        case 2: return day <= (isLeap(year) ? 29 : 28)
        case 4, 6, 9, 11: return day <= 30
        default: return day <= 31
        }
    }

    /// `yyyy-mm-dd`, zero-padded.
    static func isoDate(_ year: Int, _ month: Int, _ day: Int) -> String {
        String(unsafeUninitializedCapacity: 10) { buffer in
            write4(year, buffer, 0)
            buffer[4] = 0x2D
            write2(month, buffer, 5)
            buffer[7] = 0x2D
            write2(day, buffer, 8)
            return 10
        }
    }

    /// `yyyy-mm`.
    static func isoMonth(_ year: Int, _ month: Int) -> String {
        String(unsafeUninitializedCapacity: 7) { buffer in
            write4(year, buffer, 0)
            buffer[4] = 0x2D
            write2(month, buffer, 5)
            return 7
        }
    }

    static func write4(_ value: Int, _ buffer: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        buffer[at] = UInt8(0x30 + value / 1000 % 10)
        buffer[at + 1] = UInt8(0x30 + value / 100 % 10)
        buffer[at + 2] = UInt8(0x30 + value / 10 % 10)
        buffer[at + 3] = UInt8(0x30 + value % 10)
    }

    static func write2(_ value: Int, _ buffer: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        buffer[at] = UInt8(0x30 + value / 10 % 10)
        buffer[at + 1] = UInt8(0x30 + value % 10)
    }

    /// A cursor over the trimmed bytes of one cell.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i: Int
        let end: Int

        init(bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
            self.bytes = bytes
            self.i = start
            self.end = end
        }

        var atEnd: Bool { i >= end }

        func isDigit(_ at: Int) -> Bool { at < end && bytes[at] >= 0x30 && bytes[at] <= 0x39 }

        func isLetter(_ at: Int) -> Bool {
            guard at < end else { return false }
            let b = bytes[at] | 0x20
            return b >= 0x61 && b <= 0x7A
        }

        /// The value of the `count` digits at `start`; nil unless they are all digits.
        @inline(__always)
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for at in start..<start + count {
                let digit = bytes[at] &- 0x30
                guard digit <= 9 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }

        /// Reads a run of digits: its value and length.
        mutating func number() -> (value: Int, length: Int)? {
            let start = i
            var value = 0
            while isDigit(i) && i - start < 9 {
                value = value * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            if isDigit(i) { return nil }
            return i > start ? (value, i - start) : nil
        }

        /// Reads a run of letters, lowercased.
        mutating func word() -> String? {
            let start = i
            while isLetter(i) { i += 1 }
            guard i > start, i - start <= 12 else { return nil }
            var key = [UInt8]()
            key.reserveCapacity(i - start)
            for j in start..<i { key.append(bytes[j] | 0x20) }
            return String(decoding: key, as: UTF8.self)
        }

        mutating func skipSpaces() {
            while i < end && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
        }

        mutating func accept(_ byte: UInt8) -> Bool {
            if i < end && bytes[i] == byte {
                i += 1
                return true
            }
            return false
        }

        func text(_ from: Int, _ to: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
        }

        // MARK: Shapes

        mutating func scan(order: DateOrder) -> Outcome {
            // `yyyy-mm-dd`, the shape most exports write, is read without the general scan (which
            // reads it the same way, through `yearFirst` and `complete`).
            if end - i == 10, bytes[i + 4] == 0x2D, bytes[i + 7] == 0x2D,
               let year = digits(i, 4), let month = digits(i + 5, 2), let day = digits(i + 8, 2) {
                guard DateParser.isValid(year: year, month: month, day: day) else { return .invalid }
                return .date(DateParser.isoDate(year, month, day), ambiguity: nil, twoDigitYear: nil)
            }
            // `dd/mm/yyyy` (or `mm/dd/yyyy`; `.` or `-` between), the next most common, likewise
            // (the general scan reads it through `dayOrMonthFirst` to the same `reading`).
            if end - i == 10, bytes[i + 2] == bytes[i + 5], Scanner.isDayMonthSeparator(bytes[i + 2]),
               let first = digits(i, 2), let second = digits(i + 3, 2), let year = digits(i + 6, 4) {
                i = end
                return reading(first, second, year: year, widened: nil, order: order)
            }
            // `yyyy-mm-ddThh:mm:ssZ`, the usual timestamp, is its own ISO form (the general scan
            // reads it through `yearFirst`, `complete` and `time`, and copies it as it is).
            if end - i == 20, bytes[i + 4] == 0x2D, bytes[i + 7] == 0x2D, bytes[i + 10] == 0x54,
               bytes[i + 13] == 0x3A, bytes[i + 16] == 0x3A, bytes[i + 19] == 0x5A,
               let year = digits(i, 4), let month = digits(i + 5, 2), let day = digits(i + 8, 2),
               let hour = digits(i + 11, 2), let minute = digits(i + 14, 2), let second = digits(i + 17, 2) {
                guard DateParser.isValid(year: year, month: month, day: day), hour <= 23, minute <= 59, second <= 60
                else { return .invalid }
                return .date(text(i, end), ambiguity: nil, twoDigitYear: nil)
            }
            if isLetter(i) {
                if bytes[i] | 0x20 == 0x71 /* q */ { return quarterFirst() }
                return monthNameFirst()
            }
            guard let first = number() else { return .invalid }
            if first.length == 4 {
                return yearFirst(year: first.value)
            }
            if first.length == 5 && atEnd {
                return DateParser.excelSerial(first.value)
            }
            if first.length == 8 && atEnd {
                // ISO 8601 basic format.
                let v = first.value
                return complete(year: v / 10_000, month: v / 100 % 100, day: v % 100, timeFrom: nil)
            }
            guard first.length <= 2, i < end else { return .invalid }
            return dayOrMonthFirst(first: first.value, order: order)
        }

        /// `yyyy-mm-dd[Ttime]`, `yyyy/mm/dd`, `yyyy.mm.dd`, `yyyy-mm`, `yyyy-Q2`, `yyyy Q2`, `yyyyQ2`.
        mutating func yearFirst(year: Int) -> Outcome {
            if atEnd { return .invalid }
            let separator = bytes[i]
            if separator == 0x2D || separator == 0x2F || separator == 0x2E || separator == 0x20 {
                i += 1
            }
            if isLetter(i) {
                guard bytes[i] | 0x20 == 0x71 else { return .invalid }
                i += 1
                guard let q = number(), q.length == 1, (1...4).contains(q.value), atEnd else { return .invalid }
                return .date("\(year)-Q\(q.value)", ambiguity: nil, twoDigitYear: nil)
            }
            guard separator == 0x2D || separator == 0x2F || separator == 0x2E,
                  let month = number(), month.length <= 2
            else { return .invalid }
            if atEnd {
                guard separator != 0x2E, (1...12).contains(month.value) else { return .invalid }
                return .date(DateParser.isoMonth(year, month.value), ambiguity: nil, twoDigitYear: nil)
            }
            guard accept(separator), let day = number(), day.length <= 2 else { return .invalid }
            return complete(year: year, month: month.value, day: day.value, timeFrom: i)
        }

        /// `dd/mm/yyyy`, `mm/dd/yyyy`, `dd.mm.yy`, `14 Mar 2025`, `14-Mar-2025`, `14th March 2025`.
        mutating func dayOrMonthFirst(first: Int, order: DateOrder) -> Outcome {
            let separator = bytes[i]
            // `14th`, `1st`, `2nd`, `3rd`.
            if isLetter(i) {
                let save = i
                if let suffix = word(), ["st", "nd", "rd", "th"].contains(suffix) {
                    // fine
                } else {
                    i = save
                }
            }
            if !atEnd && (bytes[i] == 0x20 || bytes[i] == 0x2D || bytes[i] == 0x2F || bytes[i] == 0x2E) {
                let save = i
                i += 1
                skipSpaces()
                if isLetter(i) {
                    // Day, month name, year.
                    guard let name = word(), let month = DateParser.monthsByName[name] else { return .invalid }
                    _ = accept(0x2E)
                    if !atEnd && (bytes[i] == 0x2C || bytes[i] == 0x2D || bytes[i] == 0x2F) { i += 1 }
                    skipSpaces()
                    guard let (year, widened) = year() else { return .invalid }
                    return complete(year: year, month: month, day: first, timeFrom: i, twoDigitYear: widened)
                }
                i = save
            }
            guard Scanner.isDayMonthSeparator(separator) else { return .invalid }
            i += 1
            guard let second = number() else { return .invalid }
            // `03/2021`: a month and a four-digit year (federal AI inventories date things so).
            if second.length == 4 && atEnd {
                guard (1...12).contains(first) else { return .invalid }
                return .date(DateParser.isoMonth(second.value, first), ambiguity: nil, twoDigitYear: nil)
            }
            guard second.length <= 2, accept(separator) else { return .invalid }
            guard let (year, widened) = year() else { return .invalid }
            return reading(first, second.value, year: year, widened: widened, order: order)
        }

        /// Whether `byte` may stand between the day, month and year of a date that starts with
        /// its day or month: `/`, `.` or `-`.
        static func isDayMonthSeparator(_ byte: UInt8) -> Bool {
            byte == 0x2F || byte == 0x2E || byte == 0x2D
        }

        /// The date of the numbers `a` and `b` (day and month, in either order) and `year`, read
        /// in `order` when that gives a date, else the other way when only that one can be right.
        mutating func reading(_ a: Int, _ b: Int, year: Int, widened: Int?, order: DateOrder) -> Outcome {
            // (day, month) readings in the configured order, then the other one.
            let preferred = order == .dayFirst ? (a, b) : (b, a)
            let other = (preferred.1, preferred.0)
            let preferredValid = DateParser.isValid(year: year, month: preferred.1, day: preferred.0)
            let otherValid = DateParser.isValid(year: year, month: other.1, day: other.0)
            if preferredValid {
                let ambiguous = a != b && a <= 12 && b <= 12
                return complete(year: year, month: preferred.1, day: preferred.0, timeFrom: i, twoDigitYear: widened,
                                ambiguity: ambiguous ? (preferred.0, preferred.1, year) : nil)
            }
            // The configured order gives no date; when the first or second number is over 12 the
            // other reading is the only one there is.
            if otherValid && (a > 12 || b > 12) {
                return complete(year: year, month: other.1, day: other.0, timeFrom: i, twoDigitYear: widened)
            }
            return .invalid
        }

        /// `March 14, 2025`, `Mar 14 2025`, `March 2025`, `Mar-2025`.
        mutating func monthNameFirst() -> Outcome {
            guard let name = word(), let month = DateParser.monthsByName[name] else { return .invalid }
            _ = accept(0x2E)
            if !atEnd && (bytes[i] == 0x2D || bytes[i] == 0x2F) { i += 1 }
            skipSpaces()
            let save = i
            guard let n = number() else { return .invalid }
            if n.length == 4 && atEnd {
                return .date(DateParser.isoMonth(n.value, month), ambiguity: nil, twoDigitYear: nil)
            }
            guard n.length <= 2 else { return .invalid }
            if isLetter(i) {
                guard let suffix = word(), ["st", "nd", "rd", "th"].contains(suffix) else { return .invalid }
            }
            _ = accept(0x2C)
            if !atEnd && (bytes[i] == 0x2D || bytes[i] == 0x2F) { i += 1 }
            skipSpaces()
            guard i > save, let (year, widened) = year() else { return .invalid }
            return complete(year: year, month: month, day: n.value, timeFrom: i, twoDigitYear: widened)
        }

        /// `Q2 2024`, `Q2-2024`, `Q2/2024`.
        mutating func quarterFirst() -> Outcome {
            i += 1
            guard let q = number(), q.length == 1, (1...4).contains(q.value) else { return .invalid }
            if !atEnd && (bytes[i] == 0x2D || bytes[i] == 0x2F) { i += 1 }
            skipSpaces()
            guard let year = number(), year.length == 4, atEnd else { return .invalid }
            return .date("\(year.value)-Q\(q.value)", ambiguity: nil, twoDigitYear: nil)
        }

        /// A four-digit year, or a two-digit year read as 20yy (with the widened year returned).
        mutating func year() -> (Int, Int?)? {
            guard let y = number() else { return nil }
            switch y.length {
            case 4: return (y.value, nil)
            case 2: return (2000 + y.value, 2000 + y.value)
            default: return nil
            }
        }

        /// Validates the date and reads an optional time after it.
        mutating func complete(year: Int, month: Int, day: Int, timeFrom: Int?, twoDigitYear: Int? = nil,
                               ambiguity: (Int, Int, Int)? = nil) -> Outcome {
            guard DateParser.isValid(year: year, month: month, day: day) else { return .invalid }
            let date = DateParser.isoDate(year, month, day)
            guard timeFrom != nil, !atEnd else {
                return atEnd ? .date(date, ambiguity: ambiguity, twoDigitYear: twoDigitYear) : .invalid
            }
            // `T` or one or more spaces, then a time.
            let b = bytes[i]
            if b == 0x54 || b == 0x74 {
                i += 1
            } else if b == 0x20 {
                skipSpaces()
            } else {
                return .invalid
            }
            let timeStart = i
            guard time() else { return .invalid }
            var iso = date + "T"
            if bytes[timeStart + 1] == 0x3A { iso += "0" } // `9:05` → `09:05`
            var from = timeStart
            // Copy the time as given, with `z` upper-cased and no space before a zone.
            for j in timeStart..<end {
                let c = bytes[j]
                if c == 0x7A || c == 0x20 {
                    iso += text(from, j)
                    if c == 0x7A { iso += "Z" }
                    from = j + 1
                }
            }
            iso += text(from, end)
            return .date(iso, ambiguity: ambiguity, twoDigitYear: twoDigitYear)
        }

        /// `hh:mm[:ss[.fraction]][ ][Z | ±hh[:mm] | ±hhmm]` up to the end.
        mutating func time() -> Bool {
            guard let hour = number(), hour.length == 2 || hour.length == 1, hour.value <= 23,
                  accept(0x3A), let minute = number(), minute.length == 2, minute.value <= 59
            else { return false }
            if accept(0x3A) {
                guard let second = number(), second.length == 2, second.value <= 60 else { return false }
                if accept(0x2E) || accept(0x2C) {
                    guard isDigit(i) else { return false }
                    while isDigit(i) { i += 1 }
                }
            }
            if atEnd { return true }
            if bytes[i] == 0x20 { i += 1 }
            guard !atEnd else { return false }
            let zone = bytes[i]
            if zone == 0x5A || zone == 0x7A {
                i += 1
                return atEnd
            }
            guard zone == 0x2B || zone == 0x2D else { return false }
            i += 1
            guard let offset = number() else { return false }
            switch offset.length {
            case 2:
                guard offset.value <= 23 else { return false }
                if accept(0x3A) {
                    guard let minutes = number(), minutes.length == 2, minutes.value <= 59 else { return false }
                }
            case 4:
                guard offset.value / 100 <= 23, offset.value % 100 <= 59 else { return false }
            default:
                return false
            }
            return atEnd
        }
    }
}
