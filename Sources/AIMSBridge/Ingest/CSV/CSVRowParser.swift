import CLibCSV

/// One CSV row as libcsv delivered it: its fields' bytes, concatenated, and where each ends.
struct CSVRow {
    /// All field bytes back to back.
    var bytes: [UInt8] = []
    /// End offset in `bytes` of each field.
    var ends: [Int] = []
    /// 1-based line where the row starts.
    var line: Int = 0
    /// Set when a field went over a limit; the row is then rejected, not converted.
    var overLimit: String?

    /// Number of fields.
    var count: Int { ends.count }

    /// Calls `body` with the bytes of field `index`.
    borrowing func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    mutating func reset(line: Int) {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        self.line = line
        overLimit = nil
    }
}

/// What the row parser completed: a row (by its place among the parser's completed rows) or a
/// row it had to reject.
private enum CSVRowEvent {
    case row(Int)
    case rejected(RejectedRecord)
}

/// The state libcsv's callbacks reach through their context pointer (a struct on the heap:
/// cheaper than a class, which pays exclusivity checks on every property access).
private struct CSVCallbackState {
    var current = CSVRow()
    /// Rows completed since the parser's events were last drained: the first `completedCount`.
    /// The ones after are spare rows whose buffers the next rows reuse (see `rowCallback`).
    var completed: [CSVRow] = []
    var completedCount = 0
    var line = 1
    var maxFieldBytes = 0
    var maxFields = 0
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
    private var parser = csv_parser()
    private let state: UnsafeMutablePointer<CSVCallbackState>
    private let delimiter: UInt8
    private let file: String
    private let limits: ReaderLimits
    /// Raw lines of a record that is still open (inside a quoted field), kept for re-reading.
    private var openLines: [(line: Int, bytes: [UInt8])] = []
    private var openBytes = 0
    /// Lines to parse again after a recovery, before any new input.
    private var replay: [(line: Int, bytes: [UInt8])] = []
    private var events: [CSVRowEvent] = []
    /// How many of the completed rows are in `events` already.
    private var collected = 0

    init(delimiter: UInt8, file: String, limits: ReaderLimits) {
        self.delimiter = delimiter
        self.file = file
        self.limits = limits
        state = .allocate(capacity: 1)
        state.initialize(to: CSVCallbackState(maxFieldBytes: limits.maxFieldBytes,
                                              maxFields: limits.maxFieldsPerRecord))
        startParser()
    }

    deinit {
        csv_free(&parser)
        state.deinitialize(count: 1)
        state.deallocate()
    }

    private func startParser() {
        csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(&parser, delimiter)
        // libcsv trims spaces and tabs around unquoted fields by default; keep them.
        csv_set_space_func(&parser, aims_csv_no_spaces)
    }

    private func restartParser() {
        csv_free(&parser)
        parser = csv_parser()
        startParser()
        state.pointee.current.reset(line: state.pointee.line)
    }

    /// Whether libcsv is in the middle of a record (a quoted field spans lines).
    private var recordOpen: Bool { parser.pstate != 0 }

    /// Parses one physical line (with its terminator) numbered `line`. The rows and rejects it
    /// completes wait for `drain(rows:rejected:)`.
    func feed(line: Int, bytes: UnsafeBufferPointer<UInt8>) {
        parseLine(line: line, bytes: bytes)
        while !replay.isEmpty {
            let next = replay.removeFirst()
            next.bytes.withUnsafeBufferPointer { parseLine(line: next.line, bytes: $0) }
        }
    }

    /// Ends the input: completes a last record without a newline, or recovers from a quoted
    /// field that was never closed. What it completes waits for `drain(rows:rejected:)`.
    func finish() {
        while true {
            let result = csv_fini(&parser, CSVRowParser.fieldCallback, CSVRowParser.rowCallback, state)
            collectCompleted()
            if result == 0 {
                break
            }
            recoverUnterminated()
            while !replay.isEmpty {
                let next = replay.removeFirst()
                next.bytes.withUnsafeBufferPointer { parseLine(line: next.line, bytes: $0) }
            }
        }
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
        if !recordOpen {
            state.pointee.current.reset(line: line)
            if isBlank(bytes) { return }
        }
        state.pointee.line = line
        let consumed = csv_parse(&parser, bytes.baseAddress, bytes.count,
                                 CSVRowParser.fieldCallback, CSVRowParser.rowCallback, state)
        collectCompleted()
        if consumed < bytes.count || csv_error(&parser) != 0 {
            rejectStrictError(line: line, bytes: bytes, at: consumed)
            return
        }
        if recordOpen {
            openLines.append((line, Array(bytes)))
            openBytes += bytes.count
            if openBytes > limits.maxRecordBytes {
                recoverUnterminated()
            }
        } else {
            openLines.removeAll()
            openBytes = 0
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
        var raw: [UInt8] = []
        for open in openLines { raw.append(contentsOf: open.bytes) }
        raw.append(contentsOf: lastLine)
        var record = RejectedRecord(locator: locator, reason: reason, raw: CSVRowParser.text(raw))
        if let startLine = openLines.first?.line, startLine != locator.line {
            record.reason += " (record starts at line \(startLine))"
        }
        events.append(.rejected(record))
        openLines.removeAll()
        openBytes = 0
        restartParser()
    }

    /// A quoted field never closed: reject the record's first line, re-read the lines after it.
    private func recoverUnterminated() {
        guard let first = openLines.first else {
            // The open record is the current unterminated last line (no newline at the end).
            let row = state.pointee.current
            events.append(.rejected(RejectedRecord(
                locator: Locator(file: file, line: row.line),
                reason: "unterminated quoted field at the end of the input",
                raw: rawText(of: row))))
            restartParser()
            return
        }
        let column = CSVRowParser.openingQuoteColumn(in: first.bytes, delimiter: delimiter)
        events.append(.rejected(RejectedRecord(
            locator: Locator(file: file, line: first.line, column: column),
            reason: "unterminated quoted field: the quote opened here is never closed",
            raw: CSVRowParser.text(first.bytes))))
        replay = Array(openLines.dropFirst()) + replay
        openLines.removeAll()
        openBytes = 0
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

    /// A rejected row's fields joined back with the file's delimiter, for the rejects file.
    func rawText(of row: borrowing CSVRow) -> String {
        var parts: [String] = []
        for index in 0..<row.count {
            parts.append(row.withField(index) { String(decoding: $0.prefix(RejectedRecord.rawLimit), as: UTF8.self) })
        }
        return parts.joined(separator: String(UnicodeScalar(delimiter)))
    }

    private static let fieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { data, length, context in
        let state = context!.assumingMemoryBound(to: CSVCallbackState.self)
        if state.pointee.current.overLimit == nil {
            if length > state.pointee.maxFieldBytes {
                state.pointee.current.overLimit = "field \(state.pointee.current.count + 1) is larger than the \(state.pointee.maxFieldBytes)-byte field limit"
            } else if state.pointee.current.count >= state.pointee.maxFields {
                state.pointee.current.overLimit = "more than \(state.pointee.maxFields) fields in one record"
            }
        }
        if state.pointee.current.overLimit == nil, let data, length > 0 {
            state.pointee.current.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        }
        state.pointee.current.ends.append(state.pointee.current.bytes.count)
    }

    /// Moves the current row into the completed ones, and gives the current row the buffers of a
    /// spare one (a row handed over and drained already), so that rows do not allocate.
    private static let rowCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
        let state = context!.assumingMemoryBound(to: CSVCallbackState.self)
        let index = state.pointee.completedCount
        if index == state.pointee.completed.count { state.pointee.completed.append(CSVRow()) }
        swap(&state.pointee.completed[index], &state.pointee.current)
        state.pointee.completedCount = index + 1
        // A row ending inside a line (libcsv also ends rows at a CR alone in a file of LF lines,
        // or at an LF alone in a file of CR lines) is followed by one on the same line; a row
        // starting on a later line is given that line when the line is fed.
        state.pointee.current.reset(line: state.pointee.line)
    }
}
