/// Finds requirement references in a cell and gives them in the one spelling used everywhere
/// (`iso42001:2023/A.6.2.4`, `eu-ai-act:2024/Art.10(2)(f)`, `nist-ai-rmf:1.0/GOVERN 1.1`, …).
///
/// **Splitting.** A cell is split on `;`, `|` and line breaks, and on `,` when what follows the
/// comma starts a new reference (a digit, `A.5`, `ISO`, `Art`, `Annex`, `EU`, `AI Act`, `NIST`,
/// `GOVERN`/`MAP`/`MEASURE`/`MANAGE`/`GV`/`MP`/`MS`/`MG`), never inside parentheses. So
/// `Art. 10(2), (3)` stays one piece, read as `Art.10(2)` and `Art.10(3)`. Within a piece, text
/// after an identifier is a title and is ignored (`A.5.1 Policies for information security`),
/// unless it starts another reference (`A.5.1 and A.5.2`).
///
/// **Recognised forms.** `A.6.2.4`; `ISO 42001 A.6.2.4`, `ISO/IEC 42001:2023 A.6.2.4`,
/// `42001:A.5.4`, `ISO27001-2013 A.12.4.1`, `ISO 42001 Annex A.6.2.4`; clauses
/// `9001 8.5.1`, `ISO 9001:2015 clause 8.5.1`, `23894 6.4.2`; `EU AI Act Art. 10(2)(f)`,
/// `AI Act Article 14(4)(b)`, `Art 9`, `Annex III`; `GOVERN 1.1`, `GV-1.1`, `NIST AI RMF MAP 2.3`.
///
/// **Frameworks.** ISO/IEC 27001 without a year is the 2022 edition, unless the id has the
/// three-level 2013 shape (`A.12.4.1`). 27001:2017 (the EN edition) is read as 2013. Other
/// editions (`ISO 9001:2008`) give framework `iso9001:2008`, unresolved, with a warning.
///
/// **A bare Annex A id** (`A.5.2`) takes, in order: the framework named earlier in the same cell
/// if its Annex A has the id (`ISO 27001 A.5.1, A.5.2`); the column's framework; else the Annex A
/// sets that contain it (``AnnexIdentifiers``): exactly one → that framework; several →
/// `framework` nil, unresolved, with an "ambiguous reference" warning; none → unresolved with an
/// "unknown requirement" warning. **A bare clause** (`8.5.1`) takes the framework named earlier in
/// the cell, else the column's; with neither it stays unresolved with a warning (the harmonized
/// structure makes clause numbers shared by every ISO management-system standard). A bare number
/// after an EU AI Act reference is an article (`Art. 9, 10`), after a NIST one a subcategory of the
/// same function (`GOVERN 1.1, 1.2`).
///
/// **Resolution** (``RequirementReference/resolved``) checks the id against
/// ``RequirementIdentifiers``: EU AI Act articles 1–113 and annexes I–XIII (paragraphs and points
/// are not checked), the 72 NIST AI RMF subcategories and their categories, and the ISO clause,
/// Annex A objective and control lists.
///
/// Identical references in one cell are kept once, in order of first appearance. `raw` is the
/// trimmed piece of text the reference came from. A piece in which no reference is recognised
/// (`DCF-181`, a tool's own control id) is given back as written, with a warning, for the caller
/// to keep.
public struct RequirementReferenceParser: Sendable {
    /// What each piece of text seen recently gave, by its bytes and the number of the cell state
    /// it was read in (in `states`): reference lists in exports are combinations of a few pieces
    /// (`A.6.2.4`, `27001:A.5.12`), and reading a piece again costs more than looking it up.
    /// Keyed by bytes, so that a piece keeps its own spelling in `raw` when another piece is the
    /// same text in other bytes. Cleared, with `states`, before a cell when either is full (so
    /// that no state is renumbered within a cell); a piece read while it is full is not kept.
    private var pieces = ByteKeyedTable<PieceResult>(capacity: 4_096)
    /// The cell states pieces were read in, numbered: a piece's key holds its state's number.
    private var states: [CellState] = []
    private var stateNumbers: [CellState: Int] = [:]
    /// States held before they are cleared: a state holds a piece that names only a framework
    /// (`pendingPiece`), and a source can hold any number of those.
    private static let stateLimit = 1_024
    /// The column framework of the last cell and the number of the state its cells start in:
    /// a column's cells follow one another, and hashing the state for each cost more than a
    /// piece's lookup.
    private var columnStart: (column: Designation?, state: Int)?
    /// A number for each requirement the remembered pieces name, so that a cell tells whether it
    /// named a requirement already by comparing numbers, not the references' strings. Cleared
    /// with `pieces`.
    private var requirementNumbers: [RequirementReference.Requirement: Int] = [:]
    /// The numbers of the requirements the current cell names: searched one by one while few,
    /// then hashed. The parser's, emptied for each cell, so that a cell allocates none.
    private var named: [Int] = []
    private var hashedNames: Set<Int> = []

    /// The buffer of a cell's references' JSON its user was done with, for the next cell that
    /// encodes its references: a new one for every row was an allocation on every row.
    private var spareEncodingBuffer: [UInt8] = []

    /// Creates a parser.
    public init() {}

    /// Takes back the buffer of a cell's references' JSON (`ParsedCell.encodedReferences`) once
    /// it is written, to fill again for a later cell; one of more than 64 KiB is let go, so that
    /// a huge cell's buffer is not held for the rest of the input.
    mutating func reuse(encodingBuffer buffer: consuming [UInt8]) {
        if buffer.capacity <= 1 << 16 { spareEncodingBuffer = buffer }
    }

    /// What a cell holds.
    public struct ParsedCell: Sendable {
        /// The references, each once, in order.
        public var references: [RequirementReference] = []
        /// Warnings about them and about the pieces in `unrecognised`.
        public var warnings: [String] = []
        /// The pieces in which no reference was recognised, as written.
        public var unrecognised: [String] = []
        /// How many requirements the cell names (each once), also when `references` does not
        /// keep them.
        public private(set) var count = 0
        /// Whether `references` keeps the references; off for a cell whose references are only
        /// wanted as JSON (`encodedReferences`), which saves copying each one.
        var keepsReferences = true
        /// The JSON of `references` (a `refs` array as the register writes it), when it was
        /// asked for (`parseRemembering(_:columnFramework:encoding:)`), made from each piece's
        /// references encoded once.
        public internal(set) var encodedReferences: [UInt8]?
        /// Warnings about the cell past the first `warningLimit`, counted rather than kept.
        private var unlistedWarnings = 0
        /// How many warnings a cell keeps: a cell of 100,000 unknown ids would otherwise make a
        /// warning for each, held with the record (tens of megabytes) though stderr shows few.
        static let warningLimit = 20

        /// Keeps a warning, or counts it past the first `warningLimit`.
        mutating func warn(_ warning: String) {
            if warnings.count < ParsedCell.warningLimit { warnings.append(warning) } else { unlistedWarnings += 1 }
        }

        /// Keeps a piece in which no reference was recognised, with its warning.
        mutating func addUnrecognised(_ piece: String) {
            warn("no requirement reference recognised in '\(piece)'")
            unrecognised.append(piece)
        }

        /// Adds the JSON of a reference `addNew` took (when the JSON was asked for).
        mutating func addEncoded(_ json: UnsafeBufferPointer<UInt8>) {
            encodedReferences!.append(encodedReferences!.isEmpty ? UInt8(ascii: "[") : UInt8(ascii: ","))
            encodedReferences!.append(contentsOf: json)
        }

        /// Ends the cell: the warnings past the limit become one, the JSON array is closed.
        mutating func finish() {
            if encodedReferences != nil {
                if encodedReferences!.isEmpty { encodedReferences!.append(UInt8(ascii: "[")) }
                encodedReferences!.append(UInt8(ascii: "]"))
            }
            guard unlistedWarnings > 0 else { return }
            warnings.append("\(unlistedWarnings) more warnings about references in this cell")
            unlistedWarnings = 0
        }

        /// Counts a requirement the cell names (see `RequirementReferenceParser.isNew`).
        mutating func countNew() {
            count += 1
        }
    }

    /// Parses one cell. `columnFramework` is the framework the column is about, as a key
    /// (`iso27001:2013`) or as text (`ISO/IEC 27001:2013`, `27001`, `EU AI Act`); text that names
    /// no known framework is ignored.
    public func parse(_ cell: String, columnFramework: String? = nil) -> (references: [RequirementReference], warnings: [String]) {
        var fresh = RequirementReferenceParser()
        let parsed = fresh.parseRemembering(cell, columnFramework: columnFramework)
        return (parsed.references, parsed.warnings)
    }

    /// Parses one cell like `parse`, with the pieces it recognised nothing in, remembering the
    /// pieces it reads so that the same piece in a later cell is looked up instead of read again.
    public mutating func parseRemembering(_ cell: String, columnFramework: String? = nil) -> ParsedCell {
        cell.withUTF8Bytes { parseRemembering(utf8: $0, columnFramework: columnFramework, encoding: false) }
    }

    /// `parseRemembering(_:columnFramework:)` for a cell's UTF-8 bytes, with the references'
    /// JSON too when `encoding` (see `ParsedCell.encodedReferences`). With `keepingReferences`
    /// false (and `encoding`), the references are only counted and encoded, not kept in
    /// `references`.
    mutating func parseRemembering(utf8 bytes: UnsafeBufferPointer<UInt8>, columnFramework: String?, encoding: Bool,
                                   keepingReferences: Bool = true) -> ParsedCell {
        let column = columnFramework.flatMap(Self.designation(of:))
        var parsed = ParsedCell()
        parsed.keepsReferences = keepingReferences || !encoding
        if encoding {
            // Room for a typical cell's references (about 80 bytes each) at once, in the buffer
            // of a cell done with when there is one (see `reuse(encodingBuffer:)`).
            var buffer: [UInt8] = []
            swap(&buffer, &spareEncodingBuffer)
            buffer.removeAll(keepingCapacity: true)
            buffer.reserveCapacity(min(4096, 64 + bytes.count * 8))
            parsed.encodedReferences = buffer
        }
        // Room for a typical cell's references at once, rather than growing 1, 2, 4.
        if parsed.keepsReferences { parsed.references.reserveCapacity(4) }
        named.removeAll(keepingCapacity: named.count <= NamedRequirements.searchedCount)
        if !hashedNames.isEmpty { hashedNames = [] }
        if pieces.isFull || states.count >= Self.stateLimit {
            forgetPieces(keepingCapacity: true)
        }
        if columnStart == nil || columnStart!.column != column {
            columnStart = (column, number(of: CellState(column: column)))
        }
        var state = columnStart!.state
        var pieceStart = 0
        var depth = 0
        var i = 0
        let count = bytes.count
        while i <= count {
            var cut = i == count
            if !cut {
                switch bytes[i] {
                case 0x3B, 0x7C, 0x0A, 0x0D: // ; | LF CR
                    cut = true
                case 0x28: depth += 1
                case 0x29: depth = max(0, depth - 1)
                case 0x2C: // ,
                    if depth == 0 { cut = Self.startsReference(bytes, i + 1, count) }
                default: break
                }
            }
            if cut {
                readPiece(bytes, pieceStart, i, &state, &parsed)
                pieceStart = i + 1
                depth = 0
            }
            i += 1
        }
        if let pending = states[state].pendingPiece { parsed.addUnrecognised(pending) }
        parsed.finish()
        // A cell of thousands of requirements leaves nothing behind: kept, their numbers held
        // megabytes in each worker's parser for the rest of the input.
        if requirementNumbers.count >= Self.requirementLimit { forgetPieces(keepingCapacity: false) }
        return parsed
    }

    /// Forgets the pieces read, with the states and requirements they are numbered by.
    private mutating func forgetPieces(keepingCapacity: Bool) {
        pieces.removeAll(keepingCapacity: keepingCapacity)
        states.removeAll(keepingCapacity: keepingCapacity)
        stateNumbers.removeAll(keepingCapacity: keepingCapacity)
        requirementNumbers.removeAll(keepingCapacity: keepingCapacity)
        columnStart = nil
    }

    /// Requirements numbered before the numbers are cleared, with the pieces naming them, at the
    /// end of the cell that numbered the last of them (a cell numbers all of its requirements,
    /// its memory bounded by the cell's size).
    private static let requirementLimit = 16_384

    /// Whether the current cell did not name the requirement of number `requirement` yet; it
    /// has now.
    private mutating func isNew(_ requirement: Int) -> Bool {
        if named.count < NamedRequirements.searchedCount {
            guard !named.contains(requirement) else { return false }
            named.append(requirement)
            return true
        }
        if hashedNames.isEmpty { hashedNames = Set(named) }
        return hashedNames.insert(requirement).inserted
    }

    /// The number of a requirement (see `requirementNumbers`), numbering it when it is new.
    private mutating func number(of requirement: RequirementReference.Requirement) -> Int {
        if let known = requirementNumbers[requirement] { return known }
        let number = requirementNumbers.count
        requirementNumbers[requirement] = number
        return number
    }

    /// The number of a cell state in `states`, numbering it when it is new.
    private mutating func number(of state: CellState) -> Int {
        if let known = stateNumbers[state] { return known }
        stateNumbers[state] = states.count
        states.append(state)
        return states.count - 1
    }

    /// What reading a piece gave, and the number of the cell state after it. A class: a cache hit
    /// then costs one retain, not a copy of every string in its events.
    private final class PieceResult: Sendable {
        /// What the loop over a piece's events needs of each, as plain values: it reads these
        /// through one buffer, where reading an event's requirement, warning and JSON from arrays
        /// of their own retained and released an array for each.
        struct Facts {
            /// The number of the event's requirement (see `requirementNumbers`); -1 for an event
            /// that is not a reference.
            let requirement: Int
            /// Where the JSON of the event's reference is in `encoded` (empty when it was not made).
            let encoded: Range<Int>
            /// The warning of a reference event (read from here, not bound out of the event:
            /// binding it copied the reference too).
            let warning: String?
        }

        let events: [PieceEvent]
        let state: Int
        /// The facts of each event, by the event's index.
        let facts: [Facts]
        /// The JSON of the events' references back to back, when the piece was read for a cell
        /// whose references' JSON was asked for; else empty.
        let encoded: [UInt8]
        /// Whether `encoded` holds the references' JSON.
        let isEncoded: Bool

        init(events: [PieceEvent], requirements: [Int], state: Int, encoding: Bool) {
            self.events = events
            self.state = state
            isEncoded = encoding
            var json = JSONBuffer(capacity: 128)
            var facts: [Facts] = []
            facts.reserveCapacity(events.count)
            for (event, requirement) in zip(events, requirements) {
                let start = json.count
                var warning: String?
                if case .reference(let reference, let referenceWarning) = event {
                    warning = referenceWarning
                    if encoding {
                        json.startNextValue()
                        RegisterEncoding.write(reference, into: &json)
                    }
                }
                facts.append(Facts(requirement: requirement, encoded: start..<json.count, warning: warning))
            }
            self.facts = facts
            encoded = encoding ? json.bytes : []
        }

        static func encoded(_ reference: RequirementReference) -> [UInt8] {
            var json = JSONBuffer(capacity: 128)
            RegisterEncoding.write(reference, into: &json)
            return json.bytes
        }
    }

    /// Something a piece contributes to its cell, in order.
    enum PieceEvent {
        /// A reference, with the warning to report if the reference is new in the cell.
        case reference(RequirementReference, warning: String?)
        /// A warning about the piece itself.
        case warning(String)
        /// A piece in which no reference was recognised (see `ParsedCell.unrecognised`).
        case unrecognised(String)
    }

    /// Reads one piece (from the cache when it has been read in the same state before) and adds
    /// its references (each once per cell) and warnings. `state` is the cell state's number.
    private mutating func readPiece(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ state: inout Int,
                                    _ parsed: inout ParsedCell) {
        var start = start
        var end = end
        RatingParser.trim(bytes, &start, &end)
        guard start < end else { return }
        let key = UnsafeBufferPointer(rebasing: bytes[start..<end])
        let result: PieceResult
        if let known = pieces.value(for: key, tag: state) {
            result = known
        } else {
            var after = states[state]
            var events: [PieceEvent] = []
            Self.parsePiece(bytes, start, end, &after, &events)
            let requirements = events.map { event in
                guard case .reference(let reference, _) = event else { return -1 }
                return number(of: reference.requirement)
            }
            result = PieceResult(events: events, requirements: requirements, state: number(of: after),
                                 encoding: parsed.encodedReferences != nil)
            if !pieces.isFull { pieces.insert(result, for: key, tag: state) }
        }
        state = result.state
        // By index, through the buffers: a `for` loop would copy each event, retaining every
        // string of its reference, before the reference is even known to be new. A reference is
        // bound (copied) only when the cell keeps it or has no JSON of it yet.
        let encoding = parsed.encodedReferences != nil
        let encoded = encoding && result.isEncoded
        result.facts.withUnsafeBufferPointer { facts in
            result.encoded.withUnsafeBufferPointer { json in
                result.events.withUnsafeBufferPointer { events in
                    // The facts are read field by field: binding one copied its warning.
                    for index in facts.indices {
                        let requirement = facts[index].requirement
                        guard requirement >= 0 else {
                            switch events[index] {
                            case .reference: continue
                            case .warning(let warning): parsed.warn(warning)
                            case .unrecognised(let piece): parsed.addUnrecognised(piece)
                            }
                            continue
                        }
                        guard isNew(requirement) else { continue }
                        parsed.countNew()
                        if parsed.keepsReferences || (encoding && !encoded), case .reference(let reference, _) = events[index] {
                            if parsed.keepsReferences { parsed.references.append(reference) }
                            if encoding && !encoded { PieceResult.encoded(reference).withUnsafeBufferPointer { parsed.addEncoded($0) } }
                        }
                        if encoded { parsed.addEncoded(UnsafeBufferPointer(rebasing: json[facts[index].encoded])) }
                        if let warning = facts[index].warning { parsed.warn(warning) }
                    }
                }
            }
        }
    }

    /// The framework key named by a column header or a key: `ISO/IEC 27001:2013` →
    /// `iso27001:2013`, `42001` → `iso42001:2023`, `27001` → `iso27001:2022`, `EU AI Act` →
    /// `eu-ai-act:2024`. Nil when the text names no known framework.
    public static func frameworkKey(_ text: String) -> String? {
        guard let designation = designation(of: text) else { return nil }
        switch designation.standard {
        case .euAIAct: return "eu-ai-act:2024"
        case .nist: return "nist-ai-rmf:1.0"
        default: return isoKey(designation, threeLevelAnnex: false).key
        }
    }

    // MARK: Frameworks

    enum Standard: Sendable, Hashable {
        case iso42001, iso27001, iso9001, iso23894, euAIAct, nist
    }

    struct Designation: Sendable, Hashable {
        var standard: Standard
        /// The edition year as written; nil when not given.
        var year: Int?
        /// For NIST, the function a bare `1.2` continues (`GOVERN`).
        var function: String?

        var isISO: Bool {
            switch standard {
            case .iso42001, .iso27001, .iso9001, .iso23894: return true
            case .euAIAct, .nist: return false
            }
        }
    }

    static let knownKeys: [String: Designation] = [
        "iso42001:2023": Designation(standard: .iso42001, year: 2023),
        "iso27001:2022": Designation(standard: .iso27001, year: 2022),
        "iso27001:2013": Designation(standard: .iso27001, year: 2013),
        "iso9001:2015": Designation(standard: .iso9001, year: 2015),
        "iso23894:2023": Designation(standard: .iso23894, year: 2023),
        "eu-ai-act:2024": Designation(standard: .euAIAct),
        "nist-ai-rmf:1.0": Designation(standard: .nist),
    ]

    /// The designation a column header names: a known key, or the first framework designator at
    /// the start of a word.
    static func designation(of text: String) -> Designation? {
        if let known = knownKeys[text] { return known }
        return text.withUTF8Bytes { bytes -> Designation? in
            var i = 0
            while i < bytes.count {
                if i == 0 || !Scan.isAlnum(bytes[i - 1]) {
                    var scan = Scan(bytes: bytes, i: i, end: bytes.count)
                    if case .known(let designation) = scan.designation(bareNumbers: true) {
                        return designation
                    }
                }
                i += 1
            }
            return nil
        }
    }

    /// The key of an ISO designation, and whether the edition is one this type knows.
    static func isoKey(_ designation: Designation, threeLevelAnnex: Bool) -> (key: String, supported: Bool) {
        let year = designation.year
        switch designation.standard {
        case .iso42001:
            return year == nil || year == 2023 ? ("iso42001:2023", true) : ("iso42001:\(year!)", false)
        case .iso27001:
            switch year {
            case nil: return threeLevelAnnex ? ("iso27001:2013", true) : ("iso27001:2022", true)
            case 2022: return ("iso27001:2022", true)
            case 2013, 2017: return ("iso27001:2013", true)
            default: return ("iso27001:\(year!)", false)
            }
        case .iso9001:
            return year == nil || year == 2015 ? ("iso9001:2015", true) : ("iso9001:\(year!)", false)
        case .iso23894:
            return year == nil || year == 2023 ? ("iso23894:2023", true) : ("iso23894:\(year!)", false)
        case .euAIAct:
            return ("eu-ai-act:2024", true)
        case .nist:
            return ("nist-ai-rmf:1.0", true)
        }
    }

    static let displayNames: [String: String] = [
        "iso42001:2023": "ISO/IEC 42001:2023",
        "iso27001:2022": "ISO/IEC 27001:2022",
        "iso27001:2013": "ISO/IEC 27001:2013",
    ]

    // MARK: Pieces

    struct CellState: Hashable {
        var column: Designation?
        /// The framework named most recently in this cell.
        var context: Designation?
        /// A piece that only names a framework (`EU AI Act, Art. 9`): dropped when the next piece
        /// gives a reference, else unrecognised.
        var pendingPiece: String?

        /// Equal when their pending pieces are the same bytes, not only the same text: a pending
        /// piece is given back as written.
        static func == (lhs: CellState, rhs: CellState) -> Bool {
            guard lhs.column == rhs.column, lhs.context == rhs.context else { return false }
            switch (lhs.pendingPiece, rhs.pendingPiece) {
            case (nil, nil): return true
            case let (left?, right?): return left.utf8.elementsEqual(right.utf8)
            default: return false
            }
        }

        // Strings of the same bytes are the same text, so `String`'s hash agrees with `==`.
        func hash(into hasher: inout Hasher) {
            hasher.combine(column)
            hasher.combine(context)
            hasher.combine(pendingPiece)
        }
    }

    enum Parsed {
        /// `A.6.2.4` (or an ISO/IEC 23894 annex clause `B.3`), with its number of levels.
        case annexA(String, levels: Int)
        case clause(String)
        case article(String)
        case annexEU(String)
        case nist(String, function: String)
    }

    /// Parses one piece of a cell and appends what it finds.
    static func parsePiece(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ state: inout CellState,
                           _ events: inout [PieceEvent]) {
        var start = start
        var end = end
        RatingParser.trim(bytes, &start, &end)
        guard start < end else { return }
        let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        var scan = Scan(bytes: bytes, i: start, end: end)
        // `(A.6.2.4)`, `[Art. 9]`.
        if scan.accept(byte: 0x28) || scan.accept(byte: 0x5B) { scan.skipSpaces() }
        var found = false
        var onlyDesignation = false
        while true {
            var designation: Designation?
            switch scan.designation(bareNumbers: false) {
            case .unknownStandard:
                // `ISO 27002 8.15`: a standard this parser does not know; nothing to read here.
                designation = nil
            case .known(let d):
                designation = d
                state.context = d
            case .none:
                designation = nil
            }
            if case .unknownStandard = scan.lastOutcome { break }
            scan.skipAfterDesignator()
            let numbersAs = designation ?? state.context ?? state.column
            guard let parsed = scan.identifier(numbersAs: numbersAs) else {
                onlyDesignation = !found && designation != nil && scan.atEnd
                break
            }
            found = true
            if designation == nil, let after = scan.trailingDesignation() {
                // `Clause 6.1.2 (ISO 42001)`.
                designation = after
                state.context = after
            }
            switch parsed.0 {
            case .article, .annexEU:
                if designation == nil { state.context = Designation(standard: .euAIAct) }
            case .nist(_, let function):
                state.context = Designation(standard: .nist, function: function)
            default:
                break
            }
            func add(_ item: Parsed) {
                let (reference, warning) = resolve(item, designation: designation, state: state, raw: raw)
                events.append(.reference(reference, warning: warning))
            }
            add(parsed.0)
            for sibling in parsed.1 { add(sibling) }
            guard scan.continuation() else { break }
        }
        if found {
            state.pendingPiece = nil
        } else {
            if let pending = state.pendingPiece {
                events.append(.unrecognised(pending))
                state.pendingPiece = nil
            }
            if onlyDesignation {
                state.pendingPiece = raw
            } else {
                events.append(.unrecognised(raw))
            }
        }
    }

    /// Gives a parsed identifier its framework and checks that it exists there.
    static func resolve(_ parsed: Parsed, designation: Designation?, state: CellState, raw: String) -> (RequirementReference, String?) {
        func checked(_ key: String, _ id: String, supported: Bool = true) -> (RequirementReference, String?) {
            if !supported {
                return (RequirementReference(framework: key, id: id, raw: raw, resolved: false),
                        "unsupported edition '\(key)' in '\(raw)'; known: \(RequirementIdentifiers.frameworkKeys.joined(separator: ", "))")
            }
            if RequirementIdentifiers.contains(framework: key, id: id) {
                return (RequirementReference(framework: key, id: id, raw: raw, resolved: true), nil)
            }
            let hint = RequirementIdentifiers.nearest(to: id, framework: key).map { "; nearest: \($0)" } ?? ""
            return (RequirementReference(framework: key, id: id, raw: raw, resolved: false), "\(id) is not in \(key)\(hint)")
        }
        switch parsed {
        case .article(let id), .annexEU(let id):
            return checked("eu-ai-act:2024", id)
        case .nist(let id, _):
            return checked("nist-ai-rmf:1.0", id)
        case .clause(let id):
            if let d = designation ?? state.context ?? state.column, d.isISO {
                let (key, supported) = isoKey(d, threeLevelAnnex: false)
                return checked(key, id, supported: supported)
            }
            return (RequirementReference(framework: nil, id: id, raw: raw, resolved: false),
                    "clause '\(id)' names no framework; name the framework in the column header or the cell")
        case .annexA(let id, let levels):
            if let d = designation, d.isISO {
                let (key, supported) = isoKey(d, threeLevelAnnex: levels == 4)
                return checked(key, id, supported: supported)
            }
            if let d = state.context, d.isISO {
                let (key, supported) = isoKey(d, threeLevelAnnex: levels == 4)
                if supported && RequirementIdentifiers.contains(framework: key, id: id) {
                    return checked(key, id)
                }
            }
            if let d = state.column, d.isISO {
                let (key, supported) = isoKey(d, threeLevelAnnex: levels == 4)
                return checked(key, id, supported: supported)
            }
            let keys = AnnexIdentifiers.frameworks(containing: id)
            switch keys.count {
            case 1:
                return (RequirementReference(framework: keys[0], id: id, raw: raw, resolved: true), nil)
            case 0:
                if let d = state.context, d.isISO {
                    let (key, supported) = isoKey(d, threeLevelAnnex: levels == 4)
                    return checked(key, id, supported: supported)
                }
                return (RequirementReference(framework: nil, id: id, raw: raw, resolved: false),
                        "unknown requirement '\(id)': not in the Annex A of ISO/IEC 42001:2023, ISO/IEC 27001:2022 or ISO/IEC 27001:2013")
            default:
                let names = keys.map { displayNames[$0] ?? $0 }.joined(separator: " or ")
                return (RequirementReference(framework: nil, id: id, raw: raw, resolved: false),
                        "ambiguous reference '\(id)': \(names); name the framework in the column header or the cell")
            }
        }
    }

    /// Whether a reference starts at `i` (after optional spaces): used to split on commas.
    static func startsReference(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        var scan = Scan(bytes: bytes, i: i, end: end)
        scan.skipSpaces()
        return scan.atReferenceStart(allowNumber: true)
    }

    // MARK: Scanning

    enum DesignationOutcome {
        case none
        case known(Designation)
        /// `ISO 27002`, `ISO 31000`: a standard this parser does not know.
        case unknownStandard
    }

    struct Scan {
        let bytes: UnsafeBufferPointer<UInt8>
        var i: Int
        let end: Int
        var lastOutcome: DesignationOutcome = .none

        init(bytes: UnsafeBufferPointer<UInt8>, i: Int, end: Int) {
            self.bytes = bytes
            self.i = i
            self.end = end
        }

        static func isAlnum(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
        }

        var atEnd: Bool { i >= end }
        func byte(_ at: Int) -> UInt8 { at < end ? bytes[at] : 0 }
        func isDigit(_ at: Int) -> Bool { at < end && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
        func isLetter(_ at: Int) -> Bool {
            guard at < end else { return false }
            let b = bytes[at] | 0x20
            return b >= 0x61 && b <= 0x7A
        }
        func isAlnum(_ at: Int) -> Bool { at < end && Scan.isAlnum(bytes[at]) }

        /// Whether the ASCII lowercase `word` is at `at`, case-insensitively; when `bounded`, not
        /// followed by a letter.
        func matches(_ word: StaticString, at: Int, bounded: Bool = true) -> Bool {
            let count = word.utf8CodeUnitCount
            guard at + count <= end else { return false }
            let p = word.utf8Start
            for k in 0..<count {
                let b = bytes[at + k]
                let lower = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
                if lower != p[k] { return false }
            }
            return !bounded || !isLetter(at + count)
        }

        /// Consumes `word` at the cursor if it is there.
        mutating func accept(_ word: StaticString, bounded: Bool = true) -> Bool {
            if matches(word, at: i, bounded: bounded) {
                i += word.utf8CodeUnitCount
                return true
            }
            return false
        }

        mutating func accept(byte: UInt8) -> Bool {
            if i < end && bytes[i] == byte {
                i += 1
                return true
            }
            return false
        }

        mutating func skipSpaces() {
            while i < end {
                if bytes[i] == 0x20 || bytes[i] == 0x09 {
                    i += 1
                } else if bytes[i] == 0xC2 && byte(i + 1) == 0xA0 {
                    i += 2
                } else {
                    break
                }
            }
        }

        /// Skips spaces, `-`, `_` and en/em dashes.
        mutating func skipJoiners() {
            while i < end {
                let b = bytes[i]
                if b == 0x20 || b == 0x09 || b == 0x2D || b == 0x5F {
                    i += 1
                } else if b == 0xE2 && byte(i + 1) == 0x80 && (byte(i + 2) == 0x93 || byte(i + 2) == 0x94) {
                    i += 3
                } else if b == 0xC2 && byte(i + 1) == 0xA0 {
                    i += 2
                } else {
                    break
                }
            }
        }

        /// Reads digits (at most 6): value and length.
        mutating func number() -> (value: Int, length: Int)? {
            let start = i
            var value = 0
            while isDigit(i) {
                if i - start >= 6 { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            return i > start ? (value, i - start) : nil
        }

        // MARK: Designators

        /// Reads a framework designator at the cursor (`ISO/IEC 42001:2023`, `27001`, `EU AI Act`,
        /// `NIST AI RMF`). A bare standard number (`9001`) counts only when followed by something
        /// (`9001 8.5.1`) or when `bareNumbers` is set (headers).
        mutating func designation(bareNumbers: Bool) -> DesignationOutcome {
            let outcome = readDesignation(bareNumbers: bareNumbers)
            lastOutcome = outcome
            return outcome
        }

        private mutating func readDesignation(bareNumbers: Bool) -> DesignationOutcome {
            let save = i
            var sawISO = false
            if accept("iso", bounded: false) {
                sawISO = true
                let afterISO = i
                if accept(byte: 0x2F) || accept(byte: 0x2D) || accept(byte: 0x20) {
                    if !accept("iec", bounded: false) { i = afterISO }
                }
                skipSpaces()
                if isLetter(i) {
                    // `ISOxyz`: not a designator.
                    i = save
                    return .none
                }
            }
            if isDigit(i) {
                guard let n = number() else { i = save; return .none }
                let standard: Standard?
                switch (n.value, n.length) {
                case (42001, 5): standard = .iso42001
                case (27001, 5): standard = .iso27001
                case (9001, 4): standard = .iso9001
                case (23894, 5): standard = .iso23894
                default: standard = nil
                }
                guard let standard, !(byte(i) == 0x2E && isDigit(i + 1)) else {
                    if sawISO { return .unknownStandard }
                    i = save
                    return .none
                }
                if !sawISO {
                    // A bare `9001` must be followed by a separator and more, unless in a header.
                    let next = byte(i)
                    let followed = next == 0x3A || next == 0x2D || next == 0x20 || next == 0x28 || next == 0x2F
                    if !(followed || (bareNumbers && !isAlnum(i))) {
                        i = save
                        return .none
                    }
                }
                var designation = Designation(standard: standard)
                // Edition: `:2023`, `-2013`, `/2013`, ` (2013)`, `(2013)`.
                let afterNumber = i
                if accept(byte: 0x3A) || accept(byte: 0x2D) || accept(byte: 0x2F) {
                    skipSpaces()
                    if let year = number(), year.length == 4, !(byte(i) == 0x2E && isDigit(i + 1)) {
                        designation.year = year.value
                    } else {
                        i = afterNumber
                    }
                } else {
                    skipSpaces()
                    if accept(byte: 0x28), let year = number(), year.length == 4, accept(byte: 0x29) {
                        designation.year = year.value
                    } else {
                        i = afterNumber
                    }
                }
                return .known(designation)
            }
            if sawISO { return .unknownStandard }
            // EU AI Act.
            if matches("eu", at: i, bounded: false), !isLetter(i + 2) || matches("euaia", at: i) {
                let afterEU = i
                i += 2
                skipJoiners()
                if acceptAIAct() { return .known(euDesignation()) }
                i = afterEU
            }
            if acceptAIAct() { return .known(euDesignation()) }
            // NIST AI RMF.
            if accept("nist") {
                let afterNIST = i
                skipJoiners()
                if !acceptRMF() { i = afterNIST }
                return .known(nistDesignation())
            }
            if acceptRMF() { return .known(nistDesignation()) }
            i = save
            return .none
        }

        /// `AI Act`, `AI-Act`, `AIA` (and `EUAIA` handled by the caller).
        private mutating func acceptAIAct() -> Bool {
            let save = i
            if accept("aia") { return true }
            if accept("ai", bounded: false) {
                skipJoiners()
                if accept("act") { return true }
            }
            if accept("euaia") { return true }
            i = save
            return false
        }

        /// `AI RMF`, `AI-RMF`, `RMF`.
        private mutating func acceptRMF() -> Bool {
            let save = i
            if accept("ai", bounded: false) {
                skipJoiners()
                if accept("rmf") { return true }
                i = save
                return false
            }
            return accept("rmf")
        }

        /// An EU AI Act designator may carry the regulation's year: `:2024`, ` 2024`, `(EU) 2024/1689`.
        private mutating func euDesignation() -> Designation {
            let save = i
            if accept(byte: 0x3A), number()?.length == 4 {} else { i = save }
            return Designation(standard: .euAIAct)
        }

        /// A NIST designator may carry the version: `:1.0`, ` 1.0`.
        private mutating func nistDesignation() -> Designation {
            let save = i
            if accept(byte: 0x3A), number() != nil, accept(byte: 0x2E), number() != nil {} else { i = save }
            return Designation(standard: .nist)
        }

        /// Skips what joins a designator to its identifier: spaces, `:`, `-`, `,`, dashes and filler
        /// words (`clause`, `cl.`, `section`, `§`, `control`).
        mutating func skipAfterDesignator() {
            while i < end {
                let before = i
                skipJoiners()
                if accept(byte: 0x3A) || accept(byte: 0x2C) || accept(byte: 0x2F) { continue }
                if byte(i) == 0xC2 && byte(i + 1) == 0xA7 { i += 2; continue } // §
                if accept("clauses") || accept("clause") || accept("cl") || accept("section") || accept("sec")
                    || accept("control") || accept("ctrl") {
                    _ = accept(byte: 0x2E)
                    continue
                }
                if i == before { break }
            }
        }

        /// Whether a reference starts at the cursor (after a comma or `and`).
        func atReferenceStart(allowNumber: Bool) -> Bool {
            if isDigit(i) { return allowNumber }
            let b = byte(i) | 0x20
            switch b {
            case 0x61: // a
                if byte(i + 1) == 0x2E && isDigit(i + 2) { return true }
                if isDigit(i + 1) { return true }
                if byte(i + 1) == 0x20 && isDigit(i + 2) { return true }
                if matches("art", at: i) || matches("arts", at: i) || matches("article", at: i) || matches("annex", at: i) {
                    return true
                }
                if matches("ai", at: i) || matches("aia", at: i) { return true }
                return false
            case 0x69: // i
                return matches("iso", at: i, bounded: false)
            case 0x65: // e
                return matches("eu", at: i)
            case 0x6E: // n
                return matches("nist", at: i)
            case 0x67: // g
                return matches("govern", at: i) || matches("gv", at: i, bounded: true)
            case 0x6D: // m
                return matches("map", at: i) || matches("measure", at: i) || matches("manage", at: i)
                    || matches("mp", at: i) || matches("ms", at: i) || matches("mg", at: i)
            default:
                return false
            }
        }

        // MARK: Identifiers

        /// Reads an identifier at the cursor, and for an EU article the siblings written as
        /// `, (3)` after it. `numbersAs` says what a bare number is (an article after an EU AI Act
        /// designator, a NIST subcategory after a NIST one, else a clause).
        mutating func identifier(numbersAs: Designation?) -> (Parsed, [Parsed])? {
            let save = i
            guard let parsed = readIdentifier(numbersAs: numbersAs) else {
                i = save
                return nil
            }
            // The identifier must end at a word boundary.
            if isAlnum(i) || (byte(i) == 0x2E && isDigit(i + 1)) {
                i = save
                return nil
            }
            var siblings: [Parsed] = []
            if case .article(let id) = parsed, let open = id.utf8.lastIndex(of: 0x28) {
                // `Art. 10(2), (3)` / `Art. 10(2) and (3)`: replace the last group.
                let base = String(id[..<open])
                while true {
                    let back = i
                    skipSpaces()
                    if !(accept(byte: 0x2C) || accept("and") || accept(byte: 0x26)) { i = back; break }
                    skipSpaces()
                    guard byte(i) == 0x28, let group = groups(max: 1), !group.isEmpty else { i = back; break }
                    siblings.append(.article(base + group))
                }
            }
            return (parsed, siblings)
        }

        private mutating func readIdentifier(numbersAs: Designation?) -> Parsed? {
            // EU AI Act articles.
            if accept("article") || accept("arts") || accept("art") {
                _ = accept(byte: 0x2E)
                skipSpaces()
                return article()
            }
            // Annexes: EU Roman numerals, or ISO `Annex A.6.2.4`.
            if accept("annex") || accept("anx") {
                _ = accept(byte: 0x2E)
                skipSpaces()
                let start = i
                var numeral: [UInt8] = []
                while i < end, numeral.count < 5 {
                    let b = bytes[i] & ~0x20
                    guard b == 0x49 || b == 0x56 || b == 0x58 else { break } // I V X
                    numeral.append(b)
                    i += 1
                }
                if !numeral.isEmpty && !isLetter(i) {
                    let extra = groups(max: 3) ?? ""
                    return .annexEU("Annex." + String(decoding: numeral, as: UTF8.self) + extra)
                }
                i = start
            }
            // Annex A (and ISO/IEC 23894 annexes B and C).
            let letter = byte(i) & ~0x20
            if letter == 0x41 || ((letter == 0x42 || letter == 0x43) && numbersAs?.standard == .iso23894) {
                let afterLetter = i + 1
                var j = afterLetter
                if byte(j) == 0x2E || byte(j) == 0x20 { j += 1 }
                if isDigit(j) {
                    i = j
                    if let (components, levels) = dotted(prefix: letter) {
                        return .annexA(components, levels: levels)
                    }
                }
                i = afterLetter - 1
            }
            // NIST AI RMF functions.
            if let function = acceptFunction() {
                if byte(i) == 0x2D || byte(i) == 0x20 { i += 1 }
                skipSpaces()
                return nist(function: function)
            }
            guard isDigit(i) else { return nil }
            switch numbersAs?.standard {
            case .euAIAct:
                return article()
            case .nist:
                guard let function = numbersAs?.function else { return nil }
                return nist(function: function)
            default:
                // A lone number is a clause only when the framework is known (`6` in a 42001
                // column); without one, only a dotted number (`8.5.1`) is taken for a clause.
                guard let (id, levels) = dotted(prefix: nil), levels > 1 || numbersAs?.isISO == true else { return nil }
                return .clause(id)
            }
        }

        private mutating func acceptFunction() -> String? {
            if accept("govern") || accept("gv", bounded: true) { return "GOVERN" }
            if accept("measure") || accept("ms", bounded: true) { return "MEASURE" }
            if accept("manage") || accept("mg", bounded: true) { return "MANAGE" }
            if accept("map") || accept("mp", bounded: true) { return "MAP" }
            return nil
        }

        private mutating func nist(function: String) -> Parsed? {
            guard let category = number(), category.length <= 2 else { return nil }
            var id = function + " " + String(category.value)
            if byte(i) == 0x2E && isDigit(i + 1) {
                i += 1
                guard let sub = number(), sub.length <= 2 else { return nil }
                id += "." + String(sub.value)
            }
            return .nist(id, function: function)
        }

        private mutating func article() -> Parsed? {
            guard let n = number(), n.length <= 3 else { return nil }
            return .article("Art." + String(n.value) + (groups(max: 4) ?? ""))
        }

        /// Reads up to `max` groups `(2)`, `(f)`, `(iii)` (spaces allowed before each), lowercased.
        private mutating func groups(max: Int) -> String? {
            var out: [UInt8] = []
            var count = 0
            while count < max {
                let back = i
                skipSpaces()
                guard accept(byte: 0x28) else { i = back; break }
                let start = i
                while isAlnum(i) && i - start < 4 { i += 1 }
                guard i > start, accept(byte: 0x29) else { i = back; break }
                out.append(0x28)
                for k in start..<(i - 1) {
                    let b = bytes[k]
                    out.append((b >= 0x41 && b <= 0x5A) ? b | 0x20 : b)
                }
                out.append(0x29)
                count += 1
            }
            return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
        }

        /// Reads `n(.n)*` (leading zeros dropped), prefixed with `A.` when `prefix` is given.
        /// Returns the id and its number of levels counting the prefix.
        private mutating func dotted(prefix: UInt8?) -> (String, Int)? {
            var out: [UInt8] = []
            out.reserveCapacity(12)
            var levels = 0
            if let prefix {
                out.append(prefix)
                levels = 1
            }
            while levels < 6 {
                guard let n = number(), n.length <= 3 else { return nil }
                if !out.isEmpty { out.append(0x2E) }
                appendDecimal(n.value, to: &out)
                levels += 1
                guard byte(i) == 0x2E, isDigit(i + 1) else { break }
                i += 1
            }
            return (String(decoding: out, as: UTF8.self), levels)
        }

        private func appendDecimal(_ value: Int, to out: inout [UInt8]) {
            if value >= 100 { out.append(UInt8(0x30 + value / 100)) }
            if value >= 10 { out.append(UInt8(0x30 + value / 10 % 10)) }
            out.append(UInt8(0x30 + value % 10))
        }

        /// `(ISO 42001)` right after an identifier: the framework it names, consumed.
        mutating func trailingDesignation() -> Designation? {
            let back = i
            skipSpaces()
            if accept(byte: 0x28) {
                skipSpaces()
                if case .known(let designation) = self.designation(bareNumbers: true) {
                    skipSpaces()
                    if accept(byte: 0x29) { return designation }
                }
            }
            i = back
            return nil
        }

        /// After an identifier: whether another reference follows in the same piece
        /// (`A.5.1 and A.5.2`, `A.5.1 & A.5.2`, `A.5.1 A.5.2`). Consumes the joiner when it does.
        mutating func continuation() -> Bool {
            let back = i
            skipSpaces()
            if accept("and") || accept(byte: 0x26) || accept(byte: 0x2B) || accept(byte: 0x2F) || accept(byte: 0x2C) {
                skipSpaces()
            }
            if i > back && atReferenceStart(allowNumber: false) { return true }
            i = back
            return false
        }
    }
}
