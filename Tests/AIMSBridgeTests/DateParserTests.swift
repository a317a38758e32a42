import Testing
@testable import AIMSBridge

@Suite struct DateParserTests {
    private let dmy = DateParser()
    private let mdy = DateParser(order: .monthFirst)

    private func iso(_ text: String, _ parser: DateParser = DateParser()) -> String? {
        parser.parse(text).value.iso
    }

    private func clean(_ text: String, _ expected: String, _ parser: DateParser = DateParser()) {
        let result = parser.parse(text)
        #expect(result.value == DateValue(raw: text, iso: expected))
        #expect(result.warning == nil)
    }

    @Test func isoDatesAndTimestamps() {
        clean("2025-03-31", "2025-03-31")
        clean("2023-05-01T10:00:00Z", "2023-05-01T10:00:00Z")
        clean("2023-05-01T10:00:00+02:00", "2023-05-01T10:00:00+02:00")
        clean("2023-05-01T10:00:00-0500", "2023-05-01T10:00:00-0500")
        clean("2023-05-01T10:00:00.123Z", "2023-05-01T10:00:00.123Z")
        clean("2023-05-01T10:00", "2023-05-01T10:00")
        clean("2023-05-01t10:00:00z", "2023-05-01T10:00:00Z")
        clean("2025-03-31 14:05", "2025-03-31T14:05")
        clean("2025-03-31 14:05:09", "2025-03-31T14:05:09")
        clean("2025-03-31 14:05 +01:00", "2025-03-31T14:05+01:00")
        clean(" 2025-03-31 ", "2025-03-31")
        clean("2025-3-5", "2025-03-05")
        clean("2025/03/31", "2025-03-31")
        clean("2025.03.31", "2025-03-31")
        clean("20250331", "2025-03-31")
    }

    @Test func dayFirstAndMonthFirst() {
        clean("31/03/2025", "2025-03-31")
        clean("31.03.2025", "2025-03-31")
        clean("31-03-2025", "2025-03-31")
        #expect(iso("1/3/2025") == "2025-03-01")
        clean("1/13/2025", "2025-01-13")
        clean("03/31/2025", "2025-03-31", mdy)
        clean("31/03/2025 14:05", "2025-03-31T14:05")
        clean("31/03/2025 9:05:00", "2025-03-31T09:05:00")
        // Equal day and month: one reading only.
        clean("05/05/2025", "2025-05-05")
        clean("05/05/2025", "2025-05-05", mdy)
    }

    @Test func unambiguousReadingWinsWhateverTheOrder() {
        clean("31/12/2025", "2025-12-31", mdy)
        clean("12/31/2025", "2025-12-31", dmy)
        clean("13.01.2024", "2024-01-13", mdy)
    }

    @Test func ambiguousDates() {
        let d = dmy.parse("04/05/2025")
        #expect(d.value == DateValue(raw: "04/05/2025", iso: "2025-05-04"))
        #expect(d.warning == "ambiguous date '04/05/2025' read as 4 May 2025 (day first); use --date-order mdy if it is month first")
        let m = mdy.parse("04/05/2025")
        #expect(m.value == DateValue(raw: "04/05/2025", iso: "2025-04-05"))
        #expect(m.warning == "ambiguous date '04/05/2025' read as 5 April 2025 (month first); use --date-order dmy if it is day first")
    }

    @Test func twoDigitYears() {
        let r = dmy.parse("31/03/25")
        #expect(r.value == DateValue(raw: "31/03/25", iso: "2025-03-31"))
        #expect(r.warning == "two-digit year in '31/03/25' read as 2025")
        let both = dmy.parse("01/02/25")
        #expect(both.value.iso == "2025-02-01")
        #expect(both.warning == "ambiguous date '01/02/25' read as 1 February 2025 (day first); use --date-order mdy if it is month first; two-digit year in '01/02/25' read as 2025")
        #expect(iso("1-Jan-25") == "2025-01-01")
    }

    @Test func monthsAndQuarters() {
        clean("2025-03", "2025-03")
        clean("2025/03", "2025-03")
        clean("Q2 2024", "2024-Q2")
        clean("2024 Q2", "2024-Q2")
        clean("2024-Q2", "2024-Q2")
        clean("2024Q2", "2024-Q2")
        clean("q4/2023", "2023-Q4")
        clean("March 2025", "2025-03")
        clean("Sep-2025", "2025-09")
        #expect(iso("Q5 2024") == nil)
        #expect(iso("2024-Q0") == nil)
    }

    @Test func monthNames() {
        clean("14 Mar 2025", "2025-03-14")
        clean("14 March 2025", "2025-03-14")
        clean("14-Mar-2025", "2025-03-14")
        clean("14th March 2025", "2025-03-14")
        clean("March 14, 2025", "2025-03-14")
        clean("Mar 14 2025", "2025-03-14")
        clean("Sept. 1, 2024", "2024-09-01")
        clean("1 sept 2024", "2024-09-01")
        clean("14 Mar 2025 10:30", "2025-03-14T10:30")
    }

    @Test func leapYears() {
        clean("2024-02-29", "2024-02-29")
        clean("29/02/2000", "2000-02-29")
        #expect(iso("2025-02-29") == nil)
        #expect(iso("29/02/1900") == nil)
        #expect(iso("2100-02-29") == nil)
    }

    @Test func extendedISODatesReadAsTheirBasicForm() {
        // `yyyy-mm-dd` has a path of its own; the basic form `yyyymmdd` takes the general one.
        // Every day of four years (a leap year, a century that is not one) and impossible days.
        var checked = 0
        for year in [1900, 2000, 2023, 2024] {
            for month in 0...13 {
                for day in 0...32 {
                    let (m, d) = (month < 10 ? "0\(month)" : "\(month)", day < 10 ? "0\(day)" : "\(day)")
                    let extended = dmy.parse("\(year)-\(m)-\(d)")
                    let basic = dmy.parse("\(year)\(m)\(d)")
                    #expect(extended.value.iso == basic.value.iso, "\(year)-\(m)-\(d)")
                    #expect((extended.warning == nil) == (basic.warning == nil), "\(year)-\(m)-\(d)")
                    if extended.value.iso != nil { checked += 1 }
                }
            }
        }
        #expect(checked == 365 * 2 + 366 * 2)
        // Ten bytes of another shape go the general way.
        #expect(iso("2024-1-011") == nil && iso("2024-0a-01") == nil && iso("+024-01-01") == nil && iso("2024/01-01") == nil)
        #expect(iso("2024/01/01") == "2024-01-01" && iso("01/02/2024") == "2024-02-01")
    }

    /// `dd/mm/yyyy` and `yyyy-mm-ddThh:mm:ssZ` have paths of their own too; the same dates with
    /// a time after them, and the same timestamps with a lowercase `z`, take the general one.
    @Test func dayMonthDatesAndTimestampsReadAsTheGeneralScanReadsThem() {
        var checked = 0
        for parser in [dmy, mdy] {
            for year in [1900, 2000, 2024] {
                for first in 0...32 {
                    for second in 0...32 {
                        let (a, b) = (first < 10 ? "0\(first)" : "\(first)", second < 10 ? "0\(second)" : "\(second)")
                        for separator in ["/", ".", "-"] {
                            let text = "\(a)\(separator)\(b)\(separator)\(year)"
                            let own = parser.parse(text)
                            let general = parser.parse("\(text) 00:00")
                            #expect(own.value.iso.map { "\($0)T00:00" } == general.value.iso, "\(text)")
                            #expect((own.warning == nil) == (general.warning == nil), "\(text)")
                            if own.value.iso != nil { checked += 1 }
                        }
                    }
                }
            }
        }
        // Each order reads every real day of the three years once or twice (day and month both
        // 12 or under, and different, read either way), with each of the three separators.
        #expect(checked > 2 * 3 * (365 + 366 + 366))
        for (date, time) in [("2024-02-29", "23:59:60"), ("2023-02-29", "10:00:00"), ("2024-12-31", "24:00:00"),
                             ("2024-06-15", "12:60:00"), ("2024-06-15", "12:30:61"), ("2024-00-10", "00:00:00"),
                             ("2024-06-15", "00:00:00"), ("2024-06-15", "9a:00:00")] {
            let own = dmy.parse("\(date)T\(time)Z")
            let general = dmy.parse("\(date)T\(time)z")
            #expect(own.value.iso == general.value.iso && own.warning?.isEmpty == general.warning?.isEmpty, "\(date)T\(time)")
        }
        #expect(iso("2024-06-15T12:30:45Z") == "2024-06-15T12:30:45Z" && iso("2024-12-31T24:00:00Z") == nil)
    }

    @Test func invalidDates() {
        for text in ["31/02/2025", "2025-13-01", "garbage", "2025-04-31", "00/01/2025", "13/13/2025", "2025-03-31T25:00",
                     "2025-03-31T10:61", "2025-03-32", "31/03/202", "TBD", "14 Foo 2025", "2025-03-31 later", "2025-00"] {
            let r = dmy.parse(text)
            #expect(r.value == DateValue(raw: text, iso: nil), "\(text)")
            #expect(r.warning == "invalid date '\(text)' kept as text", "\(text)")
        }
    }

    @Test func excelSerialNumbers() {
        // Days since 30 December 1899, as Excel counts them: checked against Python's datetime.
        for (text, expected, reading) in [("45518", "2024-08-14", "14 August 2024"), ("18264", "1950-01-01", "1 January 1950"),
                                          ("73050", "2099-12-31", "31 December 2099"), ("60000", "2064-04-08", "8 April 2064"),
                                          (" 43890 ", "2020-02-29", "29 February 2020")] {
            let r = dmy.parse(text)
            #expect(r.value == DateValue(raw: text, iso: expected), "\(text)")
            #expect(r.warning == "'\(text)' read as an Excel date serial number: \(reading)", "\(text)")
        }
        // Outside 1950-2099, or not five digits alone, a number is no date.
        for text in ["18263", "73051", "4551", "455180", "45518.5", "45518 days"] {
            #expect(dmy.parse(text).value.iso == nil, "\(text)")
        }
    }

    @Test func emptyCell() {
        let r = dmy.parse("  ")
        #expect(r.value == DateValue(raw: "  ", iso: nil))
        #expect(r.warning == nil)
    }

    @Test func monthAndYear() {
        let parser = DateParser()
        #expect(parser.parse("03/2021").value == DateValue(raw: "03/2021", iso: "2021-03"))
        #expect(parser.parse("3/2021").value.iso == "2021-03")
        #expect(parser.parse("13/2021").value.iso == nil)
    }
}
