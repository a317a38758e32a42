/// A requirement's identity in one spelling everywhere: `iso42001:2023/A.6.2.4`.
public struct RequirementKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The framework key (`iso42001:2023`).
    public var framework: String { didSet { hash = RequirementKey.hash(framework, id) } }
    /// The id within the framework (`A.6.2.4`, `Art.10(2)(f)`, `GOVERN 1.1`).
    public var id: String { didSet { hash = RequirementKey.hash(framework, id) } }
    /// The two texts' hash, made once: reports look each risk's keys up in the index's tables
    /// hundreds of times, and hashing both strings every time was a fifth of a report run.
    private var hash: Int

    /// Creates a key.
    public init(framework: String, id: String) {
        self.framework = framework
        self.id = id
        hash = RequirementKey.hash(framework, id)
    }

    /// Parses `framework/id`; nil when there is no `/`.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let framework = String(text[..<slash])
        let id = String(text[text.index(after: slash)...])
        guard !framework.isEmpty, !id.isEmpty else { return nil }
        self.init(framework: framework, id: id)
    }

    private static func hash(_ framework: String, _ id: String) -> Int {
        var hasher = Hasher()
        hasher.combine(framework)
        hasher.combine(id)
        return hasher.finalize()
    }

    public static func == (lhs: RequirementKey, rhs: RequirementKey) -> Bool {
        lhs.hash == rhs.hash && lhs.framework == rhs.framework && lhs.id == rhs.id
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    /// `framework/id`.
    public var description: String { "\(framework)/\(id)" }

    public static func < (lhs: RequirementKey, rhs: RequirementKey) -> Bool {
        // The ids' sort keys are made only when they are needed: reports and merges sort
        // thousands of mapped requirements, most of them told apart by their framework.
        if lhs.framework != rhs.framework { return lhs.framework < rhs.framework }
        return lhs.id != rhs.id && RequirementKey.sortKey(lhs.id) < RequirementKey.sortKey(rhs.id)
    }

    /// Orders ids the way people read them: `A.5.9` before `A.5.10`, `Art.9` before `Art.10`
    /// (numbers are zero-padded, so plain string order does the rest).
    static func sortKey(_ id: String) -> String {
        guard id.utf8.allSatisfy({ $0 < 0x80 }) else { return sortKey(characters: id) }
        // ASCII (every catalog id): byte by byte, each byte being a character of its own, with
        // the same result as going by characters at a fraction of the cost.
        var key: [UInt8] = []
        key.reserveCapacity(id.utf8.count + 8)
        var digits = 0
        func padNumber() {
            if digits < 6 { key.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: 6 - digits), at: key.count - digits) }
            digits = 0
        }
        for byte in id.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
            } else if digits > 0 {
                padNumber()
            }
            key.append(byte)
        }
        if digits > 0 { padNumber() }
        return String(decoding: key, as: UTF8.self)
    }

    /// `sortKey(_:)` of any text, going by characters.
    private static func sortKey(characters id: String) -> String {
        var parts: [String] = []
        var current = ""
        var inNumber = false
        for character in id {
            let isDigit = character.isASCII && character.isNumber
            if isDigit != inNumber && !current.isEmpty {
                parts.append(inNumber ? String(repeating: "0", count: max(0, 6 - current.count)) + current : current)
                current = ""
            }
            inNumber = isDigit
            current.append(character)
        }
        if !current.isEmpty {
            parts.append(inNumber ? String(repeating: "0", count: max(0, 6 - current.count)) + current : current)
        }
        return parts.joined()
    }
}

/// One requirement of a framework catalog: its id and short title (never the text of an ISO
/// standard).
public struct CatalogRequirement: Sendable, Hashable {
    /// The id within the framework.
    public var id: String
    /// A short title.
    public var title: String
    /// `clause`, `subclause`, `objective`, `control`, `article`, `paragraph`, `annex`,
    /// `function`, `category` or `subcategory`.
    public var kind: String
    /// The id of the containing requirement, if any.
    public var parent: String?
    /// Public-domain or freely reusable text (NIST, EU AI Act), when the catalog carries it.
    public var text: String?
    /// The chapter the requirement belongs to, for frameworks whose top level is flat (the EU AI
    /// Act's articles: `III`).
    public var chapter: String? = nil
    /// Where it is defined.
    public var locator: Locator
}

/// A framework version's identifiers and short titles, loaded from `Mappings/frameworks/`.
public struct FrameworkCatalog: Sendable {
    /// The framework key (`iso42001:2023`).
    public var framework: String
    /// The standard's short name.
    public var title: String
    /// Who publishes it.
    public var publisher: String
    /// The licence or copyright notice of the data.
    public var notice: String
    /// The requirements in file order.
    public var requirements: [CatalogRequirement]
    /// Where the catalog file is.
    public var file: String
    private var index: [String: Int] = [:]

    /// Creates a catalog.
    public init(framework: String, title: String, publisher: String, notice: String,
                requirements: [CatalogRequirement], file: String) {
        self.framework = framework
        self.title = title
        self.publisher = publisher
        self.notice = notice
        self.requirements = requirements
        self.file = file
        for (position, requirement) in requirements.enumerated() where index[requirement.id] == nil {
            index[requirement.id] = position
        }
    }

    /// The requirement with this id.
    public subscript(id: String) -> CatalogRequirement? {
        index[id].map { requirements[$0] }
    }

    /// Whether the catalog has this id.
    public func contains(_ id: String) -> Bool {
        index[id] != nil
    }

    /// The id closest in spelling to `id`, for "did you mean" hints.
    public func nearest(to id: String) -> String? {
        EditDistance.closest(to: id, in: requirements.map(\.id))
    }
}

/// Levenshtein distance, for suggestions (short strings only).
enum EditDistance {
    /// The candidate closest in spelling to `text` (ties: the one that sorts first as an id),
    /// if it is within `limit` edits.
    static func closest(to text: String, in candidates: some Sequence<String>, limit: Int = .max) -> String? {
        let best = candidates.min {
            (between($0, text), RequirementKey.sortKey($0)) < (between($1, text), RequirementKey.sortKey($1))
        }
        return best.flatMap { between($0, text) <= limit ? $0 : nil }
    }

    /// ` — did you mean 'x'?` for the closest candidate, or nothing.
    static func hint(for text: String, in candidates: some Sequence<String>, limit: Int = .max) -> String {
        closest(to: text, in: candidates, limit: limit).map { " — did you mean '\($0)'?" } ?? ""
    }

    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
