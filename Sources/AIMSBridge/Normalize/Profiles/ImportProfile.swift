/// How one tool's export maps onto the canonical register, loaded from `Mappings/profiles/`.
public struct ImportProfile: Sendable {
    /// How a tool writes the values of one canonical field.
    public struct ValueMap: Sendable {
        /// The size of the tool's scale, for numbers and labels.
        public var scale: Int?
        /// Tool word (as a header key: case and punctuation ignored) → level on the scale.
        public var labels: [String: Int] = [:]
        /// Tool word (as a header key) → canonical term.
        public var terms: [String: String] = [:]
    }

    /// What detection looks for.
    public struct Signature: Sendable {
        /// Field names (as header keys) that identify the export.
        public var fields: [String] = []
        /// XML document element, if the profile is for XML.
        public var root: String?
        /// XML record element.
        public var record: String?
    }

    /// The profile's name (`--profile NAME`).
    public var name: String
    /// A one-line description.
    public var title: String
    /// The tool whose export this is.
    public var tool: String
    /// The export's format.
    public var format: SourceFormat
    /// The kind of the top-level records.
    public var kind: RecordKind
    /// When records of several kinds share one list (AI-BOM components): the field whose value
    /// decides the kind (as a header key), and value (as a header key) → kind.
    public var kindBy: (field: String, values: [String: RecordKind])?
    /// XML element path or JSON Pointer of the records, when the profile knows it.
    public var recordPath: String?
    /// How the export's elements refer to each other (SPDX 3.0), if it is a graph.
    public var graph: GraphSpec?
    /// XML: how the export names its fields by id (RSA Archer), if it does.
    public var fieldDefinitions: XMLFieldDefinitions?
    /// How detection recognises the export.
    public var signature: Signature
    /// Source field (as a header key) → canonical field.
    public var fields: [String: CanonicalField]
    /// Per canonical field, the tool's words and scale.
    public var values: [CanonicalField: ValueMap]
    /// Separator of multi-value cells, if the tool has its own.
    public var separator: Character?
    /// Escape character that makes the separator part of a value (`\,`).
    public var escape: Character?
    /// Extra words that mean "no value".
    public var nullMarkers: Set<String>
    /// Canonical fields a record must have to be converted.
    public var required: [CanonicalField]
    /// The field path of an array of child records (JSON) or of repeated child elements (XML) →
    /// their kind.
    public var children: [String: RecordKind]
    /// XML: paths of repeated child elements read as objects of their own but kept with their
    /// holder (`characterization.facet`), as JSON arrays of objects are; `children: {path: extension}`.
    public var keptWithHolder: Set<String>
    /// Element paths the XML reader reads as objects of their own.
    public var childPaths: Set<String> { keptWithHolder.union(children.keys) }
    /// Whether fields the profile does not list are mapped by the generic header synonyms.
    public var genericFallback: Bool
    /// Whether values carry questionnaire answer letters to drop (`a) Initiated` → `Initiated`).
    public var answerPrefixes: Bool
    /// The file the profile was loaded from.
    public var file: String

    /// The value without a questionnaire answer letter (`a) `, `B. `), when the profile says
    /// values carry them.
    func withoutAnswerPrefix(_ text: String) -> String {
        guard answerPrefixes else { return text }
        let scalars = Array(text.unicodeScalars.prefix(4))
        guard scalars.count >= 3, scalars[0].properties.isAlphabetic || ("0"..."9").contains(scalars[0]),
              scalars[1] == ")" || scalars[1] == ".", scalars[2] == " " else { return text }
        return String(text.unicodeScalars.dropFirst(3)).trimmingWhitespace()
    }

    /// The kind a record's `kind-by` field gives it; nil when the profile has no `kind-by` or the
    /// value is not listed (with the value, for the message).
    func kind(of record: SourceRecord) -> (kind: RecordKind?, value: String?)? {
        guard let kindBy else { return nil }
        guard let value = record.value(forKey: kindBy.field)?.joined(separator: " ") else {
            return (nil, nil)
        }
        return (kindBy.values[HeaderKey(value).value], value)
    }

    /// The canonical field a source field path feeds, by the profile's own map.
    func field(for path: String) -> CanonicalField? {
        fields[HeaderKey(path).value]
    }

    /// Splits a multi-value cell by the profile's separator, honouring its escape character.
    func split(_ text: String) -> [String]? {
        guard let separator else { return nil }
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == escape {
                escaped = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty && !CSVRecordReader.isAbsent($0) && !nullMarkers.contains($0) }
    }

    /// The rating of a value by the profile's scale and labels; nil when the profile says nothing.
    func rating(_ text: String, for field: CanonicalField) -> Rating? {
        guard let map = values[field] else { return nil }
        if let level = map.labels[HeaderKey(text).value], let scale = map.scale {
            let normalized = scale > 1 ? (Double(level - 1) / Double(scale - 1) * 10_000).rounded() / 10_000 : nil
            return Rating(label: text, level: level, of: scale, normalized: normalized)
        }
        if let scale = map.scale { return RatingParser.rating(text, scaleHint: scale) }
        return nil
    }

    /// The canonical term of a value by the profile's terms; nil when the profile has none for it.
    func term(_ text: String, for field: CanonicalField) -> String? {
        values[field]?.terms[HeaderKey(text).value]
    }
}
