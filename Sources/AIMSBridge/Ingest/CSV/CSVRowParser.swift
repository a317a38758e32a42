import CLibCSV

/// One CSV row as libcsv delivered it: its fields' bytes, concatenated, and where each ends.
struct CSVRow {
    /// All field bytes back to back.
    var bytes: [UInt8] = []
    /// End offset in `bytes` of each field.
    var ends: [Int] = []
    /// 1-based line where the row starts.
    var line: Int = 0
    /// 1-based line where the row ends (after `line` when a quoted field spans lines).
    var lastLine: Int = 0
    /// Set when a field went over a limit; the row is then rejected, not converted.
    var overLimit: String?

    /// Number of fields.
    var count: Int { ends.count }

    /// Where field `index` is in `bytes`.
    borrowing func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Calls `body` with the bytes of field `index`.
    borrowing func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let range = range(index)
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Becomes the row on lines `line` to `lastLine` (rejected for `overLimit`, if set), with
    /// the fields `fields` holds: their bytes and ends copied into this row's buffers, each in
    /// one piece.
    mutating func fill(line: Int, lastLine: Int, overLimit: String?, from fields: UnsafePointer<aims_csv_row_fields>) {
        bytes.removeAllReusingStorage()
        ends.removeAll(keepingCapacity: true)
        let (fieldBytes, fieldEnds) = (fields.pointee.bytes, fields.pointee.ends)
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: fieldBytes.elements, count: fieldBytes.count))
        ends.append(contentsOf: UnsafeBufferPointer(start: fieldEnds.elements?.assumingMemoryBound(to: Int.self),
                                                    count: fieldEnds.count))
        self.line = line
        self.lastLine = lastLine
        self.overLimit = overLimit
    }
}

/// What the row parser completed: a row (by its place among the parser's completed rows) or a
/// row it had to reject.
private enum CSVRowEvent {
    case row(Int)
    case rejected(RejectedRecord)
}

/// The state of libcsv's row callback, which it reaches through the context pointer's `owner`
/// (a struct on the heap: cheaper than a class, which pays exclusivity checks on every property
/// access).
private struct CSVCallbackState {
    /// The row being read: the line it starts on, and its fields until it is complete (in the
    /// context libcsv's field callback, `aims_csv_append_field`, writes to).
    var rowLine = 1
    let fields: UnsafeMutablePointer<aims_csv_row_fields>
    /// Rows completed since the parser's events were last drained: the first `completedCount`.
    /// The ones after are spare rows whose buffers the next rows reuse (see `rowCallback`).
    var completed: [CSVRow] = []
    var completedCount = 0
    var line = 1

    /// Starts reading a row on `line`; memory its fields grew past what is reused
    /// (`Array.reusedCapacityLimit`) is given back.
    mutating func startRow(line: Int) {
        rowLine = line
        aims_csv_row_fields_clear(fields, [UInt8].reusedCapacityLimit)
    }

    /// Why the row being read is rejected (a limit one of its fields went over), if it is.
    var rowOverLimit: String? {
        let fields = fields.pointee
        switch fields.overLimit {
        case AIMS_CSV_FIELD_TOO_LARGE:
            return "field \(fields.overLimitField) is larger than the \(fields.maxFieldBytes)-byte field limit"
        case AIMS_CSV_TOO_MANY_FIELDS:
            return "more than \(fields.maxFields) fields in one record"
        default:
            return nil
        }
    }
}

/// Wraps libcsv in strict mode and feeds it one physical line at a time, so that line numbers
/// are known (libcsv itself only counts bytes) and a record with a quoting error can be rejected
/// while the records around it are still read.
///
/// Recovery: a strict-mode error rejects the record it occurs in (the lines from the record's
/// start to the error line) and parsing restarts on the next line. A quoted field that is never
/// closed (found at the end of the input, or when the open record grows past the record-size
/// limit) rejects only the line where the record started; the lines after it are parsed again.
final class CSVRowParser {
    // Unchecked exclusivity: a parser serves one reader on one thread, and the dynamic checks
    // on these properties, four or more for every line, measured as 1 % of a conversion.
    @exclusivity(unchecked) private var parser = csv_parser()
    /// What libcsv's callbacks are given: the row's fields, and `state` as their owner.
    private let context: UnsafeMutablePointer<aims_csv_context>
    private let state: UnsafeMutablePointer<CSVCallbackState>
    private let delimiter: UInt8
    private let file: String
    private let limits: ReaderLimits
    /// Raw lines of a record that is still open (inside a quoted field), kept for re-reading.
    @exclusivity(unchecked) private var openLines = CSVHeldLines()
    /// Lines to parse again after a recovery, before any new input: those from `replayIndex` on.
    @exclusivity(unchecked) private var replay = CSVHeldLines()
    @exclusivity(unchecked) private var replayIndex = 0
    @exclusivity(unchecked) private var events: [CSVRowEvent] = []
    /// How many of the completed rows are in `events` already.
    @exclusivity(unchecked) private var collected = 0
    /// Whether libcsv has `aims_csv_no_spaces` as its space function (else its default test).
    @exclusivity(unchecked) private var keepsSpaces = true
    /// Whether lines are parsed without a space function where that reads them the same (see
    /// `aims_csv_trims_nothing`); off only in tests, to compare with reading every line with one.
    private let dropsSpaceFunction: Bool

    init(delimiter: UInt8, file: String, limits: ReaderLimits, dropsSpaceFunction: Bool = true) {
        self.delimiter = delimiter
        self.file = file
        self.limits = limits
        self.dropsSpaceFunction = dropsSpaceFunction
        context = .allocate(capacity: 1)
        context.initialize(to: aims_csv_context())
        let fields = context.pointer(to: \.fields)!
        // Room for 4 KiB of bytes and 64 fields to start with; a row that is rejected for a limit
        // keeps only as much as its rejection's raw text shows.
        let started = aims_csv_row_fields_init(fields, 4_096, 64, limits.maxFieldBytes, limits.maxFieldsPerRecord,
                                               RejectedRecord.rawLimit)
        precondition(started == 0, "out of memory")
        state = .allocate(capacity: 1)
        state.initialize(to: CSVCallbackState(fields: fields))
        context.pointee.owner = UnsafeMutableRawPointer(state)
        startParser()
    }

    deinit {
        csv_free(&parser)
        aims_csv_row_fields_free(state.pointee.fields)
        state.deinitialize(count: 1)
        state.deallocate()
        context.deinitialize(count: 1)
        context.deallocate()
    }

    private func startParser() {
        csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(&parser, delimiter)
        // libcsv trims spaces and tabs around unquoted fields by default; keep them.
        csv_set_space_func(&parser, aims_csv_no_spaces)
        keepsSpaces = true
    }

    /// Gives libcsv the space function that keeps spaces, or none (its default test), for the
    /// next line.
    private func keepSpaces(_ keep: Bool) {
        guard keep != keepsSpaces else { return }
        csv_set_space_func(&parser, keep ? aims_csv_no_spaces : nil)
        keepsSpaces = keep
    }

    private func restartParser() {
        csv_free(&parser)
        parser = csv_parser()
        startParser()
        state.pointee.startRow(line: state.pointee.line)
    }

    /// Whether libcsv is in the middle of a record (a quoted field spans lines).
    private var recordOpen: Bool { parser.pstate != 0 }

    /// Parses one physical line (with its terminator) numbered `line`. The rows and rejects it
    /// completes wait for `drain(rows:rejected:)`; lines a recovery holds to read again wait for
    /// `replayNext()`.
    func feed(line: Int, bytes: UnsafeBufferPointer<UInt8>) {
        parseLine(line: line, bytes: bytes)
    }

    /// Whether a recovery holds lines to read again (`replayNext()`), before any new input.
    var hasReplay: Bool { replayIndex < replay.count }

    /// Parses the next line a recovery held to read again; false when none is left. The lines
    /// of one recovery can be a whole record's worth (4 MiB) of short lines: drained one at a
    /// time, their rows are never all held at once.
    func replayNext() -> Bool {
        guard replayIndex < replay.count else {
            if replayIndex > 0 {
                replay.removeAll()
                replayIndex = 0
            }
            return false
        }
        let index = replayIndex
        replayIndex += 1
        replay.withLine(index) { parseLine(line: $0, bytes: $1) }
        return true
    }

    /// Ends the input: completes a last record without a newline, or recovers from a quoted
    /// field that was never closed. What it completes waits for `drain(rows:rejected:)`. Returns
    /// false after a recovery: the lines it holds are then read (`replayNext()`) and `finish`
    /// called again.
    func finish() -> Bool {
        let result = csv_fini(&parser, aims_csv_append_field, CSVRowParser.rowCallback, context)
        collectCompleted()
        if result == 0 { return true }
        recoverUnterminated()
        return false
    }

    /// Hands over what was completed since the last call, in input order: each row lent to
    /// `rows` (a row kept must be copied; its buffers are reused afterwards), each reject to
    /// `rejected`. Lending rather than returning them spares an array, and the row's two buffers,
    /// for every line of the input.
    func drain(rows: (borrowing CSVRow) -> Void, rejected: (RejectedRecord) -> Void) {
        for index in events.indices {
            switch events[index] {
            case .row(let row): rows(state.pointee.completed[row])
            case .rejected(let record): rejected(record)
            }
        }
        events.removeAll(keepingCapacity: true)
        state.pointee.completedCount = 0
        collected = 0
    }

    private func parseLine(line: Int, bytes: UnsafeBufferPointer<UInt8>) {
        let startsRecord = !recordOpen
        if startsRecord {
            state.pointee.startRow(line: line)
            if isBlank(bytes) { return }
        }
        // A line that no trimming could change is parsed without a space function; one that
        // goes on an open record keeps it (the test assumes a line starts outside quotes).
        keepSpaces(!(dropsSpaceFunction && startsRecord
            && aims_csv_trims_nothing(bytes.baseAddress, bytes.count, delimiter) != 0))
        state.pointee.line = line
        let consumed = csv_parse(&parser, bytes.baseAddress, bytes.count,
                                 aims_csv_append_field, CSVRowParser.rowCallback, context)
        collectCompleted()
        if consumed < bytes.count || csv_error(&parser) != 0 {
            rejectStrictError(line: line, bytes: bytes, at: consumed)
            return
        }
        if recordOpen {
            openLines.append(line: line, bytes: bytes)
            if openLines.byteCount > limits.maxRecordBytes {
                recoverUnterminated()
            }
        } else {
            openLines.removeAll()
        }
    }

    private func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x0A || $0 == 0x0D }
    }

    /// Turns the rows completed since the last call into events.
    private func collectCompleted() {
        while collected < state.pointee.completedCount {
            if let reason = state.pointee.completed[collected].overLimit {
                let row = state.pointee.completed[collected]
                events.append(.rejected(RejectedRecord(locator: Locator(file: file, line: row.line), reason: reason,
                                                       raw: rawText(of: row))))
            } else {
                events.append(.row(collected))
            }
            collected += 1
        }
    }

    /// A strict-mode error at byte `offset` of `line`: reject the record, restart on the next line.
    private func rejectStrictError(line: Int, bytes: UnsafeBufferPointer<UInt8>, at offset: Int) {
        let reason: String
        if offset < bytes.count && bytes[offset] == 0x22 {
            reason = "stray quote inside an unquoted field (quote the whole field and double the quote)"
        } else if offset > 0 && offset <= bytes.count && bytes[offset - 1] == 0x22 {
            reason = "unexpected character after a closing quote"
        } else {
            reason = "malformed quoting"
        }
        rejectRecord(at: Locator(file: file, line: line, column: offset + 1), reason: reason, lastLine: bytes)
    }

    /// A physical line longer than a whole record may be, of which the reader kept only `start`:
    /// rejects the record it belongs to (one left open on earlier lines, else the record on this
    /// line) and restarts on the next line.
    func rejectOverlongLine(line: Int, start: UnsafeBufferPointer<UInt8>) {
        rejectRecord(at: Locator(file: file, line: line), reason: "line longer than the \(limits.maxRecordBytes)-byte record limit",
                     lastLine: start)
    }

    /// Rejects the record that `lastLine` ends (with the lines it opened on, if any), for a problem
    /// at `locator`, and restarts on the next line.
    private func rejectRecord(at locator: Locator, reason: String, lastLine: UnsafeBufferPointer<UInt8>) {
        // Only as much as a rejected record's raw text keeps.
        var raw = openLines.prefix(RejectedRecord.rawLimit)
        raw.append(contentsOf: lastLine.prefix(max(0, RejectedRecord.rawLimit - raw.count)))
        var record = RejectedRecord(locator: locator, reason: reason, raw: CSVRowParser.text(raw))
        if openLines.count > 0, openLines.number(of: 0) != locator.line {
            record.reason += " (record starts at line \(openLines.number(of: 0)))"
        }
        events.append(.rejected(record))
        openLines.removeAll()
        restartParser()
    }

    /// A quoted field never closed: reject the record's first line, re-read the lines after it.
    private func recoverUnterminated() {
        guard openLines.count > 0 else {
            // The open record is the current unterminated last line (no newline at the end).
            var row = CSVRow()
            row.fill(line: state.pointee.rowLine, lastLine: state.pointee.line, overLimit: state.pointee.rowOverLimit,
                     from: state.pointee.fields)
            events.append(.rejected(RejectedRecord(
                locator: Locator(file: file, line: row.line),
                reason: "unterminated quoted field at the end of the input",
                raw: rawText(of: row))))
            restartParser()
            return
        }
        let first = openLines.bytes(of: 0)
        let column = CSVRowParser.openingQuoteColumn(in: first, delimiter: delimiter)
        events.append(.rejected(RejectedRecord(
            locator: Locator(file: file, line: openLines.number(of: 0), column: column),
            reason: "unterminated quoted field: the quote opened here is never closed",
            raw: CSVRowParser.text(first))))
        // The lines after the first are read again, before the lines still waiting from an
        // earlier recovery.
        openLines.removeFirst()
        openLines.append(contentsOf: replay, from: replayIndex)
        replay = openLines
        replayIndex = 0
        openLines = CSVHeldLines()
        restartParser()
    }

    /// The 1-based column of the quote that leaves `line` inside a quoted field.
    static func openingQuoteColumn(in line: [UInt8], delimiter: UInt8) -> Int {
        var inQuotes = false
        var fieldStart = true
        var opened = 0
        var index = 0
        while index < line.count {
            let byte = line[index]
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < line.count && line[index + 1] == 0x22 { index += 1 } else { inQuotes = false }
                }
            } else if byte == 0x22 && fieldStart {
                inQuotes = true
                opened = index
            }
            fieldStart = !inQuotes && byte == delimiter
            index += 1
        }
        return opened + 1
    }

    static func text(_ bytes: [UInt8]) -> String {
        var raw = bytes
        while let last = raw.last, last == 0x0A || last == 0x0D { raw.removeLast() }
        return String(decoding: raw.prefix(RejectedRecord.rawLimit), as: UTF8.self)
    }

    /// A rejected row's fields joined back with the file's delimiter, for the rejects file (its
    /// first `RejectedRecord.rawLimit` bytes).
    func rawText(of row: borrowing CSVRow) -> String {
        var raw: [UInt8] = []
        for index in 0..<row.count where raw.count < RejectedRecord.rawLimit {
            if index > 0 { raw.append(delimiter) }
            row.withField(index) { raw.append(contentsOf: $0.prefix(RejectedRecord.rawLimit - raw.count)) }
        }
        return String(decoding: raw.prefix(RejectedRecord.rawLimit), as: UTF8.self)
    }

    /// Adds the current row to the completed ones, in the buffers of a spare one (a row handed
    /// over and drained already), so that rows do not allocate.
    private static let rowCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
        let state = context!.assumingMemoryBound(to: aims_csv_context.self).pointee.owner!
            .assumingMemoryBound(to: CSVCallbackState.self)
        let index = state.pointee.completedCount
        if index == state.pointee.completed.count { state.pointee.completed.append(CSVRow()) }
        state.pointee.completed[index].fill(line: state.pointee.rowLine, lastLine: state.pointee.line,
                                            overLimit: state.pointee.rowOverLimit, from: state.pointee.fields)
        state.pointee.completedCount = index + 1
        // A row ending inside a line (libcsv also ends rows at a CR alone in a file of LF lines,
        // or at an LF alone in a file of CR lines) is followed by one on the same line; a row
        // starting on a later line is given that line when the line is fed.
        state.pointee.startRow(line: state.pointee.line)
    }
}

/// Physical lines held back (those of a record still open, or lines to read again), back to back
/// in one buffer: a line is not an array of its own, which for a record's worth of short lines
/// cost ten times the bytes held. The lines held are consecutive (an open record's, or the
/// lines after a recovery's first), so only the first one's number is kept.
struct CSVHeldLines {
    private var buffer: [UInt8] = []
    /// The offset where each line ends in `buffer`.
    private var ends: [Int] = []
    /// The number of the first line ever held (line `first`).
    private var firstNumber = 0
    /// Where line `first` starts in `buffer` (lines before it were removed).
    private var base = 0
    private var first = 0

    /// How many lines are held.
    var count: Int { ends.count - first }
    /// How many bytes the held lines take.
    var byteCount: Int { buffer.count - base }

    /// The line number of held line `index`.
    func number(of index: Int) -> Int { firstNumber + first + index }

    /// The bytes of held line `index`.
    func bytes(of index: Int) -> [UInt8] { Array(buffer[range(of: index)]) }

    /// The first `count` bytes of the held lines, back to back.
    func prefix(_ count: Int) -> [UInt8] { Array(buffer[base..<min(buffer.count, base + count)]) }

    /// Calls `body` with the number and bytes of held line `index`.
    func withLine(_ index: Int, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        let range = range(of: index)
        buffer.withUnsafeBufferPointer { body(number(of: index), UnsafeBufferPointer(rebasing: $0[range])) }
    }

    private func range(of index: Int) -> Range<Int> {
        let start = index == 0 ? base : ends[first + index - 1]
        return start..<ends[first + index]
    }

    /// Holds one more line, the one after the last held (or any line, when none is).
    mutating func append(line number: Int, bytes: UnsafeBufferPointer<UInt8>) {
        if ends.isEmpty { firstNumber = number }
        assert(number == self.number(of: count), "held lines must be consecutive")
        buffer.append(contentsOf: bytes)
        ends.append(buffer.count)
    }

    /// Holds the lines of `other` from its line `index` on.
    mutating func append(contentsOf other: CSVHeldLines, from index: Int) {
        for line in index..<other.count {
            other.withLine(line) { append(line: $0, bytes: $1) }
        }
    }

    /// Drops the first line.
    mutating func removeFirst() {
        base = ends[first]
        first += 1
    }

    /// Drops every line, keeping the storage (up to `reusedCapacityLimit`).
    mutating func removeAll() {
        // Called after every line that leaves no record open: nothing to do for most.
        guard !ends.isEmpty else { return }
        buffer.removeAllReusingStorage()
        ends.removeAll(keepingCapacity: true)
        base = 0
        first = 0
    }
}
