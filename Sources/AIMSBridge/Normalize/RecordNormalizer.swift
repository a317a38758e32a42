/// Options of the normalize stage that the user sets.
public struct NormalizeOptions: Sendable {
    /// How to read dates like 04/05/2025.
    public var dateOrder: DateParser.DateOrder
    /// The kind of the top-level records, when the user says so (`--as`).
    public var kind: RecordKind?
    /// The framework that bare requirement ids (`A.5.2`) belong to when neither the cell nor the
    /// column header names one (`--framework iso42001:2023`).
    public var framework: String?

    /// Creates options.
    public init(dateOrder: DateParser.DateOrder = .dayFirst, kind: RecordKind? = nil, framework: String? = nil) {
        self.dateOrder = dateOrder
        self.kind = kind
        self.framework = framework
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
    /// The mappings of the previous record's fields by position: records of one source mostly
    /// have the same fields in the same order, so this saves a dictionary lookup per field.
    private var lastKind: RecordKind?
    private var lastPaths: [String] = []
    private var lastMappings: [FieldMapping] = []
    /// Source field names that mapped to nothing, in first-seen order, not yet taken.
    private var unmappedFields: [String] = []
    private var unmappedSeen: Set<String> = []

    enum FieldMapping {
        case canonical(CanonicalField, framework: String?)
        case unmapped
    }

    /// Creates a normalizer for the source at `sourcePath`.
    public init(sourcePath: String, options: NormalizeOptions) {
        self.sourcePath = sourcePath
        let name = sourcePath.split(separator: "/").last.map(String.init) ?? sourcePath
        self.sourceStem = name == "-" ? "stdin" : String(name.split(separator: ".").first ?? Substring(name))
        self.options = options
        self.dates = DateParser(order: options.dateOrder)
    }

    /// The source field names first found unmapped since the last call, in first-seen order.
    public mutating func takeNewUnmappedFields() -> [String] {
        defer { unmappedFields.removeAll() }
        return unmappedFields
    }

    /// Looks at the first records of the source to size the rating scales of each column: the
    /// scale its header states ("Likelihood (1-3)"), else the largest scale its values imply
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
            if let scale = GenericProfile.scale(forHeader: path) ?? RatingParser.inferScale(from: labels) {
                scaleHints[path] = scale
            }
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

    /// Normalizes one record, or says why it cannot be converted. Warnings about its values go
    /// to `diagnostics`.
    public mutating func normalize(_ record: SourceRecord,
                                   diagnostics: some DiagnosticCollector) -> Result<CanonicalRecord, RejectedRecord> {
        guard let kind = kind(of: record) else {
            return .failure(RejectedRecord(locator: record.locator,
                                           reason: "cannot tell what kind of record this is from its fields; use --as systems|risks|controls|evidence|assessments",
                                           raw: record.rawText))
        }
        if record.parent == nil { parents.removeAll(keepingCapacity: true) }
        var canonical = CanonicalRecord(kind: kind, id: "", source: sourcePath, locator: record.locator)
        var extensions: [String: Int] = [:]
        if lastKind != kind || lastPaths.count != record.fields.count {
            lastKind = kind
            lastPaths = []
            lastMappings = []
        }
        for (position, field) in record.fields.enumerated() {
            let fieldMapping: FieldMapping
            if position < lastPaths.count && lastPaths[position] == field.path {
                fieldMapping = lastMappings[position]
            } else {
                fieldMapping = mapping(field.path, kind: kind)
                if position < lastPaths.count {
                    lastPaths[position] = field.path
                    lastMappings[position] = fieldMapping
                } else {
                    lastPaths.append(field.path)
                    lastMappings.append(fieldMapping)
                }
            }
            switch fieldMapping {
            case .canonical(let target, let framework) where !canonical.values.contains(target) || target == .requirements:
                apply(field, to: target, framework: framework, record: &canonical, diagnostics: diagnostics)
            default:
                keepExtension(field, in: &canonical, index: &extensions)
            }
        }
        if case .text(let id)? = canonical.values[.id] {
            canonical.values[.id] = nil
            canonical.id = id
        } else {
            canonical.id = "\(sourceStem)#\(record.ordinal + 1)"
        }
        if kind == .control && canonical.refs.isEmpty {
            canonical.refs = references.parse(canonical.id, columnFramework: options.framework).references
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
            result = .canonical(field, framework: GenericProfile.framework(forHeader: path) ?? options.framework)
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

    /// What a source value means for a canonical field: a value, or references, and warnings.
    struct Interpretation {
        var value: CanonicalValue?
        var references: [RequirementReference] = []
        var warnings: [String] = []

        /// The same, with each warning naming the source field (`Due date: invalid date …`).
        func prefixingWarnings(with path: String) -> Interpretation {
            if warnings.isEmpty { return self }
            var copy = self
            copy.warnings = warnings.map { "\(path): \($0)" }
            return copy
        }
    }

    private struct CacheKey: Hashable {
        let target: CanonicalField
        let path: String
        let text: String
    }

    /// Interpretations of recent values: exports repeat the same words, dates and reference
    /// lists on many rows, and parsing them (and formatting their warnings) again each time
    /// would dominate the conversion. Cleared when full, which keeps memory bounded.
    private var cache: [CacheKey: Interpretation] = [:]
    private static let cacheLimit = 2_048

    private mutating func apply(_ field: SourceField, to target: CanonicalField, framework: String?,
                                record: inout CanonicalRecord, diagnostics: some DiagnosticCollector) {
        let interpretation: Interpretation
        switch target.valueType {
        case .text, .list:
            interpretation = interpret(field, as: target, framework: framework).prefixingWarnings(with: field.path)
        case .rating, .score, .date, .term, .terms, .riskClass, .references:
            let key = CacheKey(target: target, path: field.path, text: field.value.joined(separator: "\n"))
            if let cached = cache[key] {
                interpretation = cached
            } else {
                interpretation = interpret(field, as: target, framework: framework)
                    .prefixingWarnings(with: field.path)
                if cache.count >= RecordNormalizer.cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[key] = interpretation
            }
        }
        for warning in interpretation.warnings {
            diagnostics.emit(Diagnostic(.warning, warning, at: record.locator))
        }
        for reference in interpretation.references where !record.refs.contains(where: { $0.key == reference.key }) {
            record.refs.append(reference)
        }
        if let value = interpretation.value { record.values[target] = value }
    }

    /// Parses a value of a rating, score, date, term or reference field.
    private func interpret(_ field: SourceField, as target: CanonicalField, framework: String?) -> Interpretation {
        let text = field.value.joined(separator: "; ").trimmingWhitespace()
        switch target.valueType {
        case .text:
            return Interpretation(value: .text(text))
        case .list:
            switch field.value {
            case .list(let items): return Interpretation(value: .list(items))
            case .text(let text): return Interpretation(value: .list(MultiValue.split(text)))
            }
        case .rating:
            return Interpretation(value: .rating(RatingParser.rating(text, scaleHint: scaleHints[field.path])))
        case .score:
            return Interpretation(value: .score(RatingParser.score(text)))
        case .date:
            let parsed = dates.parse(text)
            return Interpretation(value: .date(parsed.value), warnings: parsed.warning.map { [$0] } ?? [])
        case .term:
            return Interpretation(value: .term(TermNormalizer.term(for: target, text)))
        case .terms:
            return Interpretation(value: .terms(TermNormalizer.roles(text)))
        case .riskClass:
            return Interpretation(value: .riskClass(TermNormalizer.riskClass(text)))
        case .references:
            var result = Interpretation(value: nil)
            for cell in field.value.strings {
                let parsed = references.parse(cell, columnFramework: framework)
                result.warnings += parsed.warnings
                for reference in parsed.references where !result.references.contains(where: { $0.key == reference.key }) {
                    result.references.append(reference)
                }
            }
            return result
        }
    }
}
