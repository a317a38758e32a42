import CLibXML2

/// How an export names its fields by id (RSA Archer): definition elements give each id a name,
/// and a record's field elements carry the id. Fields are then flattened under their names.
public struct XMLFieldDefinitions: Sendable, Hashable {
    /// The element that defines a field (`FieldDefinition`).
    public var definition: String
    /// Its attribute holding the id (`id`).
    public var idAttribute: String
    /// Its attribute holding the name (`name`).
    public var nameAttribute: String
    /// The record's element holding a field value (`Field`).
    public var field: String
    /// That element's attribute holding the id (`id`).
    public var fieldIDAttribute: String

    /// Creates a description.
    public init(definition: String = "FieldDefinition", idAttribute: String = "id", nameAttribute: String = "name",
                field: String = "Field", fieldIDAttribute: String = "id") {
        self.definition = definition
        self.idAttribute = idAttribute
        self.nameAttribute = nameAttribute
        self.field = field
        self.fieldIDAttribute = fieldIDAttribute
    }
}

/// Reads an XML export as a stream of `SourceRecord`s, on libxml2's SAX2 push parser.
///
/// The document is fed to the parser a chunk at a time and records are built from its events
/// (`XMLRecordAssembler`); no tree is built, so memory stays that of one chunk and one record.
/// A SAX parser rather than libxml2's `xmlTextReader` with a subtree per record: building and
/// freeing those trees cost more than parsing the document. Entity references are never
/// expanded (external entities are never resolved); they are kept as `&name;` text with a
/// warning. A conversion takes the records pending (`nextDeferred()`), so that their values are
/// made strings on its workers rather than on the thread that parses.
public struct XMLRecordReader: DeferringRecordReader {
    private let parser: XMLPushParser
    private let diagnostics: any DiagnosticCollector
    /// The element path of the records (`/unload/sn_risk_risk`), found or given.
    public let recordPath: [String]
    /// Whether `recordPath` was found rather than given.
    private let guessedPath: Bool
    private var warned = false

    /// Opens a reader over `source`. `recordPath` is `/root/record`, `root/record` or a bare
    /// element name; without it, the record element is the first element found repeated
    /// among siblings, shallowest first, in the first 256 KiB.
    public init(source: ByteSource, recordPath: String? = nil, fieldDefinitions: XMLFieldDefinitions? = nil,
                childPaths: Set<String> = [], limits: ReaderLimits = .standard,
                diagnostics: any DiagnosticCollector) throws(IngestError) {
        _ = XMLSupport.initialised
        self.diagnostics = diagnostics
        guessedPath = recordPath == nil
        if let recordPath {
            self.recordPath = recordPath.split(separator: "/").map(String.init)
        } else {
            self.recordPath = XMLRecordPathFinder.find(in: try source.peek(256 * 1024))
        }
        let assembler = XMLRecordAssembler(sourceName: source.name, recordPath: self.recordPath, limits: limits,
                                           fieldDefinitions: fieldDefinitions, childPaths: childPaths)
        parser = try XMLPushParser(source: source, assembler: assembler, attributeLimit: limits.maxFieldsPerRecord)
    }

    /// The next record, or nil at the end of the document.
    public mutating func next() throws(IngestError) -> IngestItem? {
        try nextDeferred()?.materialized()
    }

    /// The next record, its values not yet made strings (see `PendingRecord`).
    mutating func nextDeferred() throws(IngestError) -> DeferredIngestItem? {
        while true {
            // Taken apart as it is matched: passing `ready.record` on from a bound tuple copied
            // the record, every one of its arrays retained and released. (`consume` of the bound
            // tuple crashed the Swift 6.3 compiler.)
            if case let (record, warnings)? = parser.takeItem() {
                for warning in warnings { diagnostics.emit(warning) }
                return .pending(record)
            }
            if let failure = parser.failure { throw failure }
            if parser.isFinished {
                if !warned {
                    warned = true
                    for warning in parser.warnings() {
                        diagnostics.emit(Diagnostic(.warning, warning.message,
                                                    at: Locator(file: parser.source.name, line: max(warning.line, 1))))
                    }
                    if guessedPath, let group = parser.skippedGroup { warnUnread(group) }
                }
                return nil
            }
            parser.parseNextChunk()
        }
    }
}

extension XMLRecordReader {
    /// Says that a run of repeated elements outside the records was not read: with the record
    /// element guessed, they may be the records the user wanted.
    private func warnUnread(_ group: XMLSkippedElements.Group) {
        let path = "/" + group.path.joined(separator: "/")
        let records = "/" + recordPath.joined(separator: "/")
        diagnostics.emit(Diagnostic(.warning, "\(group.count) <\(group.path.last!)> elements at \(path) were not read: records were taken from \(records), the first repeated element found; to read these instead, use --record-path \(path)",
                                    at: Locator(file: parser.source.name, line: max(group.line, 1))))
    }
}

/// Owns a libxml2 push parser and routes its SAX events to an `XMLRecordAssembler`.
final class XMLPushParser {
    let source: ByteSource
    private let context: xmlParserCtxtPtr
    /// What the callbacks reach through the context: held by pointer, so that an event costs
    /// no reference counting and no exclusivity check.
    private let target: UnsafeMutablePointer<EventTarget>
    private(set) var isFinished = false
    private var readFailure: IngestError?
    private var attributeGuard: XMLAttributeGuard

    private struct EventTarget: XMLEventTarget {
        var context: xmlParserCtxtPtr?
        var assembler: XMLRecordAssembler
        var errors = XMLErrorCapture()
    }

    /// A parser for `source`; a start tag with more than `attributeLimit` attributes ends the
    /// document there (see `XMLAttributeGuard`).
    init(source: ByteSource, assembler: XMLRecordAssembler, attributeLimit: Int) throws(IngestError) {
        self.source = source
        target = .allocate(capacity: 1)
        target.initialize(to: EventTarget(assembler: assembler))
        var handler = XMLSupport.saxHandler()
        handler.startElementNs = { context, name, _, _, _, _, count, defaulted, attributes in
            guard let (target, context) = XMLPushParser.target(context), let name else { return }
            let interned = context.pointee.dict.map { xmlDictOwns($0, name) == 1 } ?? false
            target.pointee.assembler.startElement(name, interned: interned,
                                                  attributes: XMLAttributes(context: context, base: attributes,
                                                                            count: Int(count - defaulted)),
                                                  line: Int(xmlSAX2GetLineNumber(context)))
            if target.pointee.assembler.hasFailed { xmlStopParser(context) }
        }
        handler.endElementNs = { context, _, _, _ in
            XMLPushParser.target(context)?.target.pointee.assembler.endElement()
        }
        handler.characters = { context, text, length in
            guard let (target, _) = XMLPushParser.target(context), let text else { return }
            target.pointee.assembler.characters(UnsafeBufferPointer(start: text, count: Int(length)))
        }
        handler.ignorableWhitespace = handler.characters
        handler.reference = { context, name in
            guard let (target, _) = XMLPushParser.target(context), let name else { return }
            target.pointee.assembler.entityReference(String(cString: name))
        }
        handler.serror = { context, error in
            guard let (target, _) = XMLPushParser.target(context, anyContext: true) else { return }
            withUnsafeMutablePointer(to: &target.pointee.errors) { XMLErrorCapture.handler($0, error) }
        }
        let first = try source.nextChunk() ?? []
        var attributeGuard = XMLAttributeGuard(limit: attributeLimit,
                                               layout: first.withUnsafeBufferPointer { XMLAttributeGuard.Layout(prefix: $0) })
        let admitted = XMLPushParser.admitted(first, by: &attributeGuard)
        self.attributeGuard = attributeGuard
        guard let context = XMLSupport.pushParser(handler: &handler, first: admitted.bytes,
                                                  name: source.name, target: target) else {
            target.deinitialize(count: 1)
            target.deallocate()
            throw IngestError("libxml2 could not create a parser", at: Locator(file: source.name, line: 1))
        }
        self.context = context
        if admitted.crowded { stopAtCrowdedTag() }
    }

    /// What of `chunk` the parser may be given: all of it, or the bytes before a start tag with
    /// more attributes than the guard allows (`crowded`).
    private static func admitted(_ chunk: [UInt8], by attributeGuard: inout XMLAttributeGuard)
        -> (bytes: ArraySlice<UInt8>, crowded: Bool) {
        let crowded = chunk.withUnsafeBufferPointer { attributeGuard.scan($0) }
        return (chunk[..<(crowded ?? chunk.count)], crowded != nil)
    }

    deinit {
        XMLSupport.free(context)
        target.deinitialize(count: 1)
        target.deallocate()
    }

    private static func target(_ context: UnsafeMutableRawPointer?, anyContext: Bool = false)
        -> (target: UnsafeMutablePointer<EventTarget>, context: xmlParserCtxtPtr)? {
        XMLSupport.target(of: context, as: EventTarget.self, anyContext: anyContext)
    }

    /// The next record the parser has finished, if any.
    func takeItem() -> (record: PendingRecord, warnings: [Diagnostic])? {
        target.pointee.assembler.take()
    }

    /// The fatal problem that ended the document, if one did.
    var failure: IngestError? {
        if let readFailure { return readFailure }
        if let failure = target.pointee.assembler.failure { return failure }
        let capture = target.pointee.errors
        guard context.pointee.wellFormed == 0 || capture.isFatal else { return nil }
        var line = capture.line
        var column = capture.column
        // Errors inside an entity's replacement text (a reference loop) carry a line counted
        // from the entity's start; the parser's own position is nearer the truth there.
        if capture.code == Int(XML_ERR_ENTITY_LOOP.rawValue), let input = context.pointee.input {
            line = Int(input.pointee.line)
            column = Int(input.pointee.col)
        }
        var message = capture.message ?? "malformed XML"
        if capture.code == Int(XML_ERR_NO_MEMORY.rawValue) {
            // libxml2 says "Memory allocation failed" also when its dictionary of names is full
            // (10,000,000 bytes): a document of millions of distinct element names stopped there,
            // and without this, the records after it were lost without a word.
            let names = context.pointee.dict.map { xmlDictSize($0) } ?? 0
            message = "libxml2 stopped here for want of memory, holding \(names) distinct element and attribute names (its dictionary of names holds at most 10,000,000 bytes of them); the document is read no further"
        }
        return IngestError(message, at: Locator(file: source.name, line: max(line, 1), column: max(column, 1)))
    }

    /// libxml2's warnings so far.
    func warnings() -> [(message: String, line: Int)] { target.pointee.errors.warnings }

    /// The largest run of repeated elements outside records, none of which held a record.
    var skippedGroup: XMLSkippedElements.Group? { target.pointee.assembler.skipped.largest }

    /// Ends the document at a start tag with too many attributes, which the parser was not given:
    /// located at its `<`, the last one in what the parser holds unparsed.
    private func stopAtCrowdedTag() {
        var line = 1
        var column = 1
        if let input = context.pointee.input, let start = input.pointee.cur, let end = input.pointee.end, start <= end {
            let pending = UnsafeBufferPointer(start: start, count: start.distance(to: end))
            let tag = pending.lastIndex(of: 0x3C) ?? pending.count
            line = Int(input.pointee.line)
            column = Int(input.pointee.col)
            for byte in pending[..<tag] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
        }
        readFailure = IngestError("an element with more than \(attributeGuard.limit) attributes; the document is read no further (libxml2 takes time growing with the square of their number)",
                                  at: Locator(file: source.name, line: max(line, 1), column: max(column, 1)))
        xmlStopParser(context)
        isFinished = true
    }

    /// Feeds the next chunk of the source to the parser (or ends the document at its end).
    func parseNextChunk() {
        let chunk: [UInt8]?
        do {
            chunk = try source.nextChunk()
        } catch {
            readFailure = error
            isFinished = true
            return
        }
        if let chunk {
            let admitted = XMLPushParser.admitted(chunk, by: &attributeGuard)
            XMLSupport.parse(admitted.bytes, with: context)
            if admitted.crowded {
                stopAtCrowdedTag()
                return
            }
        } else {
            XMLSupport.parse([], with: context, last: true)
            isFinished = true
        }
        if failure != nil {
            xmlStopParser(context)
            isFinished = true
        }
    }
}
