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
/// Reports need the whole register at once, so this reader holds it; Foundation's
/// JSONSerialization does the parsing (the register is our own, well-formed output; the
/// streaming reader in Ingest is for exports of unknown size and shape).
public enum RegisterReader {
    /// Whether the bytes at the start of a file look like a register: a JSON document with
    /// `"schema": "aims-register/1"`, or NDJSON whose first line is a tagged canonical record.
    public static func isRegister(prefix: some Collection<UInt8>) -> Bool {
        let text = String(decoding: prefix.prefix(4096), as: UTF8.self)
        if text.contains("\"schema\"") && text.contains("\"\(RegisterEncoding.schema)\"") { return true }
        let firstLine = text.prefix { $0 != "\n" }
        guard firstLine.hasPrefix("{\"kind\":\"") else { return false }
        let kind = firstLine.dropFirst(9).prefix { $0 != "\"" }
        return RecordKind(rawValue: String(kind)) != nil || kind == "source"
    }

    /// Reads a register file (JSON document or NDJSON).
    public static func read(path: String) throws(RegisterReadError) -> Register {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegisterReadError(locator: Locator(file: path, line: 1), message: "cannot read file")
        }
        return try read(data, path: path)
    }

    /// Reads a register from bytes; `path` names it in errors and is the records' fallback source.
    public static func read(_ data: Data, path: String) throws(RegisterReadError) -> Register {
        let first = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let bytes = [UInt8](data)
        if first == UInt8(ascii: "{"), let document = try document(bytes, path: path) {
            return document
        }
        var register = Register()
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            let locator = Locator(file: path, line: lineNumber)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw RegisterReadError(locator: locator, message: "not a JSON object; expected one register record per line")
            }
            if object["kind"] as? String == "source" {
                register.sources.append(try summary(object, at: locator))
            } else {
                register.records.append(try record(object, at: locator))
            }
        }
        return register
    }

    /// Reads a JSON register document (`{"schema": …, "sources": […], "systems": […], …}`), or
    /// returns nil when the object has no `schema` member (an NDJSON line). The document is
    /// walked with the streaming tokenizer and each record parsed on its own, so memory holds
    /// the records, not a parse tree of the whole document.
    private static func document(_ bytes: [UInt8], path: String) throws(RegisterReadError) -> Register? {
        var tokenizer = JSONTokenizer(source: ByteSource(name: path, bytes: bytes), maxTokenBytes: bytes.count)
        var register = Register()
        var schema: String?
        var collections: [String: [(range: Range<Int>, line: Int)]] = [:]
        func failure(_ error: JSONReadError) -> RegisterReadError {
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
        do throws(JSONReadError) {
            try tokenizer.skipByteOrderMark()
            guard try tokenizer.next() == .beginObject else { return nil }
            members: while true {
                var token = try tokenizer.next()
                if token == .comma { token = try tokenizer.next() }
                if token == .endObject { break members }
                guard token == .string, let key = tokenizer.stringValue(), try tokenizer.next() == .colon else {
                    throw JSONReadError.syntax("expected a member name", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
                }
                let value = try tokenizer.next()
                if key == "schema", value == .string {
                    schema = tokenizer.stringValue()
                } else if value == .beginArray {
                    var elements: [(range: Range<Int>, line: Int)] = []
                    while true {
                        var element = try tokenizer.next()
                        if element == .comma { element = try tokenizer.next() }
                        if element == .endArray { break }
                        let start = tokenizer.tokenOffset
                        let line = tokenizer.tokenLine
                        try skip(element, with: &tokenizer)
                        elements.append((start..<tokenizer.tokenOffset + 1, line))
                    }
                    collections[key] = elements
                } else {
                    try skip(value, with: &tokenizer)
                }
            }
        } catch {
            throw failure(error)
        }
        // Without a schema member the object is the first line of an NDJSON register.
        guard let schema else { return nil }
        guard schema == RegisterEncoding.schema else {
            throw RegisterReadError(locator: Locator(file: path, line: 1),
                                    message: "not an \(RegisterEncoding.schema) register (schema '\(schema)')")
        }
        // One record parsed at a time, so only one parse tree is alive.
        func each(_ key: String, _ body: (Any, Locator) throws(RegisterReadError) -> Void) throws(RegisterReadError) {
            for (index, element) in (collections[key] ?? []).enumerated() {
                let object = (try? JSONSerialization.jsonObject(with: Data(bytes[element.range]))) as Any
                try body(object, Locator(file: path, line: element.line, path: "/\(key)/\(index)"))
            }
        }
        try each("sources") { object, locator throws(RegisterReadError) in register.sources.append(try summary(object, at: locator)) }
        for kind in RecordKind.allCases {
            try each(kind.collectionKey) { object, locator throws(RegisterReadError) in register.records.append(try record(object, at: locator)) }
        }
        return register
    }

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

    /// The rejected records of a rejects file (`--rejects`, NDJSON as `RejectsWriter` writes it);
    /// lines that are not such records are passed over.
    public static func rejects(path: String) -> [RejectedRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: 0x0A).compactMap { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
                  let source = object["source"] as? String, let reason = object["reason"] as? String else { return nil }
            return RejectedRecord(locator: position(object["locator"], in: source), reason: reason, raw: object["raw"] as? String ?? "")
        }
    }

    /// One encoded record (as `RegisterEncoding` writes it) back as a record.
    static func record(_ item: Any, at locator: Locator) throws(RegisterReadError) -> CanonicalRecord {
        guard let object = item as? [String: Any], let kindName = object["kind"] as? String,
              let kind = RecordKind(rawValue: kindName), let id = object["id"] as? String else {
            throw RegisterReadError(locator: locator, message: "not a register record (needs 'kind' and 'id')")
        }
        var values = CanonicalValues()
        for field in CanonicalField.allCases where field != .id && field != .requirements {
            let placement = field.jsonPlacement
            let holder = placement.group.map { object["\($0.key)"] as? [String: Any] } ?? object
            guard let raw = holder?["\(placement.key)"] else { continue }
            guard let value = value(raw, as: field.valueType) else {
                throw RegisterReadError(locator: locator, message: "'\(placement.key)' of \(kind.rawValue) '\(id)' is not a \(field.valueType) value")
            }
            values[field] = value
        }
        var extensions: [ExtensionField] = []
        for (name, raw) in (object["extensions"] as? [String: Any]) ?? [:] {
            if let text = raw as? String {
                extensions.append(ExtensionField(name: name, value: .text(text)))
            } else if let items = raw as? [String] {
                extensions.append(ExtensionField(name: name, value: .list(items)))
            }
        }
        // A JSON object does not keep key order; the register's extensions come sorted by name.
        extensions.sort { $0.name < $1.name }
        var parent: RecordLink?
        if let link = object["parent"] as? [String: Any], let parentKind = (link["kind"] as? String).flatMap(RecordKind.init(rawValue:)),
           let parentID = link["id"] as? String {
            parent = RecordLink(kind: parentKind, id: parentID)
        }
        let source = object["source"] as? String ?? locator.file
        var record = CanonicalRecord(kind: kind, id: id, source: source, locator: position(object["locator"], in: source),
                                     values: values, refs: ((object["refs"] as? [Any]) ?? []).compactMap(reference),
                                     extensions: extensions, parent: parent)
        for item in (object["mergedFrom"] as? [[String: Any]]) ?? [] {
            guard let from = item["source"] as? String, let fromID = item["id"] as? String else { continue }
            record.mergedFrom.append(Contribution(source: from, id: fromID, locator: position(item["locator"], in: from)))
        }
        for item in (object["conflicts"] as? [[String: Any]]) ?? [] {
            guard let field = item["field"] as? String, let from = item["source"] as? String, let fromID = item["id"] as? String,
                  let raw = item["value"] else { continue }
            let value: FieldConflict.Value
            if let canonical = CanonicalField(name: field), let decoded = self.value(raw, as: canonical.valueType) {
                value = .canonical(decoded)
            } else if let text = raw as? String {
                value = .extensionValue(.text(text))
            } else if let items = raw as? [String] {
                value = .extensionValue(.list(items))
            } else {
                throw RegisterReadError(locator: locator, message: "conflict on '\(field)' of \(kind.rawValue) '\(id)' has a value of the wrong shape")
            }
            record.conflicts.append(FieldConflict(field: field, value: value, source: from, id: fromID))
        }
        return record
    }

    /// A `locator` object (`{"line":3,"column":1,"path":"/risks/2"}`) in `file`.
    private static func position(_ raw: Any?, in file: String) -> Locator {
        let object = raw as? [String: Any]
        return Locator(file: file, line: object?["line"] as? Int ?? 1, column: object?["column"] as? Int ?? 1,
                       path: object?["path"] as? String)
    }

    private static func value(_ raw: Any, as type: CanonicalField.ValueType) -> CanonicalValue? {
        switch type {
        case .text, .references:
            return (raw as? String).map(CanonicalValue.text)
        case .list:
            return (raw as? [String]).map(CanonicalValue.list)
        case .rating:
            guard let object = raw as? [String: Any], let label = object["label"] as? String else { return nil }
            return .rating(Rating(label: label, level: object["level"] as? Int, of: object["of"] as? Int,
                                  normalized: (object["normalized"] as? NSNumber)?.doubleValue))
        case .score:
            guard let object = raw as? [String: Any], let label = object["label"] as? String else { return nil }
            return .score(Score(label: label, value: (object["value"] as? NSNumber)?.doubleValue,
                                band: object["band"] as? String, of: object["of"] as? Int))
        case .date:
            guard let object = raw as? [String: Any] else { return nil }
            let iso = object["iso"] as? String
            guard let text = object["raw"] as? String ?? iso else { return nil }
            return .date(DateValue(raw: text, iso: iso))
        case .term:
            return term(raw).map(CanonicalValue.term)
        case .terms:
            guard let items = raw as? [Any] else { return nil }
            let terms = items.compactMap(term)
            return terms.count == items.count ? .terms(terms) : nil
        case .riskClass:
            guard let object = raw as? [String: Any], let value = object["value"] as? String,
                  let source = object["source"] as? String else { return nil }
            return .riskClass(RiskClassification(value: value, basis: object["basis"] as? String, source: source))
        }
    }

    private static func term(_ raw: Any) -> Term? {
        guard let object = raw as? [String: Any], let source = object["source"] as? String else { return nil }
        return Term(value: object["value"] as? String, source: source)
    }

    private static func reference(_ raw: Any) -> RequirementReference? {
        guard let object = raw as? [String: Any], let id = object["id"] as? String else { return nil }
        let mappings = ((object["mappings"] as? [[String: Any]]) ?? []).compactMap { mapping -> ReferenceMapping? in
            guard let target = mapping["target"] as? String, let relationship = mapping["relationship"] as? String,
                  let path = mapping["path"] as? String else { return nil }
            return ReferenceMapping(target: target, relationship: relationship, path: path)
        }
        return RequirementReference(framework: object["framework"] as? String, id: id, raw: object["raw"] as? String ?? id,
                                    resolved: object["resolved"] as? Bool ?? false, mappings: mappings)
    }

    private static func summary(_ item: Any, at locator: Locator) throws(RegisterReadError) -> SourceSummary {
        guard let object = item as? [String: Any], let path = object["path"] as? String else {
            throw RegisterReadError(locator: locator, message: "not a source summary (needs 'path')")
        }
        return SourceSummary(path: path, format: object["format"] as? String ?? "unknown",
                             profile: object["profile"] as? String ?? "generic", sha256: object["sha256"] as? String ?? "",
                             records: object["records"] as? Int ?? 0, converted: object["converted"] as? Int ?? 0,
                             rejected: object["rejected"] as? Int ?? 0,
                             unmappedFields: object["unmappedFields"] as? [String] ?? [])
    }
}

/// A register sink that keeps what a conversion produced in memory, as a `Register`: how
/// `aims report` reads raw exports (the same records `aims convert` would write).
public struct RegisterCollector: RegisterSink {
    /// What was collected; sources are set by `finish`.
    public private(set) var register = Register()

    /// Creates an empty collector.
    public init() {}

    public mutating func add(_ records: EncodedRecords) throws(OutputError) {
        let bytes = records.bytes
        for slice in records.records {
            let object = try? JSONSerialization.jsonObject(with: Data(bytes[slice.range]))
            do {
                register.records.append(try RegisterReader.record(object as Any, at: Locator(file: "register", line: 1)))
            } catch {
                throw OutputError("cannot read back a converted record: \(error.message)")
            }
        }
    }

    public mutating func finish(sources: [SourceSummary]) throws(OutputError) {
        register.sources += sources
    }
}
