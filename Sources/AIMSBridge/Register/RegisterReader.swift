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
/// The file is read a block at a time and each record parsed on its own (Foundation's
/// JSONSerialization on that record's bytes: the register is our own, well-formed output; the
/// streaming reader in Ingest is for exports of unknown size and shape), so `read(path:each:)`
/// holds one record however large the register; `read(path:)` collects them.
public enum RegisterReader {
    /// The largest record read back (a record of the register's own writing is far smaller).
    static let maxRecordBytes = 64 << 20

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

    /// Reads a register file record by record, handing each to `body` in file order; returns
    /// its sources.
    public static func read(path: String, each body: (CanonicalRecord) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) -> [SourceSummary] {
        let source: ByteSource
        do {
            source = try ByteSource(path: path)
        } catch {
            throw RegisterReadError(locator: Locator(file: path, line: 1), message: "cannot read file")
        }
        return try read(source, each: body)
    }

    private static func read(_ source: ByteSource, each body: (CanonicalRecord) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) -> [SourceSummary] {
        let path = source.name
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
        try lines(source) { line, lineNumber throws(RegisterReadError) in
            let locator = Locator(file: path, line: lineNumber)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw RegisterReadError(locator: locator, message: "not a JSON object; expected one register record per line")
            }
            if object["kind"] as? String == "source" {
                sources.append(try summary(object, at: locator))
            } else {
                try body(try record(object, at: locator))
            }
        }
        return sources
    }

    /// Hands each non-blank line of an NDJSON source to `body`, with its number.
    private static func lines(_ source: ByteSource, _ body: (ArraySlice<UInt8>, Int) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) {
        var pending: [UInt8] = []
        var lineNumber = 0
        func each(_ line: ArraySlice<UInt8>) throws(RegisterReadError) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return }
            try body(line, lineNumber)
        }
        while true {
            let chunk: [UInt8]?
            do {
                chunk = try source.nextChunk()
            } catch {
                throw RegisterReadError(locator: error.locator, message: error.message)
            }
            guard let chunk else { break }
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let end = pending[start...].firstIndex(of: 0x0A) {
                try each(pending[start..<end])
                start = end + 1
            }
            pending.removeSubrange(..<start)
            if pending.count > maxRecordBytes {
                throw RegisterReadError(locator: Locator(file: source.name, line: lineNumber + 1),
                                        message: "a line longer than \(maxRecordBytes) bytes; not a register")
            }
        }
        try each(pending[...])
    }

    /// Walks a JSON register document (`{"schema": …, "sources": […], "systems": […], …}`) with
    /// the streaming tokenizer, handing each element of each array member to `body` as a parsed
    /// object, with its member name: one element's parse tree is alive at a time.
    private static func document(_ source: ByteSource, _ body: (String, Any, Locator) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) {
        let path = source.name
        var tokenizer = JSONTokenizer(source: source, maxTokenBytes: maxRecordBytes)
        tokenizer.rawLimit = maxRecordBytes
        var schema: String?
        var rejected: RegisterReadError?
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
            guard try tokenizer.next() == .beginObject else {
                throw JSONReadError.syntax("expected a register document", line: tokenizer.tokenLine, column: tokenizer.tokenColumn)
            }
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
                        tokenizer.beginRaw()
                        try skip(element, with: &tokenizer)
                        let bytes = tokenizer.endRawBytes()
                        let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as Any
                        do {
                            try body(key, object, locator)
                        } catch {
                            // Stop walking; the element's own error is what is reported.
                            rejected = error
                            throw JSONReadError.fatal(error.message, line: locator.line, column: 1)
                        }
                        index += 1
                    }
                } else {
                    try skip(value, with: &tokenizer)
                }
            }
        } catch {
            throw rejected ?? failure(error)
        }
        guard let schema else {
            throw RegisterReadError(locator: Locator(file: path, line: 1), message: "not an \(RegisterEncoding.schema) register (no schema)")
        }
        guard schema == RegisterEncoding.schema else {
            throw RegisterReadError(locator: Locator(file: path, line: 1),
                                    message: "not an \(RegisterEncoding.schema) register (schema '\(schema)')")
        }
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
                                     extensions: extensions)
        record.parent = parent
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
/// `aims report` reads raw exports (the same records `aims convert` would write). Given a
/// spill, risks go there instead, as they were encoded.
public struct RegisterCollector: RegisterSink {
    /// What was collected; sources are set by `finish`.
    public private(set) var register = Register()
    private let spill: RiskSpill?

    /// Creates an empty collector; risks go to `spill` when one is given.
    public init(spillingRisksTo spill: RiskSpill? = nil) {
        self.spill = spill
    }

    public mutating func add(_ records: EncodedRecords) throws(OutputError) {
        try records.withBytes { bytes throws(OutputError) in
            for slice in records.records {
                let json = UnsafeRawBufferPointer(rebasing: bytes[slice.range])
                if let spill, slice.kind == .risk {
                    try spill.append(encoded: json)
                    continue
                }
                let object = try? JSONSerialization.jsonObject(with: Data(json))
                do throws(RegisterReadError) {
                    register.records.append(try RegisterReader.record(object as Any, at: Locator(file: "register", line: 1)))
                } catch {
                    throw OutputError("cannot read back a converted record: \(error.message)")
                }
            }
        }
    }

    public mutating func finish(sources: [SourceSummary]) throws(OutputError) {
        register.sources += sources
    }
}
