/// Writes JSON laid out exactly as Foundation's `JSONEncoder` lays out the JSON reports
/// (`.prettyPrinted`, `.sortedKeys`, `.withoutEscapingSlashes`): two spaces an indent,
/// `"key" : value`, a container's items each on a line of their own, an empty one as its opening
/// line, a blank line and its closing line. The caller writes members in sorted key order and
/// leaves absent optionals out, as the encoder does.
///
/// Written by hand for the rows of `risks.json`, the one part of a JSON report that grows with
/// the register: the encoder took about 35 µs a row, a quarter of a 100,000-risk report set in
/// JSON. The rest of each report is still encoded by `JSONEncoder`; a test holds the two to the
/// same bytes.
struct PrettyJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// The indent of the current line, in levels.
    private var level: Int
    /// Whether the innermost open container has an item already.
    private var hasItem = false
    private var outerHasItem: [Bool] = []

    /// A writer whose first value starts `level` levels in (its first line indented, as a
    /// member of an array at that depth).
    init(level: Int) {
        self.level = level
        bytes.reserveCapacity(2048)
        indent()
    }

    /// Opens an object.
    mutating func openObject() { open(UInt8(ascii: "{")) }

    /// Closes the innermost object.
    mutating func closeObject() { close(UInt8(ascii: "}")) }

    /// Opens an array.
    mutating func openArray() { open(UInt8(ascii: "[")) }

    /// Closes the innermost array.
    mutating func closeArray() { close(UInt8(ascii: "]")) }

    /// Starts an array item: follow it with its value.
    mutating func item() {
        if hasItem { put(",\n") }
        hasItem = true
        indent()
    }

    /// Starts a member of an object: follow it with its value. Keys are the program's own ASCII
    /// names, written as they are.
    mutating func key(_ name: StaticString) {
        item()
        bytes.append(UInt8(ascii: "\""))
        put(name)
        put("\" : ")
    }

    /// A member holding `value`, left out when it is nil.
    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    /// A member holding `value`, left out when it is nil.
    mutating func member(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A member holding `value`.
    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        put(value ? "true" : "false")
    }

    /// Writes a string value, escaped as the encoder escapes it: `"` and `\`, the controls with
    /// a short escape (`\n`, `\r`, `\t`, `\b`, `\f`) by it, the other controls as `\u00XX`;
    /// everything else (`/`, DEL, any other character) as it is.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8Bytes { utf8 in
            // Runs of plain text are appended whole (byte by byte, they were a twentieth of a JSON
            // report set).
            JSONEscapes.forEachRun(utf8, plain: { bytes.append(contentsOf: $0) }, escaped: { byte in
                switch byte {
                case UInt8(ascii: "\""): put(#"\""#)
                case UInt8(ascii: "\\"): put(#"\\"#)
                case 0x0A: put(#"\n"#)
                case 0x0D: put(#"\r"#)
                case 0x09: put(#"\t"#)
                case 0x08: put(#"\b"#)
                case 0x0C: put(#"\f"#)
                default:
                    put(#"\u00"#)
                    bytes.append(PrettyJSONWriter.hexDigits[Int(byte >> 4)])
                    bytes.append(PrettyJSONWriter.hexDigits[Int(byte & 0xF)])
                }
            })
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        bytes.append(0x0A)
        outerHasItem.append(hasItem)
        hasItem = false
        level += 1
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(0x0A)
        level -= 1
        indent()
        bytes.append(bracket)
        hasItem = outerHasItem.removeLast()
    }

    private mutating func indent() {
        var width = level * 2
        while width > 0 {
            let run = min(width, PrettyJSONWriter.spaces.count)
            bytes.append(contentsOf: PrettyJSONWriter.spaces[..<run])
            width -= run
        }
    }

    /// Spaces to indent with, a line's worth at a time. (Appended two at a time, and the
    /// literals as `String.UTF8View`s rather than from their static text, writing the rows of
    /// `risks.json` for 5,000 risks took 439 million instructions rather than 203.)
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    /// Appends the program's own ASCII text.
    private mutating func put(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension PrettyJSONWriter {
    /// Writes a risk row as the encoder would, its members in sorted key order.
    mutating func write(_ row: RiskRow) {
        openObject()
        member("category", row.category)
        member("due", row.due)
        key("euAIAct")
        write(row.euAIAct)
        member("id", row.id)
        key("inherent")
        write(row.inherent)
        key("iso23894")
        write(row.iso23894)
        member("overdue", row.overdue)
        member("owner", row.owner)
        member("plan", row.plan)
        key("residual")
        write(row.residual)
        member("source", row.source)
        member("status", row.status)
        key("systems")
        write(row.systems)
        member("title", row.title)
        member("treatment", row.treatment)
        member("treatmentOwner", row.treatmentOwner)
        closeObject()
    }

    private mutating func write(_ rating: RiskRating) {
        openObject()
        member("impact", rating.impact)
        member("impactCell", rating.impactCell)
        member("level", rating.level)
        member("likelihood", rating.likelihood)
        member("likelihoodCell", rating.likelihoodCell)
        member("score", rating.score)
        closeObject()
    }

    private mutating func write(_ links: [ReportLink]) {
        openArray()
        for link in links {
            item()
            openObject()
            member("id", link.id)
            member("kind", link.kind)
            member("note", link.note)
            member("relationship", link.relationship)
            member("source", link.source)
            member("title", link.title)
            member("via", link.via)
            closeObject()
        }
        closeArray()
    }
}
