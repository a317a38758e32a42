/// Reads records from a JSON source, streaming: only the current top-level record (with its
/// child records) is held in memory, whatever the size of the file.
///
/// The tokenizer is hand-written (`JSONTokenizer`) because Foundation's `JSONSerialization`
/// and `JSONDecoder` load and parse whole documents; a 500 MB export would be held in memory
/// several times over.
///
/// Input shapes:
/// - a top-level array of objects: each element is a record (pointer `/3`);
/// - NDJSON / JSON Lines: top-level objects one after another, separated by whitespace; each is
///   a record (pointer `/12`, the 0-based index of the value in the stream);
/// - a top-level object with `recordPath`, a JSON Pointer (RFC 6901) naming an array inside
///   it (`/data/items`); its elements are the records (pointer `/data/items/3`);
/// - a top-level object without `recordPath`: the records are the elements of the first
///   top-level member whose value is an array whose first element is an object.
///   Members before and after it are checked for well-formedness and otherwise ignored; a later
///   member that is an array of objects too gets a warning naming the record path that reads it.
///
/// A lone top-level object is told apart from one line of NDJSON by looking ahead (at most
/// `max(limits.maxRecordBytes, 64 KiB)` bytes, capped at 16 MiB): if another value follows it,
/// the input is NDJSON. A lone object with an array-of-objects member is a wrapper; one whose
/// members are only containers, with an empty array among them, is an empty wrapper (no
/// records); any other lone object is one record. `recordPath: ""` (the whole document) forces
/// every top-level object to be read as a record, and a top-level array's elements likewise.
///
/// Flattening: nested objects give dotted paths (`owner.name`); keys keep their dots as they
/// are; duplicate keys give two fields, in order. Arrays of scalars give a `.list` field
/// (nested arrays are flattened into the same list; `null` and empty strings in a list are
/// dropped). Numbers keep their source text; `true`/`false` become those words; `null`, empty
/// strings, empty objects and empty arrays give no field. Objects inside an array in a record
/// are child records, emitted right after their parent (depth first, in source order), with
/// a `ParentLink` naming the array's dotted path; the parent does not contain their fields.
///
/// Errors: a record with a problem that leaves the JSON structure intact (invalid UTF-8, a
/// bad escape, a raw control character, an invalid number, a field over `maxFieldBytes`, more
/// than `maxFieldsPerRecord` fields, a record over `maxRecordBytes` or with more than
/// `maxNestedRecords` nested records, a non-object element) is
/// rejected and reading carries on. A syntax error inside a record rejects it; in NDJSON
/// reading resumes after the next newline, in an array no record boundary can be trusted any
/// more, so the following `next()` throws. Nesting deeper than `maxDepth`, a truncated array
/// or wrapper, and anything wrong outside records are thrown as `IngestError`s. The
/// truncated last line of an NDJSON file is rejected, not thrown.
///
/// `ordinal` is the position among the items returned (parents and children, in order), as in
/// the other readers: a rejected item takes one ordinal (the children of a rejected record,
/// which are rejected with it, take none).
public struct JSONRecordReader: RecordReader {
    private enum Phase { case start, array, sequence, closing, done }

    /// A container open around the record array (or being navigated).
    private struct Container {
        var isObject: Bool
        var line: Int
    }

    /// A container open inside the value being parsed.
    private struct Frame {
        var isObject: Bool
        /// Object: the path of the object (prefix of its members); array: the field's path.
        var pathID: Int32
        /// Object: the path of the member being read.
        var memberPathID: Int32 = 0
        /// Slot in `pending` of the record this container belongs to.
        var record: Int32
        /// Index in `frames` of that record's root object.
        var rootIndex: Int32
        /// Array: it keeps the list on top of `lists` (nested arrays share their outer one's).
        var ownsList = false
        /// Array: index of the current element.
        var element = 0
    }

    private var lexer: JSONTokenizer
    private let file: String
    private let limits: ReaderLimits
    private let recordPath: String?
    private let pointerTokens: [String]?
    /// Where warnings go (records of the document that are not read).
    private let diagnostics: (any DiagnosticCollector)?

    private var phase = Phase.start
    private var failure: IngestError?
    private var enclosing: [Container] = []
    private var recordArrayLine = 1
    private var recordPrefix = ""
    private var elementIndex = 0
    private var expectComma = false

    private var table = JSONPathTable()
    private var pending: [SourceRecord] = []
    private var pendingNext = 0
    private var nextOrdinal = 0
    private var frames: [Frame] = []
    private var lists: [[String]] = []
    private let lines: Bool
    private var building = false
    private var problem: (reason: String, line: Int, column: Int)?
    private var recordStartOffset = 0
    private var lastFieldCount = 8

    /// Creates a reader over `source`.
    ///
    /// - Parameters:
    ///   - recordPath: a JSON Pointer (`/data/items`, with `~0` for `~` and `~1` for `/`)
    ///     naming the array of records; nil to detect it; `""` to read top-level values.
    ///   - limits: bounds on field and record size, field count and nesting depth.
    ///   - lines: whether the input is known to be NDJSON (by its name): a first object too long
    ///     to tell a lone object from a line is then a line (see `classifyTopLevelObject`).
    ///   - diagnostics: where warnings go.
    /// - Throws: `IngestError` when `recordPath` is not a valid JSON Pointer.
    public init(source: ByteSource, recordPath: String? = nil, limits: ReaderLimits = .standard,
                lines: Bool = false, diagnostics: (any DiagnosticCollector)? = nil) throws(IngestError) {
        self.file = source.name
        self.limits = limits
        self.lines = lines
        self.recordPath = recordPath
        self.diagnostics = diagnostics
        if let recordPath {
            guard let tokens = Self.parsePointer(recordPath) else {
                throw IngestError("invalid record path '\(recordPath)': not a JSON Pointer",
                                  at: Locator(file: source.name, line: 1, column: 1))
            }
            pointerTokens = tokens
        } else {
            pointerTokens = nil
        }
        lexer = JSONTokenizer(source: source, maxTokenBytes: limits.maxFieldBytes)
    }

    /// The next record, rejected record, or nil at the end of the input.
    public mutating func next() throws(IngestError) -> IngestItem? {
        if pendingNext < pending.count {
            pendingNext += 1
            return .record(takePending(pendingNext - 1))
        }
        if let failure { throw failure }
        do throws(JSONReadError) {
            while true {
                switch phase {
                case .start:
                    try start()
                case .array:
                    if let item = try nextInArray() { return item }
                case .sequence:
                    if let item = try nextInSequence() { return item }
                case .closing:
                    try closeDocument()
                    phase = .done
                case .done:
                    return nil
                }
            }
        } catch {
            let fatal = ingestError(error)
            failure = fatal
            phase = .done
            pending.removeAll()
            pendingNext = 0
            throw fatal
        }
    }

    // MARK: Errors

    private func locator(_ line: Int, _ column: Int, _ path: String? = nil) -> Locator {
        Locator(file: file, line: line, column: column, path: path)
    }

    private func ingestError(_ error: JSONReadError) -> IngestError {
        switch error {
        case .syntax(let message, let line, let column), .fatal(let message, let line, let column):
            return IngestError(message, at: locator(line, column))
        case .depth(let line, let column):
            return IngestError("nesting deeper than \(limits.maxDepth) levels", at: locator(line, column))
        case .io(let error):
            return error
        case .endOfFile(let line, let column):
            let message: String
            if phase == .array {
                message = "unexpected end of file inside array started at line \(recordArrayLine)"
            } else if let container = enclosing.last {
                message = "unexpected end of file inside \(container.isObject ? "object" : "array") "
                    + "started at line \(container.line)"
            } else {
                message = "unexpected end of file"
            }
            return IngestError(message, at: locator(line, column))
        }
    }

    /// An error for an unexpected token: end of file, or a syntax error with `expected`.
    private func unexpected(_ token: JSONToken, _ expected: String) -> JSONReadError {
        if token == .end {
            let end = lexer.endPosition
            return .endOfFile(line: end.line, column: end.column)
        }
        return .syntax(expected, line: lexer.tokenLine, column: lexer.tokenColumn)
    }

    private func checkDepth(_ depth: Int) throws(JSONReadError) {
        if depth > limits.maxDepth { throw .depth(line: lexer.tokenLine, column: lexer.tokenColumn) }
    }

    // MARK: Document structure

    private mutating func start() throws(JSONReadError) {
        try lexer.skipByteOrderMark()
        guard let first = try lexer.peekByte() else {
            phase = .done
            return
        }
        if first == UInt8(ascii: "{") && (pointerTokens == nil || pointerTokens == []) {
            let shape: JSONObjectShape
            if pointerTokens == nil {
                let window = min(max(limits.maxRecordBytes, 1 << 16), 1 << 24)
                shape = try lexer.classifyTopLevelObject(window: window, lines: lines)
            } else {
                shape = .sequence
            }
            switch shape {
            case .sequence, .single:
                phase = .sequence
            case .wrapper, .emptyWrapper:
                try findFirstArrayMember(allowNone: shape == .emptyWrapper)
            }
            return
        }
        let token = try lexer.next()
        guard token == .beginObject || token == .beginArray else {
            throw .fatal("expected a JSON array or object", line: lexer.tokenLine, column: lexer.tokenColumn)
        }
        if let tokens = pointerTokens, !tokens.isEmpty {
            try navigate(from: token, tokens)
        } else {
            startRecordArray(prefix: "")
        }
    }

    private mutating func startRecordArray(prefix: String) {
        recordArrayLine = lexer.tokenLine
        recordPrefix = prefix
        elementIndex = 0
        expectComma = false
        phase = .array
    }

    /// Reads a key and its colon (the key token already read); returns the decoded key
    /// (nil when it cannot be decoded).
    private mutating func readMemberKey(_ token: JSONToken) throws(JSONReadError) -> String? {
        guard token == .string else { throw unexpected(token, "expected a string key") }
        let key = lexer.oversized ? nil : lexer.stringValue()
        let colon = try lexer.next()
        guard colon == .colon else { throw unexpected(colon, "expected ':' after object key") }
        return key
    }

    /// Whether `value` (just read) opens an array whose first element is an object.
    private mutating func startsArrayOfObjects(_ value: JSONToken) throws(JSONReadError) -> Bool {
        guard value == .beginArray else { return false }
        return try lexer.peekByte() == UInt8(ascii: "{")
    }

    /// Auto-detection: the records are the elements of the first member of the top-level
    /// object whose value is an array starting with an object.
    private mutating func findFirstArrayMember(allowNone: Bool) throws(JSONReadError) {
        _ = try lexer.next()
        enclosing.append(Container(isObject: true, line: lexer.tokenLine))
        try checkDepth(1)
        var token = try lexer.next()
        if token != .endObject {
            while true {
                let key = try readMemberKey(token)
                let value = try lexer.next()
                if try startsArrayOfObjects(value), let key {
                    try checkDepth(2)
                    startRecordArray(prefix: "/" + Self.escapePointer(key))
                    return
                }
                if key == "schema", value == .string, !lexer.oversized,
                   let schema = lexer.stringValue(), schema.hasPrefix("aims-register/") {
                    // Read as an export, a register would give the summaries in its `sources` as
                    // records (of whatever kind their fields suggest) and drop the rest.
                    throw .fatal("this is an AIMS register ('\(schema)'), not an export to convert; "
                                 + "'aims merge FILE -o OUT' rewrites it (with --format ndjson as NDJSON), "
                                 + "'aims report FILE' reports on it", line: lexer.tokenLine, column: lexer.tokenColumn)
                }
                try skipValue(value, depth: enclosing.count)
                token = try lexer.next()
                if token == .comma {
                    token = try lexer.next()
                } else if token == .endObject {
                    break
                } else {
                    throw unexpected(token, "expected ',' or '}' after object member")
                }
            }
        }
        if allowNone {
            enclosing.removeLast()
            phase = .closing
            return
        }
        throw .fatal("no member of the top-level object is an array of objects; give a record path",
                     line: lexer.tokenLine, column: lexer.tokenColumn)
    }

    /// Follows the record path from the top-level container (its opening token read).
    private mutating func navigate(from first: JSONToken, _ tokens: [String]) throws(JSONReadError) {
        let path = recordPath ?? ""
        var token = first
        var traversed = ""
        for name in tokens {
            if token == .beginObject {
                enclosing.append(Container(isObject: true, line: lexer.tokenLine))
                try checkDepth(enclosing.count)
                var found = false
                var next = try lexer.next()
                if next != .endObject {
                    while true {
                        let key = try readMemberKey(next)
                        let value = try lexer.next()
                        if key == name {
                            token = value
                            found = true
                            break
                        }
                        try skipValue(value, depth: enclosing.count)
                        next = try lexer.next()
                        if next == .comma {
                            next = try lexer.next()
                        } else if next == .endObject {
                            break
                        } else {
                            throw unexpected(next, "expected ',' or '}' after object member")
                        }
                    }
                }
                if !found {
                    throw .fatal("record path '\(path)' not found: the object at '\(traversed)' has no member '\(name)'",
                                 line: lexer.tokenLine, column: lexer.tokenColumn)
                }
            } else if token == .beginArray {
                enclosing.append(Container(isObject: false, line: lexer.tokenLine))
                try checkDepth(enclosing.count)
                let notFound = JSONReadError.fatal(
                    "record path '\(path)' not found: the array at '\(traversed)' has no element '\(name)'",
                    line: lexer.tokenLine, column: lexer.tokenColumn)
                guard let index = Self.arrayIndex(name) else { throw notFound }
                var next = try lexer.next()
                if next == .endArray { throw notFound }
                var position = 0
                while position < index {
                    try skipValue(next, depth: enclosing.count)
                    let separator = try lexer.next()
                    if separator == .endArray {
                        throw JSONReadError.fatal(
                            "record path '\(path)' not found: the array at '\(traversed)' has no element '\(name)'",
                            line: lexer.tokenLine, column: lexer.tokenColumn)
                    }
                    guard separator == .comma else {
                        throw unexpected(separator, "expected ',' or ']' after array element")
                    }
                    next = try lexer.next()
                    position += 1
                }
                token = next
            } else {
                guard token.startsValue else { throw unexpected(token, "expected a value") }
                throw .fatal("record path '\(path)' not found: '\(traversed)' is \(token.phrase), not an object or array",
                             line: lexer.tokenLine, column: lexer.tokenColumn)
            }
            traversed += "/" + Self.escapePointer(name)
        }
        guard token == .beginArray else {
            guard token.startsValue else { throw unexpected(token, "expected a value") }
            throw .fatal("record path '\(path)' names \(token.phrase), not an array",
                         line: lexer.tokenLine, column: lexer.tokenColumn)
        }
        try checkDepth(enclosing.count + 1)
        startRecordArray(prefix: path)
    }

    /// After the record array: checks the rest of the enclosing containers and that nothing
    /// follows the document.
    private mutating func closeDocument() throws(JSONReadError) {
        while let container = enclosing.last {
            while true {
                let token = try lexer.next()
                if container.isObject {
                    if token == .endObject { break }
                    guard token == .comma else { throw unexpected(token, "expected ',' or '}' after object member") }
                    let key = try readMemberKey(try lexer.next())
                    let value = try lexer.next()
                    // Records found by looking are those of the first array of objects: another
                    // one is not read, and the user is told how to read it.
                    if recordPath == nil, enclosing.count == 1, try startsArrayOfObjects(value), let key {
                        let path = "/" + Self.escapePointer(key)
                        diagnostics?.emit(Diagnostic(.warning, "'\(path)' is an array of objects too and is not read (the records are those of '\(recordPrefix)'); convert it with --record-path \(path)",
                                                     at: Locator(file: file, line: lexer.tokenLine, column: lexer.tokenColumn)))
                    }
                    try skipValue(value, depth: enclosing.count)
                    continue
                } else {
                    if token == .endArray { break }
                    guard token == .comma else { throw unexpected(token, "expected ',' or ']' after array element") }
                }
                try skipValue(try lexer.next(), depth: enclosing.count)
            }
            enclosing.removeLast()
        }
        if try lexer.peekByte() != nil {
            _ = try? lexer.next()
            throw .syntax("unexpected content after the end of the JSON document",
                          line: lexer.tokenLine, column: lexer.tokenColumn)
        }
    }

    // MARK: Records

    private mutating func nextInArray() throws(JSONReadError) -> IngestItem? {
        var token = try lexer.next()
        if expectComma {
            if token == .endArray {
                phase = .closing
                return nil
            }
            guard token == .comma else { throw unexpected(token, "expected ',' or ']' after array element") }
            token = try lexer.next()
        } else if token == .endArray {
            phase = .closing
            return nil
        }
        expectComma = true
        let pointer = recordPrefix + "/" + String(elementIndex)
        elementIndex += 1
        let depth = enclosing.count + 1
        if token == .beginObject {
            return try readRecord(pointer: pointer, depth: depth, resynchronise: false)
        }
        guard token.startsValue else { throw unexpected(token, "expected a value") }
        let line = lexer.tokenLine, column = lexer.tokenColumn
        lexer.beginRaw()
        try skipValue(token, depth: depth)
        nextOrdinal += 1
        return .rejected(RejectedRecord(locator: locator(line, column, pointer),
                                        reason: "expected a JSON object as record, found \(token.phrase)",
                                        raw: lexer.endRaw()))
    }

    private mutating func nextInSequence() throws(JSONReadError) -> IngestItem? {
        let token = try lexer.next()
        if token == .end {
            phase = .done
            return nil
        }
        let pointer = "/" + String(elementIndex)
        elementIndex += 1
        if token == .beginObject {
            return try readRecord(pointer: pointer, depth: 0, resynchronise: true)
        }
        let line = lexer.tokenLine, column = lexer.tokenColumn
        lexer.beginRaw()
        nextOrdinal += 1
        guard token.startsValue else {
            let raw = lexer.endRaw()
            try lexer.skipLine()
            return .rejected(RejectedRecord(locator: locator(line, column, pointer),
                                            reason: "unexpected \(token.phrase)", raw: raw))
        }
        do {
            try skipValue(token, depth: 0)
        } catch {
            switch error {
            case .syntax(let message, let errorLine, let errorColumn):
                let raw = lexer.endRaw()
                try lexer.skipLine()
                return .rejected(RejectedRecord(locator: locator(errorLine, errorColumn, pointer),
                                                reason: message, raw: raw))
            case .endOfFile(let errorLine, let errorColumn):
                phase = .done
                return .rejected(RejectedRecord(
                    locator: locator(errorLine, errorColumn, pointer),
                    reason: "unexpected end of file inside \(token.phrase) started at line \(line)",
                    raw: lexer.endRaw()))
            default:
                throw error
            }
        }
        return .rejected(RejectedRecord(locator: locator(line, column, pointer),
                                        reason: "expected a JSON object as record, found \(token.phrase)",
                                        raw: lexer.endRaw()))
    }

    /// Reads one top-level record (its `{` just read) with its child records into `pending`;
    /// returns the record or its rejection.
    private mutating func readRecord(pointer: String, depth: Int, resynchronise: Bool) throws(JSONReadError) -> IngestItem {
        let line = lexer.tokenLine, column = lexer.tokenColumn
        recordStartOffset = lexer.tokenOffset
        lexer.beginRaw()
        table.trimIfLarge()
        pending.removeAll(keepingCapacity: true)
        pendingNext = 0
        lists.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        problem = nil
        building = true
        let firstOrdinal = nextOrdinal
        var fields: [SourceField] = []
        fields.reserveCapacity(lastFieldCount)
        pending.append(SourceRecord(fields: fields, locator: locator(line, column, pointer), ordinal: nextOrdinal))
        nextOrdinal += 1
        frames.append(Frame(isObject: true, pathID: 0, record: 0, rootIndex: 0))
        do {
            try checkDepth(depth + 1)
            try parseNested(try lexer.next(), depth: depth, inObject: true)
        } catch {
            nextOrdinal = firstOrdinal + 1
            pending.removeAll(keepingCapacity: true)
            frames.removeAll(keepingCapacity: true)
            building = false
            switch error {
            case .syntax(let message, let errorLine, let errorColumn):
                let rejected = RejectedRecord(locator: locator(errorLine, errorColumn, pointer),
                                              reason: message, raw: lexer.endRaw())
                if resynchronise {
                    try lexer.skipLine()
                } else {
                    failure = IngestError(
                        "cannot find the next record after a syntax error in the record at line \(line); "
                            + "the rest of the file was not read",
                        at: locator(errorLine, errorColumn, pointer))
                    phase = .done
                }
                return .rejected(rejected)
            case .endOfFile(let errorLine, let errorColumn) where resynchronise:
                phase = .done
                return .rejected(RejectedRecord(
                    locator: locator(errorLine, errorColumn, pointer),
                    reason: "unexpected end of file inside object started at line \(line)",
                    raw: lexer.endRaw()))
            default:
                lexer.cancelRaw()
                throw error
            }
        }
        building = false
        if let problem {
            nextOrdinal = firstOrdinal + 1
            pending.removeAll(keepingCapacity: true)
            return .rejected(RejectedRecord(locator: locator(problem.line, problem.column, pointer),
                                            reason: problem.reason, raw: lexer.endRaw()))
        }
        lexer.cancelRaw()
        lastFieldCount = max(pending[0].fields.count, 4)
        pendingNext = 1
        return .record(takePending(0))
    }

    /// Moves a finished record out of `pending`, leaving an empty one in its place: a copy
    /// would retain its fields and locator once more (and the one left be released later).
    private mutating func takePending(_ index: Int) -> SourceRecord {
        var taken = SourceRecord(fields: [], locator: Locator(file: "", line: 0), ordinal: 0)
        swap(&taken, &pending[index])
        return taken
    }

    /// Notes a problem that rejects the current record; parsing goes on without building.
    private mutating func reject(_ reason: String) {
        if problem == nil { problem = (reason, lexer.tokenLine, lexer.tokenColumn) }
        building = false
    }

    /// Skips one value (its first token read), checking its structure and depth.
    private mutating func skipValue(_ first: JSONToken, depth: Int) throws(JSONReadError) {
        let wasBuilding = building
        building = false
        defer { building = wasBuilding }
        frames.removeAll(keepingCapacity: true)
        try parseNested(first, depth: depth, inObject: false)
    }

    /// Parses a value with an explicit stack (no recursion), building fields and child
    /// records while `building`. `first` is the value's first token, or with `inObject` the
    /// token after the `{` of the record root already in `frames`. `depth` counts the
    /// containers open around the value.
    private mutating func parseNested(_ first: JSONToken, depth: Int, inObject: Bool) throws(JSONReadError) {
        var token = first
        if inObject {
            if token == .endObject {
                frames.removeLast()
                return
            }
            try readKey(token)
            token = try lexer.next()
        }
        while true {
            // A value.
            switch token {
            case .beginObject:
                try checkDepth(depth + frames.count + 1)
                openObject()
                token = try lexer.next()
                if token != .endObject {
                    try readKey(token)
                    token = try lexer.next()
                    continue
                }
                frames.removeLast()
            case .beginArray:
                try checkDepth(depth + frames.count + 1)
                openArray()
                token = try lexer.next()
                if token != .endArray { continue }
                closeArray()
            case .string, .number, .trueValue, .falseValue, .null:
                if building { scalar(token) }
            default:
                throw unexpected(token, "expected a value")
            }
            // After a value: separators and closing brackets.
            while true {
                guard let top = frames.last else { return }
                token = try lexer.next()
                if top.isObject {
                    if token == .comma {
                        try readKey(try lexer.next())
                        token = try lexer.next()
                        break
                    }
                    guard token == .endObject else { throw unexpected(token, "expected ',' or '}' after object member") }
                    frames.removeLast()
                } else {
                    if token == .comma {
                        frames[frames.count - 1].element += 1
                        token = try lexer.next()
                        break
                    }
                    guard token == .endArray else { throw unexpected(token, "expected ',' or ']' after array element") }
                    closeArray()
                }
            }
        }
    }

    /// Reads a member key and its colon inside `frames.last` (an object).
    private mutating func readKey(_ token: JSONToken) throws(JSONReadError) {
        guard token == .string else { throw unexpected(token, "expected a string key") }
        if building {
            checkRecordSize()
            let top = frames.count - 1
            if lexer.oversized {
                reject("a key is longer than \(limits.maxFieldBytes) bytes")
            } else if let bytes = lexer.stringBytes() {
                if lexer.replacedLoneSurrogate { warnOfLoneSurrogate(in: "a key") }
                let id = table.id(parent: frames[top].pathID, key: bytes)
                if id >= 0 {
                    frames[top].memberPathID = id
                } else {
                    reject("invalid UTF-8 in a key")
                }
            } else {
                reject("\(lexer.stringProblem) in a key")
            }
            if lexer.controlCharacter != nil { reject("raw control character in a key") }
        }
        let colon = try lexer.next()
        guard colon == .colon else { throw unexpected(colon, "expected ':' after object key") }
    }

    /// Rejects the record being built once it is longer than the limit, counting the current
    /// token whole (a record whose last value alone passes the limit is over it too).
    private mutating func checkRecordSize() {
        if lexer.endOffset - recordStartOffset > limits.maxRecordBytes {
            reject("record is larger than \(limits.maxRecordBytes) bytes")
        }
    }

    private mutating func openObject() {
        guard building, let parent = frames.last else {
            frames.append(Frame(isObject: true, pathID: 0, record: 0, rootIndex: 0))
            return
        }
        if parent.isObject {
            frames.append(Frame(isObject: true, pathID: parent.memberPathID, record: parent.record,
                                rootIndex: parent.rootIndex))
            return
        }
        // An object in an array: a child record (counted against the record size, as it
        // takes memory even when empty, and against the nested records: the holder and its
        // nested records are all held until the holder ends).
        checkRecordSize()
        if pending.count > limits.maxNestedRecords {
            reject("more than \(limits.maxNestedRecords) records nested in one record")
            frames.append(Frame(isObject: true, pathID: 0, record: 0, rootIndex: 0))
            return
        }
        let arrayIndex = frames.count - 1
        let owner = pending[Int(parent.record)]
        var pointer = owner.locator.path ?? ""
        for k in Int(parent.rootIndex + 1)...arrayIndex {
            let outer = frames[k - 1]
            if outer.isObject {
                pointer += "/" + Self.escapePointer(table.keys[Int(frames[k].pathID)])
            } else {
                pointer += "/" + String(outer.element)
            }
        }
        pointer += "/" + String(parent.element)
        let link = ParentLink(field: table.paths[Int(parent.pathID)], locator: owner.locator,
                              parentOrdinal: owner.ordinal)
        let slot = Int32(pending.count)
        var child = SourceRecord(fields: [], locator: locator(lexer.tokenLine, lexer.tokenColumn, pointer), ordinal: nextOrdinal)
        child.parent = link
        pending.append(child)
        nextOrdinal += 1
        frames.append(Frame(isObject: true, pathID: 0, record: slot, rootIndex: Int32(frames.count)))
    }

    private mutating func openArray() {
        guard building, let parent = frames.last else {
            frames.append(Frame(isObject: false, pathID: 0, record: 0, rootIndex: 0))
            return
        }
        if parent.isObject {
            frames.append(Frame(isObject: false, pathID: parent.memberPathID, record: parent.record,
                                rootIndex: parent.rootIndex, ownsList: true))
            lists.append([])
        } else {
            frames.append(Frame(isObject: false, pathID: parent.pathID, record: parent.record,
                                rootIndex: parent.rootIndex))
        }
    }

    private mutating func closeArray() {
        let frame = frames.removeLast()
        guard building, frame.ownsList else { return }
        let values = lists.removeLast()
        if !values.isEmpty { appendField(record: frame.record, path: frame.pathID, value: .list(values)) }
    }

    private mutating func appendField(record: Int32, path: Int32, value: FieldValue) {
        let slot = Int(record)
        if pending[slot].fields.count >= limits.maxFieldsPerRecord {
            reject("record has more than \(limits.maxFieldsPerRecord) fields")
            return
        }
        pending[slot].fields.append(SourceField(path: table.paths[Int(path)], value: value))
    }

    /// A scalar inside the record being built: a field, or an element of the current list.
    private mutating func scalar(_ token: JSONToken) {
        guard let top = frames.last else { return }
        // A value over the field limit says so, rather than that its record is over the limit.
        if lexer.oversized && (token == .string || token == .number) {
            reject("the value of '\(fieldName(top))' is larger than \(limits.maxFieldBytes) bytes")
            return
        }
        checkRecordSize()
        let value: String
        switch token {
        case .string:
            guard let string = lexer.stringValue() else {
                reject("\(lexer.stringProblem) in the value of '\(fieldName(top))'")
                return
            }
            if let control = lexer.controlCharacter {
                reject("raw control character U+00\(control < 16 ? "0" : "")\(String(control, radix: 16, uppercase: true)) "
                    + "in the value of '\(fieldName(top))'")
                return
            }
            if lexer.replacedLoneSurrogate { warnOfLoneSurrogate(in: "the value of '\(fieldName(top))'") }
            if string.isEmpty { return }
            value = string
        case .number:
            guard lexer.numberIsValid() else {
                reject("invalid number '\(lexer.numberText())' in the value of '\(fieldName(top))'")
                return
            }
            value = lexer.numberText()
        case .trueValue:
            value = "true"
        case .falseValue:
            value = "false"
        default:
            return
        }
        if top.isObject {
            appendField(record: top.record, path: top.memberPathID, value: .text(value))
        } else {
            lists[lists.count - 1].append(value)
        }
    }

    /// Says where a string lost an escaped surrogate of no pair to U+FFFD (see
    /// `JSONTokenizer.replacedLoneSurrogate`): the record is kept, with the replacement.
    private func warnOfLoneSurrogate(in place: String) {
        diagnostics?.emit(Diagnostic(.warning, "an escaped UTF-16 surrogate without its pair in \(place) is no character; kept as U+FFFD",
                                     at: Locator(file: file, line: lexer.tokenLine, column: lexer.tokenColumn)))
    }

    private func fieldName(_ frame: Frame) -> String {
        table.paths[Int(frame.isObject ? frame.memberPathID : frame.pathID)]
    }

    // MARK: JSON Pointer

    /// Splits a JSON Pointer into unescaped reference tokens; nil when malformed.
    static func parsePointer(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for part in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var tilde = false
            for character in part {
                if tilde {
                    switch character {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: return nil
                    }
                    tilde = false
                } else if character == "~" {
                    tilde = true
                } else {
                    token.append(character)
                }
            }
            if tilde { return nil }
            tokens.append(token)
        }
        return tokens
    }

    /// Escapes a key as a JSON Pointer reference token (`~` → `~0`, `/` → `~1`).
    static func escapePointer(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        return key.replacingTokens()
    }

    /// An array index token: `0` or digits without a leading zero.
    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }
}

private extension String {
    /// `~` → `~0`, `/` → `~1`.
    func replacingTokens() -> String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "~": result += "~0"
            case "/": result += "~1"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Interns field paths: one `String` per (parent path, key) pair, found by the key's bytes
/// without creating a `String`, so the keys that repeat in every record are shared.
struct JSONPathTable {
    /// The last key of each path (entry 0 is the root, the empty path).
    private(set) var keys: [String] = [""]
    /// The dotted path of each entry.
    private(set) var paths: [String] = [""]
    /// Each entry but the root, by its key's bytes and its parent's entry (the tag). Not limited
    /// but by what an int holds: a record's keys are all kept while it is read, however many
    /// (the reader's limits bound them), and `trimIfLarge` empties the table between records.
    private var entries = ByteKeyedTable<Int32>(capacity: Int(Int32.max) / 2 - 1, expected: 128)

    /// Clears the table when it has grown large (input with ever-new keys), so memory stays
    /// bounded. Call only between records: ids are not kept across.
    mutating func trimIfLarge() {
        if keys.count > 16_384 || entries.keyByteCount > 1 << 20 { self = JSONPathTable() }
    }

    /// The entry for `key` under `parent`; -1 when the key is not valid UTF-8.
    mutating func id(parent: Int32, key: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let entry = entries.value(for: key, tag: Int(parent)) { return entry }
        guard let string = String(validating: key, as: UTF8.self) else { return -1 }
        let entry = Int32(keys.count)
        keys.append(string)
        paths.append(parent == 0 ? string : paths[Int(parent)] + "." + string)
        entries.insert(entry, for: key, tag: Int(parent))
        return entry
    }
}
