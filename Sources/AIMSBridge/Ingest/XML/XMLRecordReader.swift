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

/// Reads an XML export as a stream of `SourceRecord`s, on libxml2's streaming `xmlTextReader`.
///
/// Each record element is expanded on its own (memory stays that of one record) and flattened:
/// attributes of the record element become `@name`, child elements their name, nested elements
/// `parent.child`, attributes of a child `child@attr` (`owned_by@display_value`). Empty elements
/// are absent. Entity references are never expanded (external entities are never resolved);
/// they are kept as `&name;` text with a warning.
public struct XMLRecordReader: RecordReader {
    private let state: ReaderState
    private let diagnostics: any DiagnosticCollector
    private let limits: ReaderLimits
    /// The element path of the records (`/unload/sn_risk_risk`), found or given.
    public let recordPath: [String]
    private var ordinal = 0
    private var started = false
    /// Names of the open elements down to the current node.
    private var path: [String] = []
    /// Element paths inside a record that are records of their own.
    /// The numbered field paths of records, and of child records (which have no children of their own).
    private let fieldPaths: XMLFieldPaths
    private let childFieldPaths = XMLFieldPaths(childPaths: [])
    /// Child records of the last record, waiting to be returned after it.
    private var pendingChildren: [IngestItem] = []
    /// Field ids and names, when the export defines its fields by id.
    private let fieldDefinitions: XMLFieldDefinitions?
    private var fieldNames: [String: String] = [:]

    /// Owns the libxml2 reader and what its callbacks reach.
    private final class ReaderState {
        let source: ByteSource
        var reader: xmlTextReaderPtr?
        var pending: [UInt8] = []
        var pendingOffset = 0
        var readError: IngestError?
        let errors: UnsafeMutablePointer<XMLErrorCapture>
        var recordIndex = 0

        init(source: ByteSource) {
            self.source = source
            errors = .allocate(capacity: 1)
            errors.initialize(to: XMLErrorCapture())
        }

        deinit {
            if let reader { xmlFreeTextReader(reader) }
            errors.deinitialize(count: 1)
            errors.deallocate()
        }

        /// Fills libxml2's buffer from the byte source.
        func read(into buffer: UnsafeMutablePointer<CChar>, count: Int) -> Int32 {
            if pendingOffset >= pending.count {
                do {
                    guard let chunk = try source.nextChunk() else { return 0 }
                    pending = chunk
                    pendingOffset = 0
                } catch {
                    readError = error
                    return -1
                }
            }
            let n = min(count, pending.count - pendingOffset)
            pending.withUnsafeBufferPointer { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + pendingOffset, byteCount: n)
            }
            pendingOffset += n
            return Int32(n)
        }
    }

    /// Opens a reader over `source`. `recordPath` is `/root/record`, `root/record` or a bare
    /// element name; without it, the record element is the first element found repeated
    /// among siblings, shallowest first, in the first 256 KiB.
    public init(source: ByteSource, recordPath: String? = nil, fieldDefinitions: XMLFieldDefinitions? = nil,
                childPaths: Set<String> = [], limits: ReaderLimits = .standard,
                diagnostics: any DiagnosticCollector) throws(IngestError) {
        _ = XMLSupport.initialised
        self.fieldDefinitions = fieldDefinitions
        fieldPaths = XMLFieldPaths(childPaths: childPaths)
        self.diagnostics = diagnostics
        self.limits = limits
        let prefix = try source.peek(256 * 1024)
        if let recordPath {
            self.recordPath = recordPath.split(separator: "/").map(String.init)
        } else {
            self.recordPath = XMLRecordPathFinder.find(in: prefix)
        }
        state = ReaderState(source: source)
        let context = Unmanaged.passUnretained(state).toOpaque()
        let readCallback: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer else { return -1 }
            let state = Unmanaged<ReaderState>.fromOpaque(context).takeUnretainedValue()
            return state.read(into: buffer, count: Int(length))
        }
        guard let reader = xmlReaderForIO(readCallback, nil, context, source.name, nil, XMLSupport.options) else {
            throw IngestError("libxml2 could not create a reader", at: Locator(file: source.name, line: 1))
        }
        state.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, XMLErrorCapture.handler, state.errors)
    }

    /// The next record, or nil at the end of the document.
    public mutating func next() throws(IngestError) -> IngestItem? {
        if !pendingChildren.isEmpty { return pendingChildren.removeFirst() }
        guard let reader = state.reader else { return nil }
        // After a record, the reader sits on its start element: skip its subtree.
        var result: Int32 = started ? xmlTextReaderNext(reader) : xmlTextReaderRead(reader)
        started = true
        while result == 1 {
            let type = xmlTextReaderNodeType(reader)
            let depth = Int(xmlTextReaderDepth(reader))
            if depth >= limits.maxDepth {
                // Elements outside a record are walked here; libxml2 bounds the depth inside records too.
                let line = xmlTextReaderCurrentNode(reader).map { Int(xmlGetLineNo($0)) } ?? Int(xmlTextReaderGetParserLineNumber(reader))
                throw IngestError("elements nested deeper than \(limits.maxDepth) levels",
                                  at: Locator(file: state.source.name, line: max(line, 1)))
            }
            if type == Int32(XML_READER_TYPE_ELEMENT.rawValue) {
                let name = XMLSupport.string(xmlTextReaderConstName(reader)) ?? ""
                if path.count > depth { path.removeSubrange(depth...) }
                path.append(name)
                if matches(path) {
                    return try record(reader, path: path)
                }
                if let definitions = fieldDefinitions, name == definitions.definition,
                   let id = attribute(definitions.idAttribute, reader), let fieldName = attribute(definitions.nameAttribute, reader) {
                    fieldNames[id] = fieldName
                }
                if xmlTextReaderIsEmptyElement(reader) == 1 { path.removeLast() }
            } else if type == Int32(XML_READER_TYPE_END_ELEMENT.rawValue) {
                if path.count > depth { path.removeSubrange(depth...) }
            }
            result = xmlTextReaderRead(reader)
        }
        if result < 0 { throw failure() }
        reportWarnings()
        return nil
    }

    private func attribute(_ name: String, _ reader: xmlTextReaderPtr) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { aims_xml_free(value) }
        return String(cString: value)
    }

    private func matches(_ path: [String]) -> Bool {
        if recordPath.count == 1 { return path.last == recordPath[0] && path.count > 1 }
        return path == recordPath
    }

    private mutating func record(_ reader: xmlTextReaderPtr, path: [String]) throws(IngestError) -> IngestItem {
        state.recordIndex += 1
        let xpath = "/" + path.joined(separator: "/") + "[\(state.recordIndex)]"
        guard let node = xmlTextReaderExpand(reader) else { throw failure() }
        let line = Int(xmlGetLineNo(node))
        let locator = Locator(file: state.source.name, line: max(line, 1), column: 1, path: xpath)
        var flattener = XMLFlattener(limits: limits, paths: fieldPaths)
        if let fieldDefinitions { flattener.namedFields = (fieldDefinitions, fieldNames) }
        flattener.flatten(node)
        let parentOrdinal = ordinal
        for (index, child) in flattener.children.enumerated() {
            var childFlattener = XMLFlattener(limits: limits, paths: childFieldPaths)
            childFlattener.flatten(child.node)
            let childLocator = Locator(file: state.source.name, line: max(Int(xmlGetLineNo(child.node)), 1), column: 1,
                                       path: "\(xpath)/\(child.path.replacingOccurrences(of: ".", with: "/"))[\(index + 1)]")
            let link = ParentLink(field: child.path, locator: locator, parentOrdinal: parentOrdinal)
            pendingChildren.append(.record(SourceRecord(fields: childFlattener.fields, locator: childLocator,
                                                        ordinal: parentOrdinal + 1 + index, parent: link)))
        }
        for entity in flattener.entities {
            diagnostics.emit(Diagnostic(.warning, "entity reference '&\(entity);' left unexpanded (entities are never expanded)",
                                        at: locator))
        }
        defer { ordinal += 1 + flattener.children.count }
        if let problem = flattener.overLimit {
            let partial = SourceRecord(fields: flattener.fields, locator: locator, ordinal: ordinal)
            return .rejected(RejectedRecord(locator: locator, reason: problem, raw: partial.rawText))
        }
        return .record(SourceRecord(fields: flattener.fields, locator: locator, ordinal: ordinal))
    }

    private func failure() -> IngestError {
        if let error = state.readError { return error }
        let capture = state.errors.pointee
        let message = capture.message ?? "malformed XML"
        var line = capture.line
        var column = capture.column
        // Errors inside an entity's replacement text (a reference loop) carry a line counted
        // from the entity's start; the parser's own position is nearer the truth there.
        if let reader = state.reader, capture.code == Int(XML_ERR_ENTITY_LOOP.rawValue) {
            line = Int(xmlTextReaderGetParserLineNumber(reader))
            column = Int(xmlTextReaderGetParserColumnNumber(reader))
        }
        return IngestError(message, at: Locator(file: state.source.name, line: max(line, 1), column: max(column, 1)))
    }

    private func reportWarnings() {
        for warning in state.errors.pointee.warnings {
            diagnostics.emit(Diagnostic(.warning, warning.message,
                                        at: Locator(file: state.source.name, line: max(warning.line, 1))))
        }
        state.errors.pointee.warnings.removeAll()
    }
}

/// Turns an expanded record element into ordered (path, value) fields, without recursion.
struct XMLFlattener {
    let limits: ReaderLimits
    /// The source's numbered field paths.
    let paths: XMLFieldPaths
    var fields: [SourceField] = []
    var entities: [String] = []
    var overLimit: String?
    var bytes = 0
    /// Field elements named through definitions (Archer): `<Field id="1002">` → the field
    /// "Risk Title", with the element's text, or the texts of its leaf elements as a list.
    var namedFields: (definitions: XMLFieldDefinitions, names: [String: String])?
    /// The child elements found that are records of their own, with their path, in document order.
    var children: [(path: String, node: xmlNodePtr)] = []
    /// libxml2's name dictionary of the document being flattened.
    private var dictionary: xmlDictPtr?

    init(limits: ReaderLimits, paths: XMLFieldPaths) {
        self.limits = limits
        self.paths = paths
    }

    mutating func flatten(_ root: xmlNodePtr) {
        dictionary = root.pointee.doc?.pointee.dict
        addAttributes(of: root, under: .record)
        var stack: [(node: xmlNodePtr, parent: XMLFieldPath)] = []
        pushChildren(of: root, under: .record, onto: &stack)
        while let (node, parent) = stack.popLast() {
            guard overLimit == nil else { return }
            if parent.dots + 2 >= limits.maxDepth {
                overLimit = "elements nested deeper than \(limits.maxDepth) levels"
                return
            }
            if let named = namedFields, XMLSupport.string(node.pointee.name) == named.definitions.field {
                addNamedField(node, named)
                continue
            }
            let path = self.path(under: parent, name: node.pointee.name, isAttribute: false)
            if path.isChildRecord {
                children.append((path.text, node))
                continue
            }
            addAttributes(of: node, under: path)
            let text = directText(of: node)
            if !text.trimmingWhitespace().isEmpty { add(path, text) }
            pushChildren(of: node, under: path, onto: &stack)
        }
    }

    private func path(under parent: XMLFieldPath, name: UnsafePointer<xmlChar>?, isAttribute: Bool) -> XMLFieldPath {
        let interned = name.map { name in dictionary.map { xmlDictOwns($0, name) == 1 } ?? false } ?? false
        return paths.path(under: parent, name: name, isAttribute: isAttribute, interned: interned)
    }

    /// Adds a field element identified by id under its defined name (its id when undefined).
    private mutating func addNamedField(_ node: xmlNodePtr, _ named: (definitions: XMLFieldDefinitions, names: [String: String])) {
        var id = ""
        if let value = xmlGetProp(node, named.definitions.fieldIDAttribute) {
            id = String(cString: value)
            aims_xml_free(value)
        }
        let name = named.names[id] ?? "\(named.definitions.field)#\(id)"
        var leaves: [String] = []
        var stack: [xmlNodePtr] = [node]
        while let current = stack.popLast() {
            var elements: [xmlNodePtr] = []
            var child = current.pointee.children
            while let next = child {
                if next.pointee.type == XML_ELEMENT_NODE { elements.append(next) }
                child = next.pointee.next
            }
            if elements.isEmpty {
                let text = directText(of: current).trimmingWhitespace()
                if !text.isEmpty { leaves.append(text) }
            } else {
                stack.append(contentsOf: elements.reversed())
            }
        }
        if leaves.count == 1 {
            add(XMLFieldPath(number: -1, text: name, dots: 0, isChildRecord: false), leaves[0])
        } else if !leaves.isEmpty {
            fields.append(SourceField(path: name, value: .list(leaves)))
        }
    }

    private func pushChildren(of node: xmlNodePtr, under path: XMLFieldPath, onto stack: inout [(node: xmlNodePtr, parent: XMLFieldPath)]) {
        var children: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { children.append(current) }
            child = current.pointee.next
        }
        for element in children.reversed() { stack.append((element, path)) }
    }

    private mutating func addAttributes(of node: xmlNodePtr, under parent: XMLFieldPath) {
        var attribute = node.pointee.properties
        while let current = attribute {
            if let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self)) {
                let text = String(cString: value)
                aims_xml_free(value)
                if !text.trimmingWhitespace().isEmpty {
                    add(path(under: parent, name: current.pointee.name, isAttribute: true), text)
                }
            }
            attribute = current.pointee.next
        }
    }

    /// The element's own text (text and CDATA children, entity references kept as `&name;`).
    private mutating func directText(of node: xmlNodePtr) -> String {
        // Most elements hold one text node: its string, without concatenating.
        if let only = node.pointee.children, only.pointee.next == nil, only.pointee.type == XML_TEXT_NODE {
            return only.pointee.content.map { String(cString: $0) } ?? ""
        }
        var text = ""
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            case XML_ENTITY_REF_NODE:
                let name = XMLSupport.string(current.pointee.name) ?? ""
                entities.append(name)
                text += "&\(name);"
            default:
                break
            }
            child = current.pointee.next
        }
        return text
    }

    private mutating func add(_ path: XMLFieldPath, _ value: String) {
        let size = value.utf8.count
        bytes += size
        if size > limits.maxFieldBytes {
            overLimit = "field '\(path.text)' is larger than the \(limits.maxFieldBytes)-byte field limit"
        } else if fields.count >= limits.maxFieldsPerRecord {
            overLimit = "more than \(limits.maxFieldsPerRecord) fields in one record"
        } else if bytes > limits.maxRecordBytes {
            overLimit = "record is larger than the \(limits.maxRecordBytes)-byte record limit"
        }
        fields.append(SourceField(path: path.text, value: .text(value), column: path.number))
    }
}
