#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a CSV export as a stream of `SourceRecord`s, on libcsv.
///
/// Encodings: UTF-8 with or without BOM, UTF-16 LE/BE (BOM, or guessed from NUL bytes with a
/// warning), Windows-1252 for fields that are not valid UTF-8 (one warning per file). The
/// delimiter is sniffed among `, ; TAB |`; banner rows above the header and a section row
/// over it are found (see `CSVHeader`). Empty cells and null markers (`--`, `—`, `N/A`, `n/a`,
/// `null`) are absent, not empty strings.
public struct CSVRecordReader: DeferringRecordReader {
    /// Values that mean "no value" in exports.
    public static let nullMarkers: Set<String> = ["--", "—", "–", "N/A", "n/a", "#N/A", "null", "NULL"]
    /// The bytes some null marker starts with, as a set of 256 bits (bit `b % 64` of word
    /// `b / 64`), and the UTF-8 length of the longest null marker. Literals rather than derived
    /// from `nullMarkers`: a derived static is initialized lazily, and every read of it (two for
    /// every cell of the input) was a `swift_once` call. A test derives both and compares.
    static let nullMarkerStartBits: (UInt64, UInt64, UInt64, UInt64) = (0x2008_0000_0000, 0x4000_0000_4000, 0, 0x4_0000_0000)
    static let longestNullMarker = 4

    /// Whether some null marker starts with `byte`.
    @inline(__always)
    static func someNullMarkerStarts(with byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = nullMarkerStartBits.0
        case 1: word = nullMarkerStartBits.1
        case 2: word = nullMarkerStartBits.2
        default: word = nullMarkerStartBits.3
        }
        return (word >> UInt64(byte & 63)) & 1 != 0
    }
    /// How many rows are looked at to find the header: 30, or as many as hold `headerSampleBytes`
    /// (rows of a megabyte are not held by the thirty).
    static let headerSampleRows = 30
    static let headerSampleBytes = 1 << 20
    /// How many single-value rows after a blank line are held as a possible footer at most; a
    /// longer run of them is data.
    static let footerLimit = 16
    /// How many items are read ahead at most: a chunk of short lines holds tens of thousands of
    /// records, and each record takes tens of times its bytes. Records of a megabyte are read
    /// ahead by `pendingBytes` rather than by the thousand.
    static let pendingLimit = 1024
    static let pendingBytes = 2 << 20

    private let source: ByteSource
    private let diagnostics: any DiagnosticCollector
    private let parser: CSVRowParser
    private var transcoder: UTF16ToUTF8Transcoder?
    /// The encoding found.
    public let encoding: String
    /// The delimiter found, by name.
    public let delimiterName: String
    private var header: [String]?
    /// The header row's cells as written (their bytes, without whitespace at the ends), to know
    /// the header row when it comes again.
    private var headerCells: [[UInt8]] = []
    /// The last line of the last row with a value read after the header (or of the header row).
    private var lastRowLine = 0
    /// Rows of a single value after a blank line (`Exported by … on 2025-01-03`, `Total: 12`),
    /// with their raw text: records when another row follows them, a footer (rejected, not
    /// converted) when the input ends.
    private var footerCandidates: [(record: PendingRecord, raw: String)] = []
    private var sampled: [CSVRow] = []
    private var sampledBytes = 0
    /// Items read but not yet handed out.
    private var pending = HandOutQueue<DeferredIngestItem>()
    /// The block the rows' fields are written into (see `PendingRowBlock`), and the file's name
    /// as records hold it (their locators' file): a copy of its own for each block, so that this
    /// thread retaining it and the workers releasing it as they drop records do not pass one
    /// reference count between the cores on every row.
    private var rowBlock: PendingRowBlock?
    private var recordFile = ""
    /// About how many bytes the items in `pending` take (see `IngestItem.footprint`).
    private var pendingByteCount = 0
    /// The chunk being read, and where its next line starts.
    private var chunk: [UInt8] = []
    private var chunkOffset = 0
    /// The start of a line that goes on in the next chunk.
    private var carry: [UInt8] = []
    /// Set while the rest of a line too long to keep is skipped (see `keepPartialLine`).
    private var skippingLine = false
    /// The byte lines end with: LF (which also ends CRLF lines), or CR in a file whose lines
    /// end with CR alone (Excel's "CSV (Macintosh)").
    private let lineTerminator: UInt8
    private var line = 1
    private var ordinal = 0
    private var finished = false
    private var warnedFallback = false
    private var warnedWide = 0
    private let limits: ReaderLimits

    /// Opens a reader over `source`. Warnings (encoding guesses, fallbacks) go to `diagnostics`.
    public init(source: ByteSource, limits: ReaderLimits = .standard,
                diagnostics: any DiagnosticCollector) throws(IngestError) {
        self.source = source
        self.diagnostics = diagnostics
        self.limits = limits
        let prefix = try source.peek(64 * 1024)
        let detected = TextEncoding.detect(prefix)
        encoding = detected.encoding.rawValue
        var sample = Array(prefix.dropFirst(detected.bomLength))
        if detected.encoding != .utf8 {
            if detected.guessed {
                diagnostics.emit(Diagnostic(.warning, "no byte-order mark; reading as \(detected.encoding.rawValue) from the pattern of NUL bytes",
                                            at: Locator(file: source.name, line: 1)))
            }
            var probe = UTF16ToUTF8Transcoder(bigEndian: detected.encoding == .utf16BE)
            sample = probe.transcode(sample)
            transcoder = UTF16ToUTF8Transcoder(bigEndian: detected.encoding == .utf16BE)
        }
        let dialect = CSVDialect.sniff(sample[...])
        lineTerminator = CSVRecordReader.lineTerminator(in: sample)
        delimiterName = dialect.delimiterName
        parser = CSVRowParser(delimiter: dialect.delimiter, file: source.name, limits: limits)
        bomToSkip = detected.bomLength
    }

    private var bomToSkip: Int

    /// CR when more lines of `sample` end with a CR alone than with LF, else LF.
    static func lineTerminator(in sample: [UInt8]) -> UInt8 {
        var lineFeeds = 0
        var loneReturns = 0
        for index in sample.indices {
            if sample[index] == 0x0A {
                lineFeeds += 1
            } else if sample[index] == 0x0D && (index + 1 == sample.count || sample[index + 1] != 0x0A) {
                loneReturns += 1
            }
        }
        return loneReturns > lineFeeds ? 0x0D : 0x0A
    }

    /// The next record or rejected record.
    public mutating func next() throws(IngestError) -> IngestItem? {
        try nextDeferred()?.materialized()
    }

    /// The next record, its values still bytes (made strings by whoever takes it: in a
    /// conversion, the worker that normalizes it), or rejected record.
    mutating func nextDeferred() throws(IngestError) -> DeferredIngestItem? {
        while pending.isEmpty {
            pendingByteCount = 0
            if finished { return nil }
            // Lines a recovery holds to read again come first, one at a time: they can be a
            // whole record's worth (4 MiB) of short lines, whose records would otherwise all be
            // held at once.
            if parser.replayNext() {
                takeParsed()
            } else {
                try readMore()
            }
        }
        return pending.take()
    }

    /// Feeds the complete lines of the current chunk (reading the next one when it is done) to
    /// the parser, until the chunk ends or a recovery leaves lines to read again.
    private mutating func readMore() throws(IngestError) {
        if chunkOffset >= chunk.count {
            guard var next = try source.nextChunk() else {
                finishInput()
                return
            }
            if bomToSkip > 0 {
                next.removeFirst(min(bomToSkip, next.count))
                bomToSkip = 0
            }
            if transcoder != nil { next = transcoder!.transcode(next) }
            chunk = next
            chunkOffset = 0
        }
        // A reference of its own to the chunk's storage: the loop below mutates `self`.
        let current = chunk
        current.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            while chunkOffset < count {
                let start = chunkOffset
                guard let terminator = memchr(base + start, Int32(lineTerminator), count - start) else {
                    keepPartialLine(UnsafeBufferPointer(rebasing: buffer[start..<count]))
                    chunkOffset = count
                    break
                }
                let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(terminator))
                let rest = UnsafeBufferPointer(rebasing: buffer[start...end])
                if skippingLine {
                    skippingLine = false
                } else if carry.count + rest.count > limits.maxRecordBytes {
                    rejectLongLine(rest)
                } else if carry.isEmpty {
                    parser.feed(line: line, bytes: rest)
                } else {
                    // Only a line that spans chunks is copied, and only the line.
                    carry.append(contentsOf: rest)
                    carry.withUnsafeBufferPointer { parser.feed(line: line, bytes: $0) }
                    carry.removeAllReusingStorage()
                }
                takeParsed()
                line += 1
                chunkOffset = end + 1
                if parser.hasReplay || pending.count >= CSVRecordReader.pendingLimit
                    || pendingByteCount >= CSVRecordReader.pendingBytes { return }
            }
        }
        // Freed now rather than when the next chunk is read (10 MB less at the peak, measured).
        if chunkOffset >= chunk.count {
            chunk = []
            chunkOffset = 0
        }
    }

    /// At the end of the input: feeds the last line if it has no terminator, and completes the
    /// last record (or recovers, leaving lines to read again before finishing once more).
    private mutating func finishInput() {
        if !carry.isEmpty {
            let last = carry
            carry = []
            last.withUnsafeBufferPointer { parser.feed(line: line, bytes: $0) }
            takeParsed()
            if parser.hasReplay { return }
        }
        let complete = parser.finish()
        takeParsed()
        if complete {
            finishHeader()
            rejectFooter()
            finished = true
        }
    }

    /// Keeps the start of a line that goes on in the next chunk. A line longer than a whole
    /// record may be is not kept (memory would grow with it, and the record is over the limit
    /// whatever follows): its record is rejected and the rest of the line skipped.
    private mutating func keepPartialLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        if skippingLine { return }
        if carry.count + bytes.count <= limits.maxRecordBytes {
            carry.append(contentsOf: bytes)
            return
        }
        rejectLongLine(bytes)
        skippingLine = true
    }

    /// Rejects the record of a line longer than the record limit: the line's start is the kept
    /// part (`carry`) and then `more`.
    private mutating func rejectLongLine(_ more: UnsafeBufferPointer<UInt8>) {
        carry.append(contentsOf: more.prefix(max(0, RejectedRecord.rawLimit - carry.count)))
        carry.withUnsafeBufferPointer { parser.rejectOverlongLine(line: line, start: $0) }
        takeParsed()
        carry = []
    }

    /// Takes the rows and rejects the parser completed.
    private mutating func takeParsed() {
        parser.drain(rows: { row in
            if header == nil {
                sampledBytes += row.bytes.count
                sampled.append(copy row)
                if sampled.count >= CSVRecordReader.headerSampleRows || sampledBytes >= CSVRecordReader.headerSampleBytes { finishHeader() }
            } else {
                emit(row)
            }
        }, rejected: { record in
            releaseFooterCandidates()
            ordinal += 1
            pending.append(.ready(.rejected(record)))
        })
    }

    /// Decides the header from the sampled rows and emits the data rows among them.
    private mutating func finishHeader() {
        guard header == nil, !sampled.isEmpty else { return }
        let texts = sampled.map { row in (0..<row.count).map { trimmed(cellText(row, $0)) } }
        let found = CSVHeader.detect(texts)!
        header = found.names
        let headerRow = sampled[found.rowIndex]
        lastRowLine = headerRow.lastLine
        headerCells = (0..<headerRow.count).map { index in headerRow.withField(index) { Array(CSVRecordReader.trimmed($0)) } }
        let rows = sampled
        sampled = []
        for row in rows.dropFirst(found.rowIndex + 1) { emit(row) }
    }

    private mutating func emit(_ row: borrowing CSVRow) {
        let names = header!
        if recordFile.isEmpty { recordFile = ownFileName() }
        pendingByteCount += IngestItem.footprint(bytes: row.bytes.count, fields: row.count)
        let afterBlankLine = row.line > lastRowLine + 1
        let previousRowLine = lastRowLine
        lastRowLine = row.lastLine
        if repeatsHeader(row) {
            diagnostics.emit(Diagnostic(.warning, "this row repeats the header row (were exports joined together?); it is skipped, not converted",
                                        at: Locator(file: source.name, line: row.line)))
            return
        }
        let nulOffset: Int? = row.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let hit = memchr(base, 0, buffer.count) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }
        if let offset = nulOffset {
            let index = row.ends.firstIndex { $0 > offset } ?? 0
            releaseFooterCandidates()
            ordinal += 1
            pending.append(.ready(.rejected(RejectedRecord(
                locator: Locator(file: source.name, line: row.line),
                reason: "field \(index + 1) contains NUL bytes; is this a binary file?",
                raw: parser.rawText(of: row)))))
            return
        }
        // A row of valid UTF-8 (nearly every row) keeps its cells as bytes, written into the
        // current row block; the cells of another are decoded here, so that the fallback's
        // warning comes with the first row needing it.
        let isUTF8 = row.bytes.withUnsafeBufferPointer(TextDecoding.isValidUTF8)
        var fields: PendingFields
        if isUTF8 {
            if rowBlock?.hasRoom(bytes: row.bytes.count, fields: row.count) != true {
                rowBlock = PendingRowBlock(paths: names.map { $0 }, bytes: row.bytes.count, fields: row.count)
                recordFile = ownFileName()
            }
            // The fields are written in one pass over the row's bytes and ends. The path of a
            // cell under the header is the header's name, by its index.
            var extraColumns: [Int] = []
            fields = row.bytes.withUnsafeBufferPointer { bytes in
                row.ends.withUnsafeBufferPointer { ends in
                    rowBlock!.append(bytes, maxFields: ends.count) { slots in
                        var count = 0
                        var start = 0
                        for index in ends.indices {
                            let end = ends[index]
                            defer { start = end }
                            if CSVRecordReader.isAbsent(UnsafeBufferPointer(rebasing: bytes[start..<end])) { continue }
                            var path = index
                            if index >= names.count {
                                path = names.count + extraColumns.count
                                extraColumns.append(index)
                            }
                            slots[count] = PendingFields.Field(path: path, column: index, value: .bytes(start: start, end: end))
                            count += 1
                        }
                        return count
                    }
                }
            }
            if !extraColumns.isEmpty {
                // Paths past the header's are the row's own: its fields are copied into arrays
                // of their own, where those paths are added.
                fields = fields.withByteFields { bytes, fields, paths in
                    PendingFields(copying: bytes, paths: Array(paths), fields: fields)
                }!
                for column in extraColumns { fields.addPath("column_\(column + 1)") }
                warnWide(row, header: names)
            }
        } else {
            fields = PendingFields()
            var wide = false
            for index in 0..<row.count {
                let value = cellText(row, index)
                if CSVRecordReader.isAbsent(value) { continue }
                wide = wide || index >= names.count
                let name = index < names.count ? names[index] : "column_\(index + 1)"
                fields.insert(path: name, column: index, value: .text(value), at: fields.count)
            }
            if wide { warnWide(row, header: names) }
        }
        if fields.count == 0 {
            // A row of empty cells (a blank row as spreadsheets save it) counts as a blank line.
            lastRowLine = previousRowLine
            return
        }
        // The fields are moved into the record, not copied: a copy retained each of their four
        // arrays and the file's name, to release them again at the end of the row.
        let isSingleValue = fields.count == 1
        let record = PendingRecord(fields: consume fields, locator: Locator(file: recordFile, line: row.line), ordinal: ordinal)
        ordinal += 1
        if isSingleValue && names.count > 1 && (afterBlankLine || !footerCandidates.isEmpty)
            && footerCandidates.count < CSVRecordReader.footerLimit {
            footerCandidates.append((consume record, parser.rawText(of: row)))
            return
        }
        releaseFooterCandidates()
        pending.append(.pending(consume record))
    }

    /// A copy of the file's name with storage of its own (see `recordFile`).
    private func ownFileName() -> String {
        String(decoding: Array(source.name.utf8), as: UTF8.self)
    }

    /// Warns about a row with values past the header (kept as `column_N`): the first ten such
    /// rows of a file.
    private mutating func warnWide(_ row: borrowing CSVRow, header names: [String]) {
        guard warnedWide < 10 else { return }
        warnedWide += 1
        diagnostics.emit(Diagnostic(.warning, "row has \(row.count) fields but the header has \(names.count); extra values kept as column_\(names.count + 1)…",
                                    at: Locator(file: source.name, line: row.line)))
    }

    /// Rows held as a possible footer that another row follows: they are records after all.
    private mutating func releaseFooterCandidates() {
        guard !footerCandidates.isEmpty else { return }
        for candidate in footerCandidates { pending.append(.pending(candidate.record)) }
        footerCandidates.removeAll()
    }

    /// At the end of the input, the rows held as a possible footer are one: rejected, so that a
    /// line like `Exported by Archer on 2025-01-03` is not converted into a record.
    private mutating func rejectFooter() {
        for candidate in footerCandidates {
            pending.append(.ready(.rejected(RejectedRecord(
                locator: candidate.record.locator,
                reason: "a single value after a blank line at the end of the file: a footer or a note, not a record",
                raw: candidate.raw))))
        }
        footerCandidates.removeAll()
    }

    /// Whether a row repeats the header row cell for cell, as exports joined end to end do. Bytes
    /// are compared, so that no string is made for a data row (which differs in its first cell).
    private func repeatsHeader(_ row: borrowing CSVRow) -> Bool {
        guard row.count == headerCells.count else { return false }
        for index in 0..<row.count where !row.withField(index, { CSVRecordReader.trimmed($0).elementsEqual(headerCells[index]) }) {
            return false
        }
        return true
    }

    /// A cell's bytes without the whitespace at its ends.
    private static func trimmed(_ cell: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var start = 0
        var end = cell.count
        RatingParser.trim(cell, &start, &end)
        return cell[start..<end]
    }

    private mutating func cellText(_ row: borrowing CSVRow, _ index: Int) -> String {
        var fallback = false
        let text = row.withField(index) { TextDecoding.decode($0, usedFallback: &fallback) }
        if fallback && !warnedFallback {
            warnedFallback = true
            diagnostics.emit(Diagnostic(.warning, "file is not valid UTF-8; reading it as Windows-1252",
                                        at: Locator(file: source.name, line: row.line)))
        }
        return text
    }

    private func trimmed(_ text: String) -> String {
        CSVRecordReader.isAbsent(text) ? "" : text.trimmingWhitespace()
    }

    /// Whether a cell is a value whatever its middle: no whitespace at its ends, and longer than
    /// any null marker or starting with a byte no null marker starts with (the fast path of the
    /// absence tests).
    @inline(__always)
    private static func isCertainlyPresent(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        String.hasVisibleEnds(utf8) && (utf8.count > longestNullMarker || !someNullMarkerStarts(with: utf8[0]))
    }

    /// Whether a cell of valid UTF-8 counts as absent, as `isAbsent(_:)` says of its text: the
    /// same fast path on its end bytes, its text made only when that cannot tell.
    @inline(__always)
    static func isAbsent(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        if isCertainlyPresent(cell) { return false }
        return isAbsent(String(decoding: cell, as: UTF8.self))
    }

    /// Whether a cell counts as absent: empty, only whitespace, or a null marker. (Inlined into
    /// the reader's loop over a row's cells, on the thread every record passes through.)
    @inline(__always)
    static func isAbsent(_ value: String) -> Bool {
        if value.withUTF8Bytes(isCertainlyPresent) { return false }
        let trimmed = value.trimmingWhitespace()
        // A value longer than every marker is none (without hashing it: values with a trailing
        // space can come this way on every row).
        return trimmed.isEmpty || (trimmed.utf8.count <= longestNullMarker && nullMarkers.contains(trimmed))
    }
}
