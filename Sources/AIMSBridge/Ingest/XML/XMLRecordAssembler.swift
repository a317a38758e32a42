import CLibXML2

/// Builds the records of an XML export from the parser's events, one element at a time, so that
/// no part of the document is ever held as a tree.
///
/// Attributes of the record element become `@name`, child elements their name, nested elements
/// `parent.child`, attributes of a child `child@attr` (`owned_by@display_value`). An element's
/// field holds its text and comes after its attributes and before its children's fields. An
/// element with child elements holds text only when it has some of its own (mixed content, as in
/// OSCAL's `<p>See <a href="#ac-1">AC-1</a> first</p>`): then its whole text, its children's
/// included, in document order (XPath's string value), and its children are fields as well.
/// Blank elements are absent. Entity references are kept as `&name;` text.
/// Elements at a profile's child paths are records of their own, returned after their holder.
/// Records are finished as `PendingRecord`s: their values stay bytes until the record is taken
/// on the thread that uses it.
struct XMLRecordAssembler {
    private let sourceName: String
    private let recordPath: [String]
    private let limits: ReaderLimits
    private let fieldDefinitions: XMLFieldDefinitions?
    private let fieldPaths: XMLFieldPaths
    private let childFieldPaths = XMLFieldPaths(childPaths: [])

    /// How deep a document may nest at all. A parser that builds a tree stops at libxml2's bound
    /// (256); this one builds none, so it keeps that bound itself.
    static let documentDepthLimit = 256

    /// Names of the open elements outside records, from the root.
    private var path: [String] = []
    /// Runs of repeated elements outside records (reported when the record path was guessed).
    private(set) var skipped = XMLSkippedElements()
    /// How many elements are open, in records or not.
    private var openElements = 0
    /// Field names by id, from the export's field definitions (Archer).
    private var fieldNames: [String: String] = [:]
    private var recordIndex = 0
    /// The start of the last record's XPath (`/unload/risk[`), with the element path it is for.
    private var xpathPrefix: (path: [String], text: String) = ([], "")
    /// How many fields the last record had.
    private var lastFieldCount = 0
    /// How many bytes of values the last record held.
    private var lastByteCount = 0
    private var ordinal = 0
    /// The record being read, while `inRecord` (kept between records, with its buffers).
    private var record = OpenRecord()
    private var inRecord = false
    /// Finished items not yet taken, with the warnings to report when each is taken.
    private var finished = HandOutQueue<(record: PendingRecord, warnings: [Diagnostic])>()
    /// A document nested deeper than the limit.
    private(set) var failure: IngestError? {
        didSet { hasFailed = failure != nil }
    }
    /// Whether there is a failure (checked on every event: cheaper than looking at the error).
    private(set) var hasFailed = false

    init(sourceName: String, recordPath: [String], limits: ReaderLimits, fieldDefinitions: XMLFieldDefinitions?,
         childPaths: Set<String>) {
        self.sourceName = sourceName
        self.recordPath = recordPath
        self.limits = limits
        self.fieldDefinitions = fieldDefinitions
        fieldPaths = XMLFieldPaths(childPaths: childPaths)
    }

    /// The next finished item, if any.
    mutating func take() -> (record: PendingRecord, warnings: [Diagnostic])? {
        finished.take()
    }

    // MARK: Events

    /// An element starts. `name` is interned in the parser's dictionary when `interned`.
    mutating func startElement(_ name: UnsafePointer<xmlChar>, interned: Bool, attributes: XMLAttributes, line: Int) {
        guard !hasFailed else { return }
        openElements += 1
        // Outside records the reader's limit stops the document; inside one it rejects the record
        // (see `startElementInRecord`), and only the document's bound stops the document.
        let limit = inRecord ? XMLRecordAssembler.documentDepthLimit : min(limits.maxDepth, XMLRecordAssembler.documentDepthLimit)
        if openElements > limit {
            failure = IngestError("elements nested deeper than \(limit) levels", at: Locator(file: sourceName, line: max(line, 1)))
            return
        }
        if inRecord {
            startElementInRecord(name, interned: interned, attributes: attributes, line: line)
            return
        }
        let text = String(cString: name)
        path.append(text)
        if matchesRecordPath() {
            skipped.record(path: path)
            startRecord(attributes: attributes, line: line)
            return
        }
        skipped.start(path: path, line: line)
        if let definitions = fieldDefinitions, text == definitions.definition,
           let id = attributes.value(of: definitions.idAttribute),
           let fieldName = attributes.value(of: definitions.nameAttribute) {
            fieldNames[id] = fieldName
        }
    }

    /// Text (or CDATA) in the current element.
    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard inRecord, record.keepsText else { return }
        record.appendText(bytes, limits: limits)
    }

    /// An entity reference in the current element, left unexpanded.
    mutating func entityReference(_ name: String) {
        guard inRecord, record.keepsText else { return }
        record.entities.append(name)
        "&\(name);".withUTF8Bytes { record.appendText($0, limits: limits) }
    }

    /// The current element ends.
    mutating func endElement() {
        guard !hasFailed else { return }
        openElements -= 1
        guard inRecord else {
            if !path.isEmpty {
                skipped.end(path: path)
                path.removeLast()
            }
            return
        }
        guard !record.frames.isEmpty else {
            finishRecord()
            path.removeLast()
            return
        }
        let frame = record.frames.removeLast()
        switch frame.role {
        case .field:
            record.finishField(frame)
        case .namedField:
            record.finishLeaf(frame)
            let name = fieldNames[record.namedID] ?? "\(fieldDefinitions?.field ?? "")#\(record.namedID)"
            let leaves = record.leaves
            if leaves.count == 1 {
                record.main!.add(XMLFieldPath(number: -1, text: name, isChildRecord: false), leaves[0],
                                 at: record.main!.fields.count)
            } else if !leaves.isEmpty {
                record.main!.fields.insert(path: name, column: -1, value: .list(leaves), at: record.main!.fields.count)
            }
        case .namedPart:
            record.finishLeaf(frame)
        case .childRecord:
            record.finishChild(path: frame.path.text, line: frame.slot, sourceName: sourceName)
        case .skipped:
            break
        }
    }

    // MARK: Records

    private func matchesRecordPath() -> Bool {
        if recordPath.count == 1 { return path.last == recordPath[0] && path.count > 1 }
        return path == recordPath
    }

    private mutating func startRecord(attributes: XMLAttributes, line: Int) {
        recordIndex += 1
        if path != xpathPrefix.path {
            xpathPrefix = (path, "/" + path.joined(separator: "/") + "[")
        }
        let locator = Locator(file: sourceName, line: max(line, 1), column: 1,
                              path: xpathPrefix.text + String(recordIndex) + "]")
        var main = XMLFieldCollector(limits: limits, paths: fieldPaths)
        // Records of one export have much the same fields: room for as many as the last had,
        // and for half as many bytes again as it held (grown from empty, the byte buffer was
        // reallocated about seven times a record).
        main.fields.reserveCapacity(lastFieldCount, bytes: lastByteCount + lastByteCount / 2)
        record.open(at: locator, ordinal: ordinal, main: consume main)
        record.main!.addAttributes(attributes, under: .record)
        inRecord = true
    }

    private mutating func startElementInRecord(_ name: UnsafePointer<xmlChar>, interned: Bool, attributes: XMLAttributes, line: Int) {
        // The element is opened first and then set up where it lies in `frames`: one built in a
        // local variable and pushed afterwards was copied there (its path retained once more)
        // and the local released, for every element of every record.
        let parent = record.frames.count - 1
        record.frames.append(XMLOpenElement(role: .field, path: .record, textStart: record.textCount, level: 1, inChild: false))
        let index = parent + 1
        // A field's path is looked up under its parent's where the parent lies, rather than
        // copied into the new element first.
        var parentIsField = false
        if parent >= 0 {
            record.frames[parent].hasElements = true
            record.frames[index].inChild = record.frames[parent].inChild
            record.frames[index].level = record.frames[parent].level + 1
            switch record.frames[parent].role {
            case .skipped:
                record.frames[index].role = .skipped
                return
            case .namedField, .namedPart:
                // The parts of a field named by id: their texts are the field's values.
                record.frames[index].role = .namedPart
                return
            case .field:
                parentIsField = true
            case .childRecord:
                break
            }
        }
        let inChild = record.frames[index].inChild
        if record.withCollector(inChild: inChild, { $0.overLimit != nil }) {
            record.frames[index].role = .skipped
            return
        }
        if max(2, record.frames[index].level) >= limits.maxDepth {
            let problem = "elements nested deeper than \(limits.maxDepth) levels"
            record.withCollector(inChild: inChild) { $0.overLimit = problem }
            record.frames[index].role = .skipped
            return
        }
        if !inChild, let definitions = fieldDefinitions, XMLRecordAssembler.equals(name, definitions.field) {
            record.leaves = []
            record.namedID = attributes.value(of: definitions.fieldIDAttribute) ?? ""
            record.frames[index].role = .namedField
            return
        }
        let path = elementPath(name, under: parentIsField ? parent : nil, inChild: inChild, interned: interned)
        if !inChild && path.isChildRecord {
            var child = XMLFieldCollector(limits: limits, paths: childFieldPaths)
            child.addAttributes(attributes, under: .record)
            record.child = child
            record.frames[index].path = path
            record.frames[index].inChild = true
            record.frames[index].level = 0
            record.frames[index].slot = line
            record.frames[index].role = .childRecord
            return
        }
        record.frames[index].slot = record.withCollector(inChild: inChild) { collector in
            collector.addAttributes(attributes, under: path)
            return collector.fields.count
        }
        record.frames[index].path = path
    }

    /// The path of element `name` below the open element at `parent` (nil: the record's or child
    /// record's element), from the table of the record or child record it is in.
    private func elementPath(_ name: UnsafePointer<xmlChar>, under parent: Int?, inChild: Bool, interned: Bool) -> XMLFieldPath {
        // The table is not bound to a local: that retained and released it for every element.
        let under = parent.map { record.frames[$0].path } ?? .record
        if inChild { return childFieldPaths.path(under: under, name: name, isAttribute: false, interned: interned) }
        return fieldPaths.path(under: under, name: name, isAttribute: false, interned: interned)
    }

    private mutating func finishRecord() {
        inRecord = false
        // Bound one by one, so that the fields are moved (`consume`) into the record: taken out of
        // the tuple, they were copied and then destroyed with it (every array retained and
        // released).
        let (locator, fields, overLimit, entities, children) = record.close()
        let warnings = entities.map {
            Diagnostic(.warning, "entity reference '&\($0);' left unexpanded (entities are never expanded)", at: locator)
        }
        lastFieldCount = fields.count
        lastByteCount = fields.byteCount
        finished.append((PendingRecord(fields: consume fields, locator: locator, ordinal: ordinal, overLimit: overLimit),
                         warnings))
        for child in children { finished.append((child, [])) }
        ordinal += 1 + children.count
    }

    /// Whether a libxml2 name is `text`, without making a String of it.
    static func equals(_ name: UnsafePointer<xmlChar>, _ text: String) -> Bool {
        return text.withUTF8Bytes { utf8 in
            for index in 0..<utf8.count where name[index] == 0 || name[index] != utf8[index] { return false }
            return name[utf8.count] == 0
        }
    }
}

/// The attributes of an element as the parser passes them: for each, its local name and the
/// start and end of its value (not terminated, entity references not yet replaced).
struct XMLAttributes {
    let context: xmlParserCtxtPtr
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// Whether the name of attribute `index` is the parser dictionary's entry (which stands for
    /// the name in `XMLFieldPaths`).
    func isInterned(_ index: Int) -> Bool {
        guard let name = name(index), let dictionary = context.pointee.dict else { return false }
        return xmlDictOwns(dictionary, name) == 1
    }

    /// The local name of attribute `index`.
    func name(_ index: Int) -> UnsafePointer<xmlChar>? { base?[index * 5] }

    /// The bytes of attribute `index`'s value as written (references not replaced).
    private func written(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        guard let start = base?[index * 5 + 3], let end = base?[index * 5 + 4] else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: end - start)
    }

    /// The bytes of attribute `index`'s value, when it has no references to replace (else nil).
    func rawValue(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        let raw = written(index)
        return raw.contains(UInt8(ascii: "&")) ? nil : raw
    }

    /// The value of attribute `index`, with its character and entity references replaced.
    func value(_ index: Int) -> String {
        if let raw = rawValue(index) { return String(decoding: raw, as: UTF8.self) }
        let raw = written(index)
        // The parser leaves references in attribute values for the tree builder to replace.
        guard let start = raw.baseAddress,
              let decoded = xmlStringLenDecodeEntities(context, start, Int32(raw.count), Int32(XML_SUBSTITUTE_REF), 0, 0, 0) else {
            return String(decoding: raw, as: UTF8.self)
        }
        defer { aims_xml_free(decoded) }
        return String(cString: decoded)
    }

    /// The value of the attribute named `name`, if the element has it.
    func value(of name: String) -> String? {
        for index in 0..<count {
            if let attribute = self.name(index), XMLRecordAssembler.equals(attribute, name) { return value(index) }
        }
        return nil
    }
}

/// An element open inside a record, and what its end should do.
///
/// Plain fields rather than an enum with payloads: an element is opened and closed for every
/// element of the document, and copying a multi-payload enum measured as a tenth of reading.
struct XMLOpenElement {
    enum Role {
        /// An element that is a field.
        case field
        /// A field element identified by id (Archer).
        case namedField
        /// An element inside a field identified by id.
        case namedPart
        /// The root of a child record.
        case childRecord
        /// An element past a limit, or inside one.
        case skipped
    }

    var role: Role
    /// A field's path; a child record's path below its holder; else the record element.
    var path: XMLFieldPath
    /// For a field, where its text goes among the fields (before its children's); for a child
    /// record, the line it starts on.
    var slot = 0
    /// Where its text starts in the record's text buffer.
    var textStart: Int
    /// How deep it is below its record's (or child record's) element.
    var level: Int
    /// Whether it is inside a child record.
    var inChild: Bool
    /// Whether it has child elements.
    var hasElements = false
    /// Whether it has text of its own that is not blank (with `hasElements`: mixed content).
    var hasOwnText = false

    /// Whether its own text is kept.
    var keepsText: Bool { role == .field || role == .namedField || role == .namedPart }

    init(role: Role, path: XMLFieldPath, textStart: Int, level: Int, inChild: Bool) {
        self.role = role
        self.path = path
        self.textStart = textStart
        self.level = level
        self.inChild = inChild
    }
}

/// A record being read: its fields so far, the child record being read, and the text of the
/// open elements (in one buffer: an element's text, its children's included, is taken off the
/// end when it ends, or when its parent ends if that is a field, whose text it may be part of).
struct OpenRecord {
    private(set) var locator = Locator(file: "", line: 1)
    private(set) var ordinal = 0
    var main: XMLFieldCollector?
    var child: XMLFieldCollector?
    var children: [PendingRecord] = []
    /// Set once the record has more nested records than the limit: it is rejected with them
    /// (as in JSON, they are all held until it ends), and no more are kept.
    private var tooManyNested = false
    var frames: [XMLOpenElement] = []
    var entities: [String] = []
    /// The id of the field identified by id being read (such a field holds no other: the
    /// elements inside it are its parts).
    var namedID = ""
    /// The values of the field identified by id being read.
    var leaves: [String] = []
    private var text: [UInt8] = []

    /// Starts a record (the buffers of the last one are reused). The collector is taken
    /// (`consuming`): borrowed, it was copied in (its fields' arrays retained) and the caller's
    /// released.
    mutating func open(at locator: Locator, ordinal: Int, main: consuming XMLFieldCollector) {
        self.locator = locator
        self.ordinal = ordinal
        self.main = consume main
    }

    /// Ends the record: what was read of it.
    mutating func close() -> (locator: Locator, fields: PendingFields, overLimit: String?, entities: [String],
                              children: [PendingRecord]) {
        // Moved out (`take`), not copied out and then released with the property.
        var collected = main.take()!
        var fields = PendingFields()
        swap(&fields, &collected.fields)
        child = nil
        tooManyNested = false
        defer {
            frames.removeAll(keepingCapacity: true)
            entities.removeAll(keepingCapacity: true)
            children.removeAll(keepingCapacity: true)
            text.removeAll(keepingCapacity: true)
        }
        return (locator, fields, collected.overLimit, entities, children)
    }

    var textCount: Int { text.count }

    /// Whether the innermost open element keeps its text.
    var keepsText: Bool { !frames.isEmpty && frames[frames.count - 1].keepsText }

    /// Runs `body` on the fields of the record, or of its child record (in place).
    mutating func withCollector<Result>(inChild: Bool, _ body: (inout XMLFieldCollector) -> Result) -> Result {
        inChild ? body(&child!) : body(&main!)
    }

    /// Appends text to the current element's, up to one byte past the field limit (enough to
    /// know the field is over it). The buffer holds the text of fields nested in fields until
    /// the outer one ends, so it is bounded too: past the record limit the record is over it.
    mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>, limits: ReaderLimits) {
        let current = frames.count - 1
        let fieldRoom = limits.maxFieldBytes + 1 - (text.count - frames[current].textStart)
        let recordRoom = limits.maxRecordBytes + 1 - text.count
        let room = max(0, min(fieldRoom, recordRoom))
        if room < bytes.count && !String.isBlank(utf8: UnsafeBufferPointer(rebasing: bytes[room...])) {
            // Text that is cut off (not only the space around child elements) puts the record over a limit.
            let problem = recordRoom < fieldRoom ? "record is larger than the \(limits.maxRecordBytes)-byte record limit"
                : "field '\(frames[current].path.text)' is larger than the \(limits.maxFieldBytes)-byte field limit"
            withCollector(inChild: frames[current].inChild) { $0.overLimit = $0.overLimit ?? problem }
        }
        let kept = UnsafeBufferPointer(rebasing: bytes.prefix(room))
        text.append(contentsOf: kept)
        if !frames[current].hasOwnText && !String.isBlank(utf8: kept) { frames[current].hasOwnText = true }
    }

    /// Ends a field element: its text, unless blank or only the text of its child elements,
    /// becomes its field (kept as bytes, see `PendingRecord`) in the record or child record it
    /// is in. The text leaves the buffer unless the element's parent is a field too.
    mutating func finishField(_ frame: XMLOpenElement) {
        let start = frame.textStart
        guard text.count > start else { return }
        // The buffer is moved out while its bytes are added, so that the collector can change.
        var buffer: [UInt8] = []
        swap(&buffer, &text)
        if frame.hasOwnText || !frame.hasElements {
            buffer.withUnsafeBufferPointer { all in
                let value = UnsafeBufferPointer(rebasing: all[start...])
                guard !String.isBlank(utf8: value) else { return }
                withCollector(inChild: frame.inChild) { $0.add(frame.path, utf8: value, at: frame.slot) }
            }
        }
        if frames.last?.role != .field { buffer.removeLast(buffer.count - start) }
        swap(&buffer, &text)
    }

    /// Ends an element of a field identified by id: its own text, trimmed, is one of the
    /// field's values unless it has child elements or is blank; the text leaves the buffer.
    mutating func finishLeaf(_ frame: XMLOpenElement) {
        let start = frame.textStart
        guard text.count > start else { return }
        defer { text.removeLast(text.count - start) }
        guard !frame.hasElements else { return }
        let leaf = text[start...].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }.trimmingWhitespace()
        if !leaf.isEmpty { leaves.append(leaf) }
    }

    /// Ends the child record being read. Past the limit on nested records the record is
    /// rejected with them, and no more are kept (see `close()`).
    mutating func finishChild(path: String, line: Int, sourceName: String) {
        guard let done = child else { return }
        child = nil
        if tooManyNested { return }
        let index = children.count
        if index >= done.limits.maxNestedRecords {
            tooManyNested = true
            main!.overLimit = main!.overLimit ?? "more than \(done.limits.maxNestedRecords) records nested in one record"
            children.removeAll()
            return
        }
        let locator = Locator(file: sourceName, line: max(line, 1), column: 1,
                              path: "\(self.locator.path ?? "")/\(path.replacingOccurrences(of: ".", with: "/"))[\(index + 1)]")
        let link = ParentLink(field: path, locator: self.locator, parentOrdinal: ordinal)
        children.append(PendingRecord(fields: done.fields, locator: locator, ordinal: ordinal + 1 + index, parent: link))
    }
}

/// The fields of one record (or child record) as its elements end, with the limits on them.
struct XMLFieldCollector {
    let limits: ReaderLimits
    /// The source's numbered field paths.
    let paths: XMLFieldPaths
    var fields = PendingFields()
    /// Why the record is rejected, once a limit is passed.
    var overLimit: String?
    private var bytes = 0

    init(limits: ReaderLimits, paths: XMLFieldPaths) {
        self.limits = limits
        self.paths = paths
    }

    /// Adds each non-blank attribute as the field `parent@name`.
    mutating func addAttributes(_ attributes: XMLAttributes, under parent: XMLFieldPath) {
        for index in 0..<attributes.count {
            // A value without references is kept as its bytes; one with references is decoded.
            if let raw = attributes.rawValue(index) {
                guard !String.isBlank(utf8: raw) else { continue }
                add(attributePath(attributes, index, under: parent), utf8: raw, at: fields.count)
            } else {
                let value = attributes.value(index)
                guard !value.isBlank else { continue }
                add(attributePath(attributes, index, under: parent), value, at: fields.count)
            }
        }
    }

    private func attributePath(_ attributes: XMLAttributes, _ index: Int, under parent: XMLFieldPath) -> XMLFieldPath {
        paths.path(under: parent, name: attributes.name(index), isAttribute: true, interned: attributes.isInterned(index))
    }

    /// Adds a field at `slot` (an element's text goes before the fields of its children),
    /// noting the first limit it passes.
    mutating func add(_ path: XMLFieldPath, _ value: String, at slot: Int) {
        noteLimits(path, size: value.utf8.count)
        fields.insert(path: path.text, column: path.number, value: .text(value), at: slot)
    }

    /// Adds a field whose value is `utf8` at `slot`, as `add(_:_:at:)` does.
    mutating func add(_ path: XMLFieldPath, utf8: UnsafeBufferPointer<UInt8>, at slot: Int) {
        noteLimits(path, size: utf8.count)
        fields.insert(path: path.text, column: path.number, utf8: utf8, at: slot)
    }

    /// Notes the first limit that a field of `size` bytes at `path` passes (the field is still
    /// added: the rejected record's raw text shows it).
    private mutating func noteLimits(_ path: XMLFieldPath, size: Int) {
        bytes += size
        if size > limits.maxFieldBytes {
            overLimit = overLimit ?? "field '\(path.text)' is larger than the \(limits.maxFieldBytes)-byte field limit"
        } else if fields.count >= limits.maxFieldsPerRecord {
            overLimit = overLimit ?? "more than \(limits.maxFieldsPerRecord) fields in one record"
        } else if bytes > limits.maxRecordBytes {
            overLimit = overLimit ?? "record is larger than the \(limits.maxRecordBytes)-byte record limit"
        }
    }
}
