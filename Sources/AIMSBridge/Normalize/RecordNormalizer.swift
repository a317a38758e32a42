/// Options of the normalize stage that the user sets.
public struct NormalizeOptions: Sendable {
    /// How to read dates like 04/05/2025.
    public var dateOrder: DateParser.DateOrder
    /// The kind of the top-level records, when the user says so (`--as`).
    public var kind: RecordKind?

    /// Creates options.
    public init(dateOrder: DateParser.DateOrder = .dayFirst, kind: RecordKind? = nil) {
        self.dateOrder = dateOrder
        self.kind = kind
    }
}

/// Turns the source records of one source into canonical records using the generic profile:
/// maps each field by its header synonyms, interprets values (ratings, scores, dates, terms,
/// references), keeps unmapped fields as extensions, and links child records to their parent.
///
/// One normalizer serves one source; it keeps per-source state (the kind of each collection,
/// the field mapping of each path, rating scales, the unmapped field names).
public struct RecordNormalizer {
    private let sourcePath: String
    private let sourceStem: String
    private let options: NormalizeOptions
    private let diagnostics: any DiagnosticCollector
    private let dates: DateParser
    private let references = RequirementReferenceParser()
    /// The kind of records in each collection: "" for top-level records, else the parent's
    /// field path that held them.
    private var kinds: [String: RecordKind] = [:]
    /// How each source path maps, per kind.
    private var mappings: [RecordKind: [String: FieldMapping]] = [:]
    /// Scale sizes of rating columns, inferred from a sample of the source.
    private var scaleHints: [String: Int] = [:]
    /// Parents seen in the current top-level record tree, by ordinal.
    private var parents: [Int: RecordLink] = [:]
    /// Source field names that mapped to nothing, in first-seen order.
    public private(set) var unmappedFields: [String] = []
    private var unmappedSeen: Set<String> = []

    enum FieldMapping {
        case canonical(CanonicalField, framework: String?)
        case unmapped
    }

    /// Creates a normalizer for the source at `sourcePath`.
    public init(sourcePath: String, options: NormalizeOptions, diagnostics: any DiagnosticCollector) {
        self.sourcePath = sourcePath
        let name = sourcePath.split(separator: "/").last.map(String.init) ?? sourcePath
        self.sourceStem = name == "-" ? "stdin" : String(name.split(separator: ".").first ?? Substring(name))
        self.options = options
        self.diagnostics = diagnostics
        self.dates = DateParser(order: options.dateOrder)
    }

    /// Looks at the first records of the source to size the rating scales of each column
    /// (a column holding "Very high" is a 5-level column, so its "High" is 4 of 5).
    public mutating func prepare(sample: [SourceRecord]) {
        var values: [String: [String]] = [:]
        for record in sample {
            let kind = self.kind(of: record)
            for field in record.fields {
                guard case .canonical(let canonical, _) = mapping(field.path, kind: kind),
                      canonical.valueType == .rating else { continue }
                values[field.path, default: []].append(contentsOf: field.value.strings)
            }
        }
        for (path, labels) in values {
            if let scale = RatingParser.inferScale(from: labels) { scaleHints[path] = scale }
        }
    }

    /// The kind of a record, deciding it from its fields the first time a collection is seen.
    public mutating func kind(of record: SourceRecord) -> RecordKind? {
        let collection = record.parent?.field ?? ""
        if let kind = kinds[collection] { return kind }
        let kind: RecordKind?
        if collection.isEmpty, let given = options.kind {
            kind = given
        } else {
            kind = (collection.isEmpty ? nil : GenericProfile.kind(forCollection: collection))
                ?? GenericProfile.detectKind(fieldNames: record.fields.map(\.path))
        }
        if let kind { kinds[collection] = kind }
        return kind
    }

    /// Normalizes one record. Returns nil (with `reason`) when the record cannot be converted.
    public mutating func normalize(_ record: SourceRecord) -> Result<CanonicalRecord, RejectedRecord> {
        guard let kind = kind(of: record) else {
            return .failure(RejectedRecord(locator: record.locator,
                                           reason: "cannot tell what kind of record this is from its fields; use --as systems|risks|controls|evidence|assessments",
                                           raw: record.fields.map { "\($0.path)=\($0.value.strings.joined(separator: ","))" }.joined(separator: "; ")))
        }
        if record.parent == nil { parents.removeAll(keepingCapacity: true) }
        var canonical = CanonicalRecord(kind: kind, id: "", source: sourcePath, locator: record.locator)
        var extensions: [String: Int] = [:]
        for field in record.fields {
            switch mapping(field.path, kind: kind) {
            case .canonical(let target, let framework) where canonical.values[target] == nil || target == .requirements:
                apply(field, to: target, framework: framework, record: &canonical)
            default:
                keepExtension(field, in: &canonical, index: &extensions)
            }
        }
        if case .text(let id)? = canonical.values.removeValue(forKey: .id) {
            canonical.id = id
        } else {
            canonical.id = "\(sourceStem)#\(record.ordinal + 1)"
        }
        if kind == .control && canonical.refs.isEmpty {
            canonical.refs = references.parse(canonical.id).references
        }
        if let link = record.parent {
            canonical.parent = parents[link.parentOrdinal]
        }
        parents[record.ordinal] = RecordLink(kind: kind, id: canonical.id)
        return .success(canonical)
    }

    private mutating func mapping(_ path: String, kind: RecordKind?) -> FieldMapping {
        guard let kind else { return .unmapped }
        if let known = mappings[kind]?[path] { return known }
        let result: FieldMapping
        if let field = GenericProfile.field(for: path, kind: kind) {
            result = .canonical(field, framework: GenericProfile.framework(forHeader: path))
        } else {
            result = .unmapped
        }
        mappings[kind, default: [:]][path] = result
        return result
    }

    private mutating func keepExtension(_ field: SourceField, in record: inout CanonicalRecord, index: inout [String: Int]) {
        if !unmappedSeen.contains(field.path) {
            unmappedSeen.insert(field.path)
            unmappedFields.append(field.path)
        }
        if let position = index[field.path] {
            // The same name twice (repeated XML elements): keep every value, as a list.
            let merged = record.extensions[position].value.strings + field.value.strings
            record.extensions[position].value = .list(merged)
        } else {
            index[field.path] = record.extensions.count
            record.extensions.append(ExtensionField(name: field.path, value: field.value))
        }
    }

    private func apply(_ field: SourceField, to target: CanonicalField, framework: String?, record: inout CanonicalRecord) {
        let text = field.value.strings.joined(separator: "; ").trimmingWhitespace()
        let value: CanonicalValue
        switch target.valueType {
        case .text:
            value = .text(text)
        case .list:
            switch field.value {
            case .list(let items): value = .list(items)
            case .text(let text): value = .list(MultiValue.split(text))
            }
        case .rating:
            value = .rating(RatingParser.rating(text, scaleHint: scaleHints[field.path]))
        case .score:
            value = .score(RatingParser.score(text))
        case .date:
            let parsed = dates.parse(text)
            if let warning = parsed.warning {
                diagnostics.emit(Diagnostic(.warning, "\(field.path): \(warning)", at: record.locator))
            }
            value = .date(parsed.value)
        case .term:
            value = .term(TermNormalizer.term(for: target, text))
        case .terms:
            value = .terms(TermNormalizer.roles(text))
        case .riskClass:
            value = .riskClass(TermNormalizer.riskClass(text))
        case .references:
            for cell in field.value.strings {
                let parsed = references.parse(cell, columnFramework: framework)
                for warning in parsed.warnings {
                    diagnostics.emit(Diagnostic(.warning, "\(field.path): \(warning)", at: record.locator))
                }
                for reference in parsed.references where !record.refs.contains(where: { $0.key == reference.key }) {
                    record.refs.append(reference)
                }
            }
            return
        }
        record.values[target] = value
    }
}
