import Foundation

/// A canonical register held in memory: what the reports are built from.
public struct Register: Sendable {
    /// The sources the records came from, with their counts.
    public var sources: [SourceSummary] = []
    /// The records, in register order (kind by kind for a JSON register, input order for NDJSON).
    public var records: [CanonicalRecord] = []

    /// Creates an empty register.
    public init() {}

    /// The records of one kind, in register order.
    public func records(of kind: RecordKind) -> [CanonicalRecord] {
        records.filter { $0.kind == kind }
    }
}

/// A problem reading a register document.
public struct RegisterReadError: Error, Sendable, CustomStringConvertible {
    /// Where (file and, for NDJSON, line).
    public var locator: Locator
    /// What is wrong.
    public var message: String

    /// `path:line:col: error: message`.
    public var description: String { "\(locator): error: \(message)" }
}

/// Reads `aims-register/1` documents (the JSON document or the NDJSON stream that `aims convert`
/// writes) back into records, the inverse of `RegisterEncoding`. Field placement and value
/// shapes come from `CanonicalField`, so a field added there is read here without change.
///
/// The file is read a block at a time with the streaming JSON tokenizer, and each record is
/// built from its tokens into a small JSON tree (`RegisterJSON`) and decoded from that, so
/// `read(path:each:)` holds one record however large the register; `read(path:)` collects them.
/// (Rather than with Foundation's `JSONSerialization`: parsing each record into `[String: Any]`
/// and casting its members back out took about half of the time of `aims report` on a large
/// register.)
public enum RegisterReader {
    /// The largest record read back (a record of the register's own writing is far smaller).
    static let maxRecordBytes = 64 << 20
    /// The deepest nesting of a record read back (the register's own records nest four deep).
    static let maxDepth = 32

    /// Whether the bytes at the start of a file look like a register: a JSON document with
    /// `"schema": "aims-register/1"`, or NDJSON whose first line is a tagged canonical record.
    public static func isRegister(prefix: some Collection<UInt8>) -> Bool {
        isDocument(prefix: prefix) || isRecordStream(prefix: prefix)
    }

    private static func isDocument(prefix: some Collection<UInt8>) -> Bool {
        let text = String(decoding: prefix.prefix(4096), as: UTF8.self)
        return text.contains("\"schema\"") && text.contains("\"\(RegisterEncoding.schema)\"")
    }

    private static func isRecordStream(prefix: some Collection<UInt8>) -> Bool {
        let text = String(decoding: prefix.prefix(4096), as: UTF8.self)
        let firstLine = text.prefix { $0 != "\n" }
        guard firstLine.hasPrefix("{\"kind\":\"") else { return false }
        let kind = firstLine.dropFirst(9).prefix { $0 != "\"" }
        return RecordKind(rawValue: String(kind)) != nil || kind == "source"
    }

    /// Reads a register file (JSON document or NDJSON).
    public static func read(path: String) throws(RegisterReadError) -> Register {
        var register = Register()
        register.sources = try read(path: path) { record in register.records.append(record) }
        return register
    }

    /// Reads a register from bytes; `path` names it in errors and is the records' fallback source.
    public static func read(_ data: Data, path: String) throws(RegisterReadError) -> Register {
        var register = Register()
        register.sources = try read(ByteSource(name: path, bytes: [UInt8](data))) { record in register.records.append(record) }
        return register
    }

    /// Reads a register file record by record, handing each to `body` in file order (parsed a
    /// few batches ahead on another thread, see `readAhead`); returns its sources.
    public static func read(path: String, each body: (CanonicalRecord) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) -> [SourceSummary] {
        let source: ByteSource
        do {
            // Not hashed: nothing asks for a register's digest (its sources carry their own), and
            // hashing took 3-4 % of a risk report's time on 100,000 risks (measured).
            source = try ByteSource(path: path, hashing: false)
        } catch {
            throw RegisterReadError(locator: Locator(file: path, line: 1), message: "cannot read file")
        }
        return try readAhead(source, each: body)
    }

    /// Reads a register from `source` as `read(path:each:)` does.
    static func read(_ source: ByteSource, each body: (CanonicalRecord) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) -> [SourceSummary] {
        let prefix: ArraySlice<UInt8>
        do {
            prefix = try source.peek(4096)
        } catch {
            throw RegisterReadError(locator: error.locator, message: error.message)
        }
        var sources: [SourceSummary] = []
        let first = prefix.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        // A document is one object; a record stream starts with a record or source line.
        if first == UInt8(ascii: "{") && !isRecordStream(prefix: prefix.drop { $0 != UInt8(ascii: "{") }) {
            try document(source) { key, object, locator throws(RegisterReadError) in
                if key == "sources" {
                    sources.append(try summary(object, at: locator))
                } else if RecordKind.allCases.contains(where: { $0.collectionKey == key }) {
                    try body(try record(object, at: locator))
                }
            }
            return sources
        }
        try objects(source) { object, locator throws(RegisterReadError) in
            if object["kind"]?.string == "source" {
                sources.append(try summary(object, at: locator))
            } else {
                try body(try record(object, at: locator))
            }
        }
        return sources
    }

    /// Hands each object of an NDJSON source (one per line) to `body`, with where it starts.
    private static func objects(_ source: ByteSource, _ body: (RegisterJSON, Locator) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) {
        var tokenizer = JSONTokenizer(source: source, maxTokenBytes: maxRecordBytes)
        var rejected: RegisterReadError?
        do throws(JSONReadError) {
            try tokenizer.skipByteOrderMark()
            while true {
                let token = try tokenizer.next()
                if token == .end { return }
                guard token == .beginObject else {
                    throw JSONReadError.syntax("not a JSON object; expected one register record per line",
                                               line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
                }
                let locator = Locator(file: source.name, line: tokenizer.tokenLine)
                let object = try RegisterJSON.read(token, from: &tokenizer)
                try hand(object, at: locator, keepingErrorIn: &rejected, to: body)
            }
        } catch {
            throw rejected ?? failure(error, in: source.name)
        }
    }

    /// Hands a value read during a walk to `body`. An error there stops the walk: it is kept in
    /// `rejected`, to be reported rather than the tokenizer error that unwinds the walk.
    private static func hand(_ value: RegisterJSON, at locator: Locator, keepingErrorIn rejected: inout RegisterReadError?,
                             to body: (RegisterJSON, Locator) throws(RegisterReadError) -> Void) throws(JSONReadError) {
        do throws(RegisterReadError) {
            try body(value, locator)
        } catch {
            rejected = error
            throw JSONReadError.fatal(error.message, line: locator.line, column: 1)
        }
    }

    /// A tokenizer's error as a register error.
    private static func failure(_ error: JSONReadError, in path: String) -> RegisterReadError {
        switch error {
        case .syntax(let message, let line, let column), .fatal(let message, let line, let column):
            return RegisterReadError(locator: Locator(file: path, line: line, column: column), message: message)
        case .endOfFile(let line, let column):
            return RegisterReadError(locator: Locator(file: path, line: line, column: column), message: "the register ends early")
        case .depth(let line, let column):
            return RegisterReadError(locator: Locator(file: path, line: line, column: column), message: "nested too deeply")
        case .io(let error):
            return RegisterReadError(locator: error.locator, message: error.message)
        }
    }

    /// Walks a JSON register document (`{"schema": …, "sources": […], "systems": […], …}`) with
    /// the streaming tokenizer, handing each element of each array member to `body`, with its
    /// member name: one element's tree is alive at a time.
    private static func document(_ source: ByteSource, _ body: (String, RegisterJSON, Locator) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) {
        let path = source.name
        var tokenizer = JSONTokenizer(source: source, maxTokenBytes: maxRecordBytes)
        var schema: String?
        var rejected: RegisterReadError?
        // The first array member that is none of the register's: an error once the schema is
        // known (its elements, records written under another name, would otherwise be passed
        // over in silence). Other unknown members (notes, metadata) are skipped.
        var unknown: (key: String, line: Int, column: Int)?
        do throws(JSONReadError) {
            try tokenizer.skipByteOrderMark()
            guard try tokenizer.next() == .beginObject else {
                throw JSONReadError.syntax("expected a register document", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
            }
            members: while true {
                var token = try tokenizer.next()
                if token == .comma { token = try tokenizer.next() }
                if token == .endObject { break members }
                let keyLine = tokenizer.tokenLine, keyColumn = tokenizer.tokenColumn
                guard token == .string, let key = tokenizer.stringValue(), try tokenizer.next() == .colon else {
                    throw JSONReadError.syntax("expected a member name", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
                }
                let value = try tokenizer.next()
                if unknown == nil, value == .beginArray, !RegisterReader.arrayMembers.contains(key) {
                    unknown = (key, keyLine, keyColumn)
                }
                if key == "schema", value == .string {
                    schema = tokenizer.stringValue()
                    if schema != RegisterEncoding.schema { break members }
                } else if value == .beginArray {
                    var index = 0
                    while true {
                        var element = try tokenizer.next()
                        if element == .comma, index > 0 { element = try tokenizer.next() }
                        if element == .endArray { break }
                        guard element.startsValue else {
                            if element == .end {
                                throw JSONReadError.endOfFile(line: tokenizer.endPosition.line, column: tokenizer.endPosition.column)
                            }
                            throw JSONReadError.syntax("expected a value in '\(key)'", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
                        }
                        let locator = Locator(file: path, line: tokenizer.tokenLine, path: "/\(key)/\(index)")
                        let object = try RegisterJSON.read(element, from: &tokenizer)
                        try hand(object, at: locator, keepingErrorIn: &rejected) { object, locator throws(RegisterReadError) in
                            try body(key, object, locator)
                        }
                        index += 1
                    }
                } else {
                    try skip(value, with: &tokenizer)
                }
            }
        } catch {
            throw rejected ?? failure(error, in: path)
        }
        guard let schema else {
            throw RegisterReadError(locator: Locator(file: path, line: 1), message: "not an \(RegisterEncoding.schema) register (no schema)")
        }
        guard schema == RegisterEncoding.schema else {
            throw RegisterReadError(locator: Locator(file: path, line: 1),
                                    message: "not an \(RegisterEncoding.schema) register (schema '\(schema)')")
        }
        if let unknown {
            throw RegisterReadError(locator: Locator(file: path, line: unknown.line, column: unknown.column),
                                    message: "'\(unknown.key)' is not an array of an \(RegisterEncoding.schema) register, which holds "
                                        + RegisterReader.arrayMembers.map { "'\($0)'" }.joined(separator: ", "))
        }
    }

    /// The array members of a register document: its sources, and its records by kind.
    static let arrayMembers = ["sources"] + RecordKind.allCases.map(\.collectionKey)

    /// Skips the rest of a value whose first token was `token`; the tokenizer is left on its last token.
    private static func skip(_ token: JSONToken, with tokenizer: inout JSONTokenizer) throws(JSONReadError) {
        guard token == .beginObject || token == .beginArray else { return }
        var depth = 1
        while depth > 0 {
            switch try tokenizer.next() {
            case .beginObject, .beginArray: depth += 1
            case .endObject, .endArray: depth -= 1
            case .end: throw JSONReadError.endOfFile(line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
            default: break
            }
        }
    }

    /// The first `limit` rejected records of a rejects file (`--rejects`, NDJSON as
    /// `RejectsWriter` writes it), and how many it holds; objects that are not such records are
    /// passed over, and reading stops at malformed JSON.
    public static func rejects(path: String, keeping limit: Int) -> (kept: [RejectedRecord], count: Int) {
        guard let source = try? ByteSource(path: path, hashing: false) else { return ([], 0) }
        var rejected: [RejectedRecord] = []
        var count = 0
        try? objects(source) { object, _ in
            guard let file = object["source"]?.string, let reason = object["reason"]?.string else { return }
            count += 1
            guard rejected.count < limit else { return }
            rejected.append(RejectedRecord(locator: position(object["locator"], in: file), reason: reason,
                                           raw: object["raw"]?.string ?? ""))
        }
        return (rejected, count)
    }

    /// One record as `RegisterEncoding` wrote it (in a batch's bytes), read back.
    static func record(encoded json: UnsafeRawBufferPointer) throws(RegisterReadError) -> CanonicalRecord {
        var decoded: CanonicalRecord?
        try objects(ByteSource(name: "register", bytes: Array(json))) { object, locator throws(RegisterReadError) in
            if decoded == nil { decoded = try record(object, at: locator) }
        }
        guard let decoded else {
            throw RegisterReadError(locator: Locator(file: "register", line: 1), message: "no record")
        }
        return decoded
    }

    /// One encoded record (as `RegisterEncoding` writes it) back as a record.
    private static func record(_ object: RegisterJSON, at locator: Locator) throws(RegisterReadError) -> CanonicalRecord {
        guard let kindName = object["kind"]?.string, let kind = RecordKind(rawValue: kindName),
              let id = object["id"]?.string else {
            throw RegisterReadError(locator: locator, message: "not a register record (needs 'kind' and 'id')")
        }
        var values = CanonicalValues()
        let raws = FieldKeys.values(in: object)
        for field in CanonicalField.allCases {
            guard let raw = raws[field.rawValue] else { continue }
            guard let value = value(raw, as: field.valueType) else {
                throw RegisterReadError(locator: locator, message: "'\(field.jsonPlacement.key)' of \(kind.rawValue) '\(id)' is not a \(field.valueType) value")
            }
            values[field] = value
        }
        // By name, as the register writes them; a name written twice counts once, with its last
        // value, as for any JSON object.
        var extensionValues: [String: FieldValue] = [:]
        for (name, raw) in object["extensions"]?.members ?? [] {
            if let text = raw.string {
                extensionValues[name] = .text(text)
            } else if let items = raw.strings {
                extensionValues[name] = .list(items)
            }
        }
        let extensions = extensionValues.map { ExtensionField(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
        var parent: RecordLink?
        if let link = object["parent"], let parentKind = link["kind"]?.string.flatMap(RecordKind.init(rawValue:)),
           let parentID = link["id"]?.string {
            parent = RecordLink(kind: parentKind, id: parentID)
        }
        let source = object["source"]?.string ?? locator.file
        var record = CanonicalRecord(kind: kind, id: id, source: source, locator: position(object["locator"], in: source),
                                     values: values, refs: (object["refs"]?.items ?? []).compactMap(reference),
                                     extensions: extensions)
        record.parent = parent
        for item in object["mergedFrom"]?.items ?? [] {
            guard let from = item["source"]?.string, let fromID = item["id"]?.string else { continue }
            record.mergedFrom.append(Contribution(source: from, id: fromID, locator: position(item["locator"], in: from)))
        }
        for item in object["conflicts"]?.items ?? [] {
            guard let field = item["field"]?.string, let from = item["source"]?.string, let fromID = item["id"]?.string,
                  let raw = item["value"] else { continue }
            let value: FieldConflict.Value
            if let canonical = CanonicalField(name: field), let decoded = self.value(raw, as: canonical.valueType) {
                value = .canonical(decoded)
            } else if let text = raw.string {
                value = .extensionValue(.text(text))
            } else if let items = raw.strings {
                value = .extensionValue(.list(items))
            } else {
                throw RegisterReadError(locator: locator, message: "conflict on '\(field)' of \(kind.rawValue) '\(id)' has a value of the wrong shape")
            }
            record.conflicts.append(FieldConflict(field: field, value: value, source: from, id: fromID))
        }
        return record
    }

    /// A `locator` object (`{"line":3,"column":1,"path":"/risks/2"}`) in `file`.
    private static func position(_ object: RegisterJSON?, in file: String) -> Locator {
        Locator(file: file, line: object?["line"]?.int ?? 1, column: object?["column"]?.int ?? 1,
                path: object?["path"]?.string)
    }

    private static func value(_ raw: RegisterJSON, as type: CanonicalField.ValueType) -> CanonicalValue? {
        switch type {
        case .text, .references:
            return raw.string.map(CanonicalValue.text)
        case .list:
            return raw.strings.map(CanonicalValue.list)
        case .rating:
            guard let label = raw["label"]?.string else { return nil }
            return .rating(Rating(label: label, level: raw["level"]?.int, of: raw["of"]?.int,
                                  normalized: raw["normalized"]?.double))
        case .score:
            guard let label = raw["label"]?.string else { return nil }
            return .score(Score(label: label, value: raw["value"]?.double, band: raw["band"]?.string, of: raw["of"]?.int))
        case .date:
            guard raw.members != nil else { return nil }
            let iso = raw["iso"]?.string
            guard let text = raw["raw"]?.string ?? iso else { return nil }
            return .date(DateValue(raw: text, iso: iso))
        case .term:
            return term(raw).map(CanonicalValue.term)
        case .terms:
            guard let items = raw.items else { return nil }
            let terms = items.compactMap(term)
            return terms.count == items.count ? .terms(terms) : nil
        case .riskClass:
            guard let value = raw["value"]?.string, let source = raw["source"]?.string else { return nil }
            return .riskClass(RiskClassification(value: value, basis: raw["basis"]?.string, source: source))
        }
    }

    private static func term(_ raw: RegisterJSON) -> Term? {
        guard let source = raw["source"]?.string else { return nil }
        return Term(value: raw["value"]?.string, source: source)
    }

    private static func reference(_ raw: RegisterJSON) -> RequirementReference? {
        guard let id = raw["id"]?.string else { return nil }
        let mappings = (raw["mappings"]?.items ?? []).compactMap { mapping -> ReferenceMapping? in
            guard let target = mapping["target"]?.string, let relationship = mapping["relationship"]?.string,
                  let path = mapping["path"]?.string else { return nil }
            return ReferenceMapping(target: target, relationship: relationship, path: path)
        }
        return RequirementReference(framework: raw["framework"]?.string, id: id, raw: raw["raw"]?.string ?? id,
                                    resolved: raw["resolved"]?.bool ?? false, mappings: mappings)
    }

    private static func summary(_ object: RegisterJSON, at locator: Locator) throws(RegisterReadError) -> SourceSummary {
        guard let path = object["path"]?.string else {
            throw RegisterReadError(locator: locator, message: "not a source summary (needs 'path')")
        }
        return SourceSummary(path: path, format: object["format"]?.string ?? "unknown",
                             profile: object["profile"]?.string ?? "generic", sha256: object["sha256"]?.string ?? "",
                             records: object["records"]?.int ?? 0, converted: object["converted"]?.int ?? 0,
                             rejected: object["rejected"]?.int ?? 0,
                             unmappedFields: object["unmappedFields"]?.strings ?? [])
    }
}

/// Where a record object holds each canonical field's value (see `CanonicalField.jsonPlacement`),
/// looked up by key for each member the object has, rather than each of the fifty fields looked
/// for among its members (that search, and the key texts it made, were a tenth of a report).
private enum FieldKeys {
    /// The fields written at the top level of a record, by key (not `id`, read apart, nor
    /// `requirements`, written as `refs`).
    static let topLevel: [String: CanonicalField] = Dictionary(uniqueKeysWithValues: CanonicalField.allCases.compactMap { field in
        let placement = field.jsonPlacement
        guard placement.group == nil, field != .id, field != .requirements else { return nil }
        return ("\(placement.key)", field)
    })
    /// The groups' keys (`inherent`, `residual`, `treatment`), each with its fields by key.
    static let groups: [String: [String: CanonicalField]] = Dictionary(
        CanonicalField.allCases.compactMap { field in
            field.jsonPlacement.group.map { group in ("\(group.key)", ["\(field.jsonPlacement.key)": field]) }
        },
        uniquingKeysWith: { $0.merging($1) { first, _ in first } })

    /// The value of each canonical field in `object`, by the field's raw value: a member's last
    /// value, as for any JSON object, and a group's fields from the last object of its name.
    static func values(in object: RegisterJSON) -> [RegisterJSON?] {
        var raws = [RegisterJSON?](repeating: nil, count: CanonicalField.allCases.count)
        var groupObjects: [(key: String, fields: [String: CanonicalField], object: RegisterJSON)] = []
        for (key, value) in object.members ?? [] {
            if let field = topLevel[key] {
                raws[field.rawValue] = value
            } else if let fields = groups[key] {
                groupObjects.removeAll { $0.key == key }
                groupObjects.append((key, fields, value))
            }
        }
        for (_, fields, group) in groupObjects {
            for (name, value) in group.members ?? [] {
                if let field = fields[name] { raws[field.rawValue] = value }
            }
        }
        return raws
    }
}

/// A JSON value of a register, built from the streaming tokenizer's tokens: what
/// `RegisterReader` decodes records from. Members keep their order; a lookup finds a key's last
/// value, which is what a JSON object with a repeated key means.
private enum RegisterJSON {
    case string(String)
    /// A number, as written (read as an integer or a double where one is wanted).
    case number(String)
    case bool(Bool)
    case null
    case array([RegisterJSON])
    case object([(key: String, value: RegisterJSON)])

    /// The member `key` of an object.
    subscript(key: String) -> RegisterJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    var string: String? {
        if case .string(let text) = self { return text } else { return nil }
    }

    /// A number without a fraction (`3`, also written `3.0` or `3e0`).
    var int: Int? {
        guard case .number(let text) = self else { return nil }
        return Int(text) ?? Double(text).flatMap { Int(exactly: $0) }
    }

    var double: Double? {
        if case .number(let text) = self { return Double(text) } else { return nil }
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value } else { return nil }
    }

    var items: [RegisterJSON]? {
        if case .array(let items) = self { return items } else { return nil }
    }

    var members: [(key: String, value: RegisterJSON)]? {
        if case .object(let members) = self { return members } else { return nil }
    }

    /// The items of an array of strings only.
    var strings: [String]? {
        guard let items else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(items.count)
        for item in items {
            guard let text = item.string else { return nil }
            strings.append(text)
        }
        return strings
    }

    /// Reads the value whose first token is `token`, leaving the tokenizer on its last token.
    /// At most `RegisterReader.maxRecordBytes` of text go into one value and nesting stops at
    /// `RegisterReader.maxDepth`, so that the tree stays small whatever the input.
    static func read(_ token: JSONToken, from tokenizer: inout JSONTokenizer) throws(JSONReadError) -> RegisterJSON {
        var budget = RegisterReader.maxRecordBytes
        return try read(token, from: &tokenizer, depth: 0, budget: &budget)
    }

    private static func read(_ token: JSONToken, from tokenizer: inout JSONTokenizer, depth: Int,
                             budget: inout Int) throws(JSONReadError) -> RegisterJSON {
        budget -= 1
        switch token {
        case .string:
            return .string(try text(&tokenizer, budget: &budget))
        case .number:
            guard !tokenizer.oversized, tokenizer.numberIsValid() else {
                throw JSONReadError.syntax("invalid number", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
            }
            let text = tokenizer.numberText()
            budget -= text.utf8.count
            return .number(text)
        case .trueValue: return .bool(true)
        case .falseValue: return .bool(false)
        case .null: return .null
        case .beginObject, .beginArray:
            guard depth < RegisterReader.maxDepth else {
                throw JSONReadError.depth(line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
            }
            let isObject = token == .beginObject
            let close: JSONToken = isObject ? .endObject : .endArray
            var members: [(key: String, value: RegisterJSON)] = []
            var items: [RegisterJSON] = []
            var next = try tokenizer.next()
            while next != close {
                if isObject {
                    guard next == .string else { throw expected("a member name", found: next, at: tokenizer) }
                    let key = try text(&tokenizer, budget: &budget)
                    let colon = try tokenizer.next()
                    guard colon == .colon else { throw expected("':'", found: colon, at: tokenizer) }
                    members.append((key, try read(try tokenizer.next(), from: &tokenizer, depth: depth + 1, budget: &budget)))
                } else {
                    items.append(try read(next, from: &tokenizer, depth: depth + 1, budget: &budget))
                }
                if budget < 0 {
                    throw JSONReadError.fatal("a record larger than \(RegisterReader.maxRecordBytes) bytes; not a register",
                                              line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
                }
                let after = try tokenizer.next()
                if after == close { break }
                guard after == .comma else { throw expected("',' or \(close.phrase)", found: after, at: tokenizer) }
                next = try tokenizer.next()
            }
            return isObject ? .object(members) : .array(items)
        case .end:
            throw JSONReadError.endOfFile(line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
        default:
            throw expected("a value", found: token, at: tokenizer)
        }
    }

    /// The current string token's text.
    private static func text(_ tokenizer: inout JSONTokenizer, budget: inout Int) throws(JSONReadError) -> String {
        guard !tokenizer.oversized else {
            throw JSONReadError.fatal("a string longer than \(RegisterReader.maxRecordBytes) bytes; not a register",
                                      line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
        }
        guard let text = tokenizer.stringValue() else {
            throw JSONReadError.syntax("invalid string (\(tokenizer.stringProblem))", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
        }
        budget -= text.utf8.count
        return text
    }

    private static func expected(_ what: String, found token: JSONToken, at tokenizer: JSONTokenizer) -> JSONReadError {
        if token == .end { return JSONReadError.endOfFile(line: tokenizer.tokenLine, column: tokenizer.tokenColumn) }
        return JSONReadError.syntax("expected \(what), found \(token.phrase)", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
    }
}

/// A register sink that keeps what a conversion produced in memory, as a `Register`: how
/// `aims report` reads raw exports (the same records `aims convert` would write). Given a
/// spill, risks go there instead, as they were encoded; given a merge store, every record goes
/// there.
public struct RegisterCollector: RegisterSink {
    /// What was collected; sources are set by `finish`.
    public private(set) var register = Register()
    private let spill: RiskSpill?
    private let store: MergeStore?

    /// Creates an empty collector; risks go to `spill` when one is given, every record to `store`.
    public init(spillingRisksTo spill: RiskSpill? = nil, storingIn store: MergeStore? = nil) {
        self.spill = spill
        self.store = store
    }

    public mutating func add(_ records: EncodedRecords) throws(OutputError) {
        try records.withBytes { bytes throws(OutputError) in
            for slice in records.records {
                let json = UnsafeRawBufferPointer(rebasing: bytes[slice.range])
                // A merge store takes every record, before a spill takes the risks (as when the
                // loader reads a register).
                if store == nil, let spill, slice.kind == .risk {
                    try spill.append(encoded: json)
                    continue
                }
                let record: CanonicalRecord
                do throws(RegisterReadError) {
                    record = try RegisterReader.record(encoded: json)
                } catch {
                    throw OutputError("cannot read back a converted record: \(error.message)")
                }
                if let store { try store.append(record) } else { register.records.append(record) }
            }
        }
    }

    public mutating func finish(sources: [SourceSummary]) throws(OutputError) {
        register.sources += sources
    }
}
