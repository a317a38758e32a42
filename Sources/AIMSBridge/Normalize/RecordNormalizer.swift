/// Options of the normalize stage that the user sets.
public struct NormalizeOptions: Sendable {
    /// How to read dates like 04/05/2025.
    public var dateOrder: DateParser.DateOrder
    /// The kind of the top-level records, when the user says so (`--as`).
    public var kind: RecordKind?
    /// The framework that bare requirement ids (`A.5.2`) belong to when neither the cell nor the
    /// column header names one (`--framework iso42001:2023`).
    public var framework: String?
    /// When set, every resolved reference is expanded to the requirements it maps to through
    /// these crosswalks (up to two hops), each with its relationship and path (`--expand`).
    public var expandWith: MappingLibrary?

    /// Creates options.
    public init(dateOrder: DateParser.DateOrder = .dayFirst, kind: RecordKind? = nil, framework: String? = nil,
                expandWith: MappingLibrary? = nil) {
        self.dateOrder = dateOrder
        self.kind = kind
        self.framework = framework
        self.expandWith = expandWith
    }
}

/// Turns the source records of one source into canonical records using the generic profile:
/// maps each field by its header synonyms, interprets values (ratings, scores, dates, terms,
/// references), keeps unmapped fields as extensions, and links child records to their parent.
///
/// One normalizer serves one source; it keeps per-source state (the kind of each collection,
/// the field mapping of each path, rating scales, the unmapped field names).
public struct RecordNormalizer {
    let sourcePath: String
    let sourceStem: String
    private let options: NormalizeOptions
    /// The import profile of the source; nil for the generic header synonyms alone. Shared
    /// through a class: read for every field, an optional struct this large was copied (and
    /// each of its collections retained) at every use.
    let profile: SharedProfile?
    let dates: DateParser
    private var references = RequirementReferenceParser()
    /// Expands resolved references when `--expand` is on.
    private var expander: ReferenceExpander?
    /// The kind of records in each collection: "" for top-level records, else the parent's
    /// field path that held them.
    private var kinds: [String: RecordKind] = [:]
    /// Scale sizes of rating columns, inferred from a sample of the source.
    private var scaleHints: [String: Int] = [:]
    /// Parents seen in the current top-level record tree, in the order of their ordinals, which
    /// rise (a list, not a dictionary: a tree is mostly a handful of records, and emptying a
    /// dictionary for every top-level record costs more than searching a few entries; searched
    /// by halves, as a tree of 400,000 nested records took 28 s searched from the end).
    private var parents: [(ordinal: Int, link: RecordLink)] = []
    /// What is known about each source field (per kind): its mapping and recent values.
    private(set) var slots: [Slot] = []
    /// Slot of each numbered field (`SourceField.column`), -1 until seen.
    private var columnSlots: [Int] = []
    /// Slot of each field without a column, by kind and path.
    private var pathSlots: [PathKey: Int] = [:]
    /// Source field names that mapped to nothing, in first-seen order, not yet taken.
    private var unmappedFields: [String] = []
    /// Every unmapped field name reported so far (the first `unmappedNameLimit`).
    private var reportedUnmapped: Set<String> = []
    /// Set once an unmapped field is found past the first `unmappedNameLimit` names.
    public private(set) var hasUnlistedUnmappedFields = false
    /// Whether rows are written straight to JSON where they can be (see `FlatRowPlan`).
    var writesFlatRows = false
    /// How rows are written straight to JSON, planned from the rows written so.
    var flatRows = FlatRowPlan()

    /// How many (kind, source field) states are kept, at most, for fields that map to nothing:
    /// an export whose keys are ids (a map of custom attributes keyed by UUID) has as many field
    /// names as records, and past this their values are kept as extensions without a state.
    static let fieldStateLimit = 10_000
    /// How many unmapped field names are listed, at most (see `takeNewUnmappedFields()`).
    public static let unmappedNameLimit = 1_000

    private struct PathKey: Hashable {
        let kind: RecordKind
        let path: String
    }

    /// One source field as records of one kind use it.
    struct Slot {
        let kind: RecordKind
        let path: String
        /// The canonical field it maps to; nil when it maps to none (kept as an extension).
        /// Kept apart from `framework` (rather than in one enum) so that reading it for every
        /// value copies no string.
        let target: CanonicalField?
        /// The framework of its bare requirement ids (from the header, else `--framework`).
        let framework: String?
        /// Interpretations of this field's recent values (see ``InterpretationCache``).
        var cache = InterpretationCache()
        /// Whether this field, unmapped, has been listed in `unmappedFields`.
        var reported = false
    }

    /// What ids made up for a source's records start with (`<stem>#<n>`): the file name up to its
    /// first dot, `stdin` for standard input.
    static func idStem(forSource path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name == "-" ? "stdin" : String(name.split(separator: ".").first ?? Substring(name))
    }

    /// Creates a normalizer for the source at `sourcePath`.
    public init(sourcePath: String, options: NormalizeOptions, profile: ImportProfile? = nil) {
        self.sourcePath = sourcePath
        self.profile = profile.map(SharedProfile.init)
        self.sourceStem = RecordNormalizer.idStem(forSource: sourcePath)
        self.options = options
        self.dates = DateParser(order: options.dateOrder)
        self.expander = options.expandWith.map(ReferenceExpander.init)
    }

    /// The source field names first found unmapped since the last call, in first-seen order
    /// (the first `unmappedNameLimit` names in all: past them, `hasUnlistedUnmappedFields`).
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
            guard let kind = self.kind(of: record) else { continue }
            for field in record.fields {
                guard let slot = slotIndex(for: field, kind: kind), slots[slot].target?.valueType == .rating else { continue }
                values[field.path, default: []].append(contentsOf: field.value.strings)
            }
        }
        for (path, labels) in values {
            if let scale = GenericProfile.scale(forHeader: path) ?? RatingParser.inferScale(from: labels) {
                scaleHints[path] = scale
            }
        }
    }

    /// The kind of a record, decided the first time its collection is seen: top-level records
    /// from `--as`, the profile or their fields; nested ones from the profile's `children` or,
    /// without a profile, the array's name (`risks`, `controls`, …). Nested objects of no kind
    /// are kept in their holder's extensions.
    public mutating func kind(of record: SourceRecord) -> RecordKind? {
        let collection = record.parent?.field ?? ""
        if collection.isEmpty, options.kind == nil, let byValue = profile?.value.kind(of: record) { return byValue.kind }
        if let kind = kinds[collection] { return kind }
        let kind: RecordKind?
        if collection.isEmpty, let given = options.kind ?? profile?.value.kind {
            kind = given
        } else if collection.isEmpty {
            kind = GenericProfile.detectKind(fieldNames: record.fields.map(\.path))
        } else if let profile {
            // Nested arrays of objects are records only where the profile says so; the others
            // (custom fields, facets, remediations) stay with their holder as extensions.
            kind = profile.value.children[collection]
        } else {
            kind = GenericProfile.kind(forCollection: collection)
        }
        if let kind { kinds[collection] = kind }
        return kind
    }

    /// The kind of the source's top-level records, once decided (see `kind(of:)`); without a
    /// profile, every top-level record of a source has it.
    var topLevelKind: RecordKind? {
        kinds[""]
    }

    /// What became of a source record.
    public enum Outcome: Sendable {
        /// Converted.
        case record(CanonicalRecord)
        /// Not converted, with the reason.
        case rejected(RejectedRecord)
        /// A nested object of no kind of its own (a `{label, value}` custom field, an OSCAL
        /// facet), found in the field `in` of the record with ordinal `toParent`: it belongs to
        /// that record, see ``attach(_:in:to:diagnostics:)``.
        case attached(SourceRecord, in: String, toParent: Int)

        /// The converted record, if it was converted.
        public var record: CanonicalRecord? {
            if case .record(let record) = self { return record } else { return nil }
        }
    }

    /// Normalizes one record, or says why it cannot be converted. Warnings about its values go
    /// to `diagnostics`.
    public mutating func normalize(_ record: SourceRecord, diagnostics: some DiagnosticCollector) -> Outcome {
        guard let kind = kind(of: record) else {
            if let parent = record.parent {
                return .attached(record, in: parent.field, toParent: parent.parentOrdinal)
            }
            if let profile, let byValue = profile.value.kind(of: record) {
                return .rejected(RejectedRecord(locator: record.locator,
                                                reason: "'\(byValue.value ?? "")' in \(profile.value.kindBy?.field ?? "") names no kind of record the profile \(profile.value.name) converts",
                                                raw: record.rawText))
            }
            return .rejected(RejectedRecord(locator: record.locator,
                                           reason: "cannot tell what kind of record this is from its fields; use --as systems|risks|controls|evidence|assessments|datasets",
                                           raw: record.rawText))
        }
        if record.parent == nil && !parents.isEmpty { parents.removeAll(keepingCapacity: true) }
        var canonical = CanonicalRecord(kind: kind, id: "", source: sourcePath, locator: record.locator)
        for field in record.fields {
            if let markers = profile?.value.nullMarkers, !markers.isEmpty,
               case .text(let text) = field.value, markers.contains(text.trimmingWhitespace()) { continue }
            guard let slot = slotIndex(for: field, kind: kind) else {
                // Past the limit on field states: a field that maps to nothing, noted by name.
                noteUnmapped(field.path)
                canonical.extensions.append(ExtensionField(name: field.path, value: field.value))
                continue
            }
            switch slots[slot].target {
            case let target? where !canonical.values.contains(target) || target == .requirements:
                apply(field, to: target, slot: slot, record: &canonical, diagnostics: diagnostics)
            default:
                noteUnmapped(slot: slot)
                // The same name twice (repeated XML elements) keeps every value, as a list (joined
                // once the record is read, see `joinRepeatedExtensions()`).
                canonical.extensions.append(ExtensionField(name: field.path, value: field.value))
            }
        }
        canonical.joinRepeatedExtensions()
        let hadID = canonical.values.contains(.id)
        if case .text(let id)? = canonical.values[.id] {
            canonical.values[.id] = nil
            canonical.id = id
        } else {
            canonical.id = "\(sourceStem)#\(record.ordinal + 1)"
        }
        if kind == .control && canonical.refs.isEmpty {
            canonical.refs = references.parseRemembering(canonical.id, columnFramework: options.framework).references
        }
        if let link = record.parent {
            canonical.parent = parent(ordinal: link.parentOrdinal)
        }
        if let problem = missingRequired(canonical, hadID: hadID) {
            return .rejected(RejectedRecord(locator: record.locator, reason: problem, raw: record.rawText))
        }
        parents.append((record.ordinal, RecordLink(kind: kind, id: canonical.id)))
        return .record(canonical)
    }

    /// The parent in the current tree with this ordinal, if it was converted.
    private func parent(ordinal: Int) -> RecordLink? {
        var low = 0
        var high = parents.count
        while low < high {
            let middle = (low + high) / 2
            if parents[middle].ordinal < ordinal { low = middle + 1 } else { high = middle }
        }
        return low < parents.count && parents[low].ordinal == ordinal ? parents[low].link : nil
    }

    /// Adds a kind-less nested object, found in `field` of `holder`, to the holder. Its
    /// `{label|name|key, value}` pair, if it has one, is the holder's field `field.<label>`: mapped
    /// like any of the holder's fields when the profile maps that name to a canonical field the
    /// holder lacks (`facets.likelihood: likelihood`), else kept as that extension. Each of its
    /// members is the holder's field `field.<member>`, mapped the same way when the profile names
    /// it (`remediations.title: treatmentPlan`). An object that is more than a mapped pair (an
    /// OSCAL facet's `system`) is also kept whole, as `field: ["path=value; …"]`.
    public mutating func attach(_ record: SourceRecord, in field: String, to holder: inout CanonicalRecord,
                                diagnostics: some DiagnosticCollector) {
        let isPair = record.fields.count == 2
        if let pair = RecordNormalizer.namedValue(of: record, in: field) {
            if fill(&holder, from: pair, diagnostics: diagnostics) {
                if isPair { return }
            } else if isPair {
                holder.addExtension(ExtensionField(name: pair.path, value: pair.value))
                return
            }
        }
        if let profile {
            for member in record.fields {
                let path = "\(field).\(member.path)"
                if profile.value.field(for: path) != nil {
                    fill(&holder, from: SourceField(path: path, value: member.value), diagnostics: diagnostics)
                }
            }
        }
        let text = record.fields.map { "\($0.path)=\($0.value.joined(separator: ", "))" }.joined(separator: "; ")
        holder.addExtension(ExtensionField(name: field, value: .list([text])))
    }

    /// Sets the canonical field that `field` maps to on `holder`, unless the holder has it already
    /// (ids are never replaced; requirement references add up). Whether it did.
    @discardableResult
    private mutating func fill(_ holder: inout CanonicalRecord, from field: SourceField,
                               diagnostics: some DiagnosticCollector) -> Bool {
        guard let slot = slotIndex(for: field, kind: holder.kind), let target = slots[slot].target, target != .id,
              !holder.values.contains(target) || target == .requirements else { return false }
        apply(field, to: target, slot: slot, record: &holder, diagnostics: diagnostics)
        // Text of a references cell it kept may share a name with one of the holder's extensions.
        holder.joinRepeatedExtensions()
        return true
    }

    /// A nested object's `{label|name|key, value}` pair as the field `field.<label>`, if it has one.
    static func namedValue(of record: SourceRecord, in field: String) -> SourceField? {
        let labelKeys: Set<String> = ["label", "name", "key", "title", "field"]
        guard let label = record.fields.first(where: { labelKeys.contains(HeaderKey($0.path).value) }),
              let value = record.value(forKey: "value"),
              case .text(let name) = label.value else { return nil }
        return SourceField(path: "\(field).\(name)", value: value)
    }

    /// Why a record lacks what its profile requires (a field missing, or a rating or date the
    /// profile requires that could not be read); nil when it has everything.
    private func missingRequired(_ record: CanonicalRecord, hadID: Bool) -> String? {
        // Required fields are what the export's own records need; nested records (a model
        // card's considerations) carry what their structure gives them.
        guard let profile, record.parent == nil else { return nil }
        for field in profile.value.required where CanonicalField.fields(of: record.kind).contains(field) {
            if field == .id {
                if !hadID { return "missing required field 'id' (profile \(profile.value.name))" }
                continue
            }
            switch record.values[field] {
            case nil:
                if field == .requirements && !record.refs.isEmpty { continue }
                // A system's label is its name, other records' their title: either will do.
                if (field == .name || field == .title) && (record.values.contains(.name) || record.values.contains(.title)) { continue }
                return "missing required field '\(field.name)' (profile \(profile.value.name))"
            case .rating(let rating)? where rating.normalized == nil:
                return "required field '\(field.name)' has '\(rating.label)', which is not a rating on the profile's scale (profile \(profile.value.name))"
            case .date(let date)? where date.iso == nil:
                return "required field '\(field.name)' has '\(date.raw)', which is not a date (profile \(profile.value.name))"
            default:
                continue
            }
        }
        return nil
    }

    /// Lists the field of `slot` as unmapped the first time its values are kept as extensions.
    mutating func noteUnmapped(slot: Int) {
        guard !slots[slot].reported else { return }
        slots[slot].reported = true
        noteUnmapped(slots[slot].path)
    }

    /// Lists an unmapped field name the first time it is found, up to `unmappedNameLimit` names.
    private mutating func noteUnmapped(_ path: String) {
        guard !reportedUnmapped.contains(path) else { return }
        if reportedUnmapped.count < RecordNormalizer.unmappedNameLimit {
            reportedUnmapped.insert(path)
            unmappedFields.append(path)
        } else {
            hasUnlistedUnmappedFields = true
        }
    }

    /// The slot of a field, made (with the field's mapping) the first time it is seen; nil for a
    /// field that maps to nothing once `fieldStateLimit` slots are held. A numbered field
    /// (`SourceField.column`) is found by its number; the same number used by records of another
    /// kind (an export mixing kinds) falls back to the lookup by kind and path.
    mutating func slotIndex(for field: SourceField, kind: RecordKind) -> Int? {
        if field.column >= 0 && field.column < columnSlots.count {
            let index = columnSlots[field.column]
            if index >= 0 && slots[index].kind == kind && slots[index].path == field.path { return index }
        }
        let key = PathKey(kind: kind, path: field.path)
        let index: Int
        if let known = pathSlots[key] {
            index = known
        } else {
            let (target, framework) = mapping(field.path, kind: kind)
            if target == nil && slots.count >= RecordNormalizer.fieldStateLimit { return nil }
            slots.append(Slot(kind: kind, path: field.path, target: target, framework: framework))
            index = slots.count - 1
            pathSlots[key] = index
        }
        if field.column >= 0 {
            if field.column >= columnSlots.count {
                columnSlots += Array(repeating: -1, count: field.column - columnSlots.count + 1)
            }
            columnSlots[field.column] = index
        }
        return index
    }

    /// How many (kind, source field) states the normalizer holds: bounded by the fields of the
    /// source, whatever its length.
    var fieldStateCount: Int { slots.count }

    /// The profile's own map first, then (unless the profile turns it off) the header synonyms.
    private func mapping(_ path: String, kind: RecordKind) -> (target: CanonicalField?, framework: String?) {
        let framework = GenericProfile.framework(forHeader: path) ?? options.framework
        if let field = profile?.value.field(for: path), CanonicalField.fields(of: kind).contains(field) {
            return (field, framework)
        }
        guard profile?.value.genericFallback ?? true, let field = GenericProfile.field(for: path, kind: kind) else { return (nil, nil) }
        return (field, framework)
    }

    /// What a source value means for a canonical field: a value, or references, and warnings.
    struct Interpretation {
        var value: CanonicalValue?
        var references: [RequirementReference] = []
        /// How many requirements the cell names: `references.count`, or for a cell interpreted
        /// for a flat row only (see `interpretation(ofCell:…)`) the number of references encoded
        /// in `encodedReferences`, `references` left empty.
        var referenceCount = 0
        var warnings: [String] = []
        /// Pieces of a references cell that name no requirement (`DCF-181`): kept as an
        /// extension under the field's name, so that nothing of the cell is lost.
        var unrecognised: [String] = []
        /// The JSON of `references`, when the parser made it (rows written flat, see
        /// `FlatRowPlan`); nil otherwise.
        var encodedReferences: [UInt8]?

        /// What the record keeps of `unrecognised`, as an extension under the field's name: the
        /// piece, or the pieces as a list; nil when every piece named a requirement.
        var unrecognisedValue: FieldValue? { Interpretation.unrecognisedValue(unrecognised) }

        /// `unrecognisedValue` of these pieces.
        static func unrecognisedValue(_ unrecognised: [String]) -> FieldValue? {
            if unrecognised.isEmpty { return nil }
            return unrecognised.count == 1 ? .text(unrecognised[0]) : .list(unrecognised)
        }

        /// Makes each warning name the source field (`Due date: invalid date …`). In place: a
        /// copy of an interpretation retains each of its strings, for every value parsed.
        mutating func prefixWarnings(with path: String) {
            if warnings.isEmpty { return }
            warnings = warnings.map { "\(path): \($0)" }
        }
    }

    private mutating func apply(_ field: SourceField, to target: CanonicalField, slot: Int,
                                record: inout CanonicalRecord, diagnostics: some DiagnosticCollector) {
        if !target.valueType.isInterpreted {
            // Plain values: nothing to parse, nothing to warn about.
            record.values[target] = plainValue(field, as: target)
            return
        }
        if let cached = cachedInterpretation(of: field, as: target, slot: slot) {
            // Read where the cache holds it: copied out whole, every array and string of the
            // interpretation was retained and released for every cell.
            report(cached.interpretation.warnings, unrecognised: cached.interpretation.unrecognised, of: field, into: &record,
                   diagnostics: diagnostics)
            if record.refs.isEmpty {
                record.refs = cached.interpretation.references
            } else {
                record.refs.appendNew(cached.interpretation.references)
            }
            if let value = cached.interpretation.value { record.values.set(target, value, encoded: cached.encodedValue) }
            return
        }
        // A value the field no longer caches is encoded with its record, not made an object.
        var interpretation = freshInterpretation(of: field, as: target, slot: slot)
        report(interpretation.warnings, unrecognised: interpretation.unrecognised, of: field, into: &record, diagnostics: diagnostics)
        if record.refs.isEmpty {
            // Moved, not copied: the interpretation is this function's own.
            swap(&record.refs, &interpretation.references)
        } else {
            record.refs.appendNew(interpretation.references)
        }
        if let value = interpretation.value.take() { record.values.set(target, value, encoded: nil) }
    }

    /// Reports an interpretation's warnings and keeps the pieces of its field it recognised
    /// nothing in as an extension. Given the two arrays, not the interpretation: handed a cached
    /// one, the whole interpretation was copied (every array and string retained) for every cell.
    private func report(_ warnings: [String], unrecognised: [String], of field: SourceField, into record: inout CanonicalRecord,
                        diagnostics: some DiagnosticCollector) {
        for warning in warnings {
            diagnostics.emit(Diagnostic(.warning, warning, at: record.locator))
        }
        if let kept = Interpretation.unrecognisedValue(unrecognised) {
            record.extensions.append(ExtensionField(name: field.path, value: kept))
        }
    }

    /// What the value of `field` means for `target` (a field whose values are interpreted), with
    /// its JSON: from the field's cache when the value came recently, else parsed (its warnings
    /// naming the field) and cached; nil when the field's values are no longer cached, or this
    /// one is too long to be (see `InterpretationCache.longestValue`). A list's items are looked
    /// up as lines.
    private mutating func cachedInterpretation(of field: SourceField, as target: CanonicalField, slot: Int) -> CachedInterpretation? {
        guard slots[slot].cache.holds(count: field.value.byteCount) else { return nil }
        return field.value.joined(separator: "\n").withUTF8Bytes { key in
            if let known = slots[slot].cache.interpretation(of: key) { return known }
            let made = CachedInterpretation(freshInterpretation(of: field, as: target, slot: slot))
            slots[slot].cache.insert(made, for: key)
            return made
        }
    }

    /// What a text value, given as its UTF-8 bytes (a CSV cell), means for `target`, as
    /// `cachedInterpretation(of:as:slot:)` finds it, for a flat row: its string is made
    /// only when it is not in the field's cache, and a value the field does not cache is kept
    /// for its row alone, without its JSON made apart and with its warnings not yet naming the
    /// field (most are only counted, see `FlatRowPlan.forEachWarning`). The cell's field name is
    /// `paths[path]`, read only when the cell is interpreted (a name passed was retained and
    /// released for every cell, and the header's names are shared by the worker threads).
    mutating func interpretation(ofCell cell: UnsafeBufferPointer<UInt8>, path index: Int, of paths: UnsafeBufferPointer<String>,
                                 as target: CanonicalField, slot: Int) -> FlatRowPlan.CellInterpretation {
        let cached = slots[slot].cache.holds(count: cell.count)
        if cached, let known = slots[slot].cache.interpretation(of: cell) { return .cached(known) }
        if !cached && target.valueType == .references && profile == nil {
            // References only this row uses are read from the cell's bytes, and wanted as JSON only.
            return .fresh(referencesInterpretation(of: cell, slot: slot, keeping: false))
        }
        let path = paths[index]
        let field = SourceField(path: path, value: .text(String(decoding: cell, as: UTF8.self)))
        var interpretation = interpret(field, as: target, slot: slot)
        guard cached else { return .fresh(interpretation) }
        interpretation.prefixWarnings(with: path)
        let made = CachedInterpretation(interpretation)
        slots[slot].cache.insert(made, for: cell)
        return .cached(made)
    }

    /// The value of `field` interpreted for `target`, its warnings naming the field.
    private mutating func freshInterpretation(of field: SourceField, as target: CanonicalField, slot: Int) -> Interpretation {
        var parsed = interpret(field, as: target, slot: slot)
        parsed.prefixWarnings(with: field.path)
        return parsed
    }

    /// The value of a text or list field: its text, or its items (a list as it is; a text split
    /// on the profile's or the usual separators, as written, answer letters and all).
    private func plainValue(_ field: SourceField, as target: CanonicalField) -> CanonicalValue {
        guard target.valueType == .list else { return .text(valueText(field, for: target)) }
        switch field.value {
        case .list(let items): return .list(items)
        case .text(let text): return .list(profile?.value.split(text) ?? MultiValue.split(text))
        }
    }

    /// A value as one trimmed text (a list joined with `; `), without the answer letter of a
    /// questionnaire's choice.
    private func valueText(_ field: SourceField, for target: CanonicalField) -> String {
        let text = field.value.joined(separator: "; ").trimmingWhitespace()
        // Answer letters ("a) Initiated") sit on the choices of a questionnaire, not on free text.
        guard let profile, profile.value.answerPrefixes,
              target.valueType != .text || [.status, .category, .impactRating].contains(target) else { return text }
        return profile.value.withoutAnswerPrefix(text)
    }

    /// Parses a value of a rating, score, date, term or reference field (`slot` is the field's,
    /// which holds the framework of its bare requirement ids).
    private mutating func interpret(_ field: SourceField, as target: CanonicalField, slot: Int) -> Interpretation {
        // The parsers of single values read the value as one text; lists and references are
        // read item by item, without it.
        switch target.valueType {
        case .text, .list:
            return Interpretation(value: plainValue(field, as: target))
        case .rating:
            let text = valueText(field, for: target)
            let rating = profile?.value.rating(text, for: target) ?? RatingParser.rating(text, scaleHint: scaleHints[field.path])
            // A rating that cannot be placed is kept as its label and said, as an invalid date is
            // (a field the profile requires rejects its record instead, see `missingRequired`).
            guard rating.normalized == nil, profile?.value.required.contains(target) != true else {
                return Interpretation(value: .rating(rating))
            }
            return Interpretation(value: .rating(rating), warnings: ["'\(text)' is not a rating aims can place on a scale; kept as text"])
        case .score:
            let text = valueText(field, for: target)
            var score = RatingParser.score(text)
            score.of = profile?.value.values[target]?.scale
            return Interpretation(value: .score(score))
        case .date:
            let text = valueText(field, for: target)
            let parsed = dates.parse(text)
            return Interpretation(value: .date(parsed.value), warnings: parsed.warning.map { [$0] } ?? [])
        case .term:
            let text = valueText(field, for: target)
            if let term = profile?.value.term(text, for: target) { return Interpretation(value: .term(Term(value: term, source: text))) }
            let term = TermNormalizer.term(for: target, text)
            // A word of no known term is kept as the source wrote it, and said.
            guard term.value == nil else { return Interpretation(value: .term(term)) }
            return Interpretation(value: .term(term), warnings: ["'\(text)' is no \(target.name) term aims knows; kept as text"])
        case .terms:
            let text = valueText(field, for: target)
            return Interpretation(value: .terms(TermNormalizer.roles(text)))
        case .riskClass:
            let text = valueText(field, for: target)
            return Interpretation(value: .riskClass(TermNormalizer.riskClass(text)))
        case .references:
            if profile == nil, case .text(let cell) = field.value {
                // The usual case, one cell: read without making arrays of cells.
                return cell.withUTF8Bytes { referencesInterpretation(of: $0, slot: slot, keeping: true) }
            }
            var result = Interpretation(value: nil)
            // A profile's own separator (and escape) comes first: Hyperproof's "A\\, B,C".
            for cell in field.value.strings.flatMap({ profile?.value.split($0) ?? [$0] }) {
                cell.withUTF8Bytes { addReferences(in: $0, framework: slots[slot].framework, to: &result) }
            }
            return result
        }
    }

    /// Gives the reference parser back the buffer of a cell's references' JSON, written and done
    /// with, to fill again (see `RequirementReferenceParser.reuse(encodingBuffer:)`).
    mutating func reuseReferencesBuffer(_ buffer: consuming [UInt8]) {
        references.reuse(encodingBuffer: buffer)
    }

    /// The interpretation of one cell of references, its UTF-8 bytes; without `keeping`, a cell
    /// of a row written flat, its references only encoded (see `Interpretation.referenceCount`).
    private mutating func referencesInterpretation(of cell: UnsafeBufferPointer<UInt8>, slot: Int, keeping: Bool) -> Interpretation {
        var result = Interpretation(value: nil)
        addReferences(in: cell, framework: slots[slot].framework, to: &result, keeping: keeping)
        return result
    }

    /// Adds the references of one cell (each requirement once, expanded when asked) and their
    /// warnings to `result`; without `keeping`, to a `result` holding none, only their JSON.
    private mutating func addReferences(in cell: UnsafeBufferPointer<UInt8>, framework: String?, to result: inout Interpretation,
                                        keeping: Bool = true) {
        // The references' JSON is made with them for rows written flat, which write it as it is
        // (expanded references are written from the record).
        var parsed = references.parseRemembering(utf8: cell, columnFramework: framework,
                                                 encoding: writesFlatRows && expander == nil, keepingReferences: keeping)
        // The first cell's references (already each once), warnings and unrecognised pieces are
        // taken whole rather than appended one by one into growing arrays, and moved (swapped
        // with the empty ones), not copied: a copy retained each array, to be released with the
        // parsed cell, and appending to an empty array allocated one anew.
        if result.unrecognised.isEmpty {
            swap(&result.unrecognised, &parsed.unrecognised)
        } else {
            result.unrecognised += parsed.unrecognised
        }
        if result.warnings.isEmpty {
            swap(&result.warnings, &parsed.warnings)
        } else {
            result.warnings += parsed.warnings
        }
        if result.references.isEmpty && expander == nil {
            swap(&result.references, &parsed.references)
            result.referenceCount = parsed.count
            swap(&result.encodedReferences, &parsed.encodedReferences)
            return
        }
        result.references.appendNew(parsed.references) { expander?.expanded($0) ?? $0 }
        result.referenceCount = result.references.count
        result.encodedReferences = nil
    }
}

/// An import profile held by reference (see `RecordNormalizer`'s `profile`).
final class SharedProfile: Sendable {
    let value: ImportProfile

    init(_ value: ImportProfile) {
        self.value = value
    }
}

/// Interpretations of one source field's recent values, by the value's UTF-8 bytes.
///
/// Exports repeat the same words, ratings, dates and reference lists on many rows, and parsing
/// them (and formatting their warnings) again each time would dominate the conversion. There is
/// one cache per field, so that a field with many distinct values does not evict another's few
/// words. A full cache is emptied, which keeps memory bounded; a field whose values rarely repeat
/// (timestamps, per-row lists of references) stops being cached at all, since filling and
/// emptying a cache that is never hit costs more than it saves.
///
/// Keyed by bytes (a ``ByteKeyedTable``) rather than by `String`, so that a CSV cell is looked
/// up without making a string of it (see `FlatRowPlan`), and a value keeps its own bytes when
/// another value is the same text in other bytes (`E\u{301}` after `É`).
struct InterpretationCache {
    /// Values held before the cache is emptied.
    static let capacity = 256
    /// The longest value (in UTF-8 bytes) cached: a cell of thousands of references rarely comes
    /// again, and 256 interpretations of such cells held hundreds of megabytes.
    static let longestValue = 1_024
    /// A field whose cache was hit fewer times than this while it filled up stops being cached.
    static let minimumHits = capacity / 8

    private var table = ByteKeyedTable<CachedInterpretation>(capacity: InterpretationCache.capacity)
    private var hits = 0
    /// Whether values of this field are still cached.
    private(set) var isOn = true

    /// Whether a value of `count` bytes would be looked up at all.
    func holds(count: Int) -> Bool {
        isOn && count <= InterpretationCache.longestValue
    }

    /// The interpretation of the value with these UTF-8 bytes, if it is held; counts a hit.
    mutating func interpretation(of value: UnsafeBufferPointer<UInt8>) -> CachedInterpretation? {
        guard let interpretation = table.value(for: value) else { return nil }
        hits += 1
        return interpretation
    }

    /// Holds the interpretation of the value with these UTF-8 bytes (not held yet), emptying the
    /// cache first when it is full (and turning it off when it was hardly used).
    mutating func insert(_ interpretation: CachedInterpretation, for value: UnsafeBufferPointer<UInt8>) {
        if table.isFull {
            if hits < InterpretationCache.minimumHits {
                isOn = false
                table.removeAll(keepingCapacity: false)
                return
            }
            table.removeAll(keepingCapacity: true)
            hits = 0
        }
        table.insert(interpretation, for: value)
    }
}

/// An interpretation held by `InterpretationCache`, with its value's JSON made once: a value
/// that comes again is then copied into the output as bytes rather than encoded again. A class,
/// so that a hit costs one retain; immutable, so that the normalizers of a conversion's worker
/// threads (copies of one another, sharing the cache they had when copied) can share it.
final class CachedInterpretation: Sendable {
    let interpretation: RecordNormalizer.Interpretation
    /// The JSON of `interpretation.value` (nil when it has none).
    let encodedValue: [UInt8]?

    init(_ interpretation: RecordNormalizer.Interpretation) {
        self.interpretation = interpretation
        encodedValue = interpretation.value.map(RegisterEncoding.encoded)
    }
}
