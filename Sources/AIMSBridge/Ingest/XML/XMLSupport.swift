import CLibXML2

/// libxml2 set-up shared by the XML readers: one-time initialisation, safe parser options and
/// error capture.
enum XMLSupport {
    /// Safe options: no network, no DTD loading, no entity substitution (so external entities are
    /// never resolved), no libxml2 messages on stderr (errors arrive through a handler).
    /// `XML_PARSE_NOENT` and `XML_PARSE_DTDLOAD` must never be added: libxml2 expands
    /// `file://` entities with them even when the network is off.
    static let options: Int32 = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)

    /// Initialises libxml2 once per process.
    static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    /// SAX2 handlers with libxml2's own for the prolog (the internal subset, entity
    /// declarations) and none for comments and processing instructions; the caller adds its own
    /// for the content. Handlers are called with the parser context (no user data is given),
    /// which is how events of the document are told from those of an entity's replacement text,
    /// which libxml2 parses once with a context of its own to check it (see `target(of:as:)`).
    static func saxHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        xmlSAXVersion(&handler, 2)
        handler.comment = nil
        handler.processingInstruction = nil
        return handler
    }

    /// A push parser with the safe options over `handler`, fed the document's first bytes (it
    /// is made with the first 4, from which it detects the encoding, and parses the rest). Its
    /// callbacks find `target` through `target(of:as:)`.
    static func pushParser<Target: XMLEventTarget>(handler: inout xmlSAXHandler, first: ArraySlice<UInt8>, name: String,
                                                   target: UnsafeMutablePointer<Target>) -> xmlParserCtxtPtr? {
        let head = first.prefix(4)
        let made = head.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { xmlCreatePushParserCtxt(&handler, nil, $0.baseAddress, Int32($0.count), name) }
        }
        guard let context = made else { return nil }
        xmlCtxtUseOptions(context, options)
        target.pointee.context = context
        context.pointee._private = UnsafeMutableRawPointer(target)
        parse(first.dropFirst(head.count), with: context)
        return context
    }

    /// Feeds bytes to a push parser.
    static func parse(_ bytes: ArraySlice<UInt8>, with context: xmlParserCtxtPtr, last: Bool = false) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = xmlParseChunk(context, $0.baseAddress, Int32($0.count), last ? 1 : 0) }
        }
    }

    /// Frees a push parser and the document it made for the prolog.
    static func free(_ context: xmlParserCtxtPtr) {
        if let document = context.pointee.myDoc { xmlFreeDoc(document) }
        xmlFreeParserCtxt(context)
    }

    /// The target of a callback and its parser context: nil for a context libxml2 made to check
    /// an entity's replacement text, unless `anyContext` (its errors are the document's too).
    static func target<Target: XMLEventTarget>(of context: UnsafeMutableRawPointer?, as type: Target.Type,
                                               anyContext: Bool = false) -> (target: UnsafeMutablePointer<Target>, context: xmlParserCtxtPtr)? {
        guard let context else { return nil }
        let parserContext = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let pointer = parserContext.pointee._private else { return nil }
        let target = pointer.assumingMemoryBound(to: Target.self)
        return anyContext || target.pointee.context == parserContext ? (target, parserContext) : nil
    }
}

/// The first error libxml2 reported, captured by a structured error handler.
struct XMLErrorCapture {
    var message: String?
    var line = 0
    var column = 0
    /// libxml2's error code (`xmlParserErrors`).
    var code = 0
    /// Whether the error kept is a fatal one: libxml2 stopped there. (Running out of memory, or of
    /// room in its dictionary of names, stops it without marking the document malformed.)
    var isFatal = false
    var warnings: [(message: String, line: Int)] = []

    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let capture = context.assumingMemoryBound(to: XMLErrorCapture.self)
        var text = error.pointee.message.map { String(cString: $0) }?.trimmingWhitespace() ?? "malformed XML"
        if text.hasSuffix("Huge input lookup") {
            // libxml2's words for a name, value or text too long for its limits.
            text = "a name or value longer than libxml2's limit of 10,000,000 bytes (Huge input lookup)"
        }
        if error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
            // The first error is kept, unless a fatal one follows it.
            let isFatal = error.pointee.level.rawValue >= XML_ERR_FATAL.rawValue
            if capture.pointee.message == nil || (isFatal && !capture.pointee.isFatal) {
                capture.pointee.message = text
                capture.pointee.line = Int(error.pointee.line)
                capture.pointee.column = Int(error.pointee.int2)
                capture.pointee.code = Int(error.pointee.code)
                capture.pointee.isFatal = isFatal
            }
        } else if capture.pointee.warnings.count < 20 {
            capture.pointee.warnings.append((text, Int(error.pointee.line)))
        }
    }
}

/// What a push parser's callbacks reach through its context (held by pointer, so that an event
/// costs no reference counting and no exclusivity check).
protocol XMLEventTarget {
    /// The document's parser context (events from other contexts are not the document's).
    var context: xmlParserCtxtPtr? { get set }
}
