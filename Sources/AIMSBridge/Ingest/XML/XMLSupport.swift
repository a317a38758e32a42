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

    /// The text of a libxml2 string (nil stays nil).
    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

/// The first error libxml2 reported, captured by a structured error handler.
struct XMLErrorCapture {
    var message: String?
    var line = 0
    var column = 0
    /// libxml2's error code (`xmlParserErrors`).
    var code = 0
    var warnings: [(message: String, line: Int)] = []

    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let capture = context.assumingMemoryBound(to: XMLErrorCapture.self)
        let text = error.pointee.message.map { String(cString: $0) }?.trimmingWhitespace() ?? "malformed XML"
        if error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
            if capture.pointee.message == nil {
                capture.pointee.message = text
                capture.pointee.line = Int(error.pointee.line)
                capture.pointee.column = Int(error.pointee.int2)
                capture.pointee.code = Int(error.pointee.code)
            }
        } else if capture.pointee.warnings.count < 20 {
            capture.pointee.warnings.append((text, Int(error.pointee.line)))
        }
    }
}
