import Foundation
import Synchronization
import Yams

/// Loads import profiles (`profiles/*.yaml` in each mapping folder) and reports every problem at
/// its line and column: `profile.yaml:12:10: error: unknown canonical field 'likelyhood' — did you
/// mean 'likelihood'?`. A later folder's profile with the same name replaces an earlier one.
public enum ProfileLoader {
    /// The canonical terms each enumeration field accepts.
    static let termVocabulary: [CanonicalField: [String]] = [
        .treatment: ["modify", "avoid", "share", "retain"],
        .lifecycleStage: ["inception", "design-and-development", "verification-and-validation", "deployment",
                          "operation-and-monitoring", "re-evaluation", "retirement"],
        .humanOversight: ["human-in-the-loop", "human-on-the-loop", "human-in-command", "none"],
        .applicability: ["applicable", "not-applicable", "undetermined"],
        .implementationStatus: ["implemented", "partial", "planned", "not-implemented", "not-applicable"],
        .assessmentType: ["ai-impact", "fria", "dpia"],
    ]

    /// Loads the profiles of the mapping folders, in order.
    public static func load(directories: [String], diagnostics: any DiagnosticCollector) -> [ImportProfile] {
        var profiles: [ImportProfile] = []
        for directory in directories {
            for file in MappingsLoader.yamlFiles(in: "\(directory)/profiles") {
                guard let profile = load(file: file, diagnostics: diagnostics) else { continue }
                if let index = profiles.firstIndex(where: { $0.name == profile.name }) {
                    profiles[index] = profile
                } else {
                    profiles.append(profile)
                }
            }
        }
        return profiles
    }

    /// Loads one profile file (`--profile PATH`).
    public static func load(file: String, diagnostics: any DiagnosticCollector) -> ImportProfile? {
        guard let data = FileManager.default.contents(atPath: file) else {
            diagnostics.emit(Diagnostic(.error, "cannot read profile", at: Locator(file: file, line: 1)))
            return nil
        }
        return load(text: String(decoding: data, as: UTF8.self), file: file, diagnostics: diagnostics)
    }

    /// Reads a profile from its YAML text; `file` names it in diagnostics.
    public static func load(text: String, file: String, diagnostics: any DiagnosticCollector) -> ImportProfile? {
        let counted = ErrorCounter(diagnostics)
        guard let node = YAMLFields.compose(text, file: file, diagnostics: counted),
              let fields = YAMLFields(node, file: file, what: "an import profile", diagnostics: counted) else { return nil }
        fields.warnUnknownKeys(["profile", "title", "tool", "format", "kind", "record-path", "signature", "fields", "values",
                                "separator", "escape", "null-markers", "required", "children", "generic-fallback",
                                "field-definitions", "answer-prefixes", "kind-by", "graph"])
        let name = fields.string("profile")
        let format = fields.choice("format", SourceFormat.allCases.map(\.rawValue)).flatMap(SourceFormat.init(rawValue:))
        let kind = fields.choice("kind", RecordKind.allCases.map(\.rawValue)).flatMap(RecordKind.init(rawValue:))
        var signature = ImportProfile.Signature()
        if let node = fields.node("signature"), let entry = YAMLFields(node, file: file, what: "a signature", diagnostics: counted) {
            entry.warnUnknownKeys(["fields", "root", "record"])
            signature.fields = entry.strings("fields").map { HeaderKey($0).value }
            signature.root = entry.string("root", required: false)
            signature.record = entry.string("record", required: false)
        }
        var map: [String: CanonicalField] = [:]
        if let node = fields.node("fields"), let entry = YAMLFields(node, file: file, what: "a map of source fields to canonical fields", diagnostics: counted) {
            for pair in entry.scalarEntries {
                guard let canonical = canonicalField(pair.value, at: pair.valueMark, file: file, diagnostics: counted) else { continue }
                map[HeaderKey(pair.key).value] = canonical
            }
        }
        var values: [CanonicalField: ImportProfile.ValueMap] = [:]
        if let node = fields.node("values"), let entry = YAMLFields(node, file: file, what: "a map of canonical fields to value maps", diagnostics: counted) {
            for (key, value) in entry.mapping {
                guard let name = key.string, let canonical = canonicalField(name, at: key.mark, file: file, diagnostics: counted),
                      let valueFields = YAMLFields(value, file: file, what: "a value map", diagnostics: counted) else { continue }
                values[canonical] = valueMap(valueFields, for: canonical, diagnostics: counted)
            }
        }
        var children: [String: RecordKind] = [:]
        var keptWithHolder: Set<String> = []
        if let node = fields.node("children"), let entry = YAMLFields(node, file: file, what: "a map of child arrays to kinds", diagnostics: counted) {
            for pair in entry.scalarEntries {
                if pair.value == "extension" {
                    keptWithHolder.insert(pair.key)
                    continue
                }
                guard let childKind = RecordKind(userText: pair.value) else {
                    counted.emit(Diagnostic(.error, "'\(pair.value)' is not a kind (system, risk, control, evidence, assessment, dataset) or extension",
                                                 at: YAMLFields.locator(file, pair.valueMark)))
                    continue
                }
                children[pair.key] = childKind
            }
        }
        var kindBy: (field: String, values: [String: RecordKind])?
        if let node = fields.node("kind-by"), let entry = YAMLFields(node, file: file, what: "a kind-by map", diagnostics: counted) {
            entry.warnUnknownKeys(["field", "values"])
            if let field = entry.string("field"), let valuesNode = entry.node("values"),
               let values = YAMLFields(valuesNode, file: file, what: "a map of values to kinds", diagnostics: counted) {
                var table: [String: RecordKind] = [:]
                for pair in values.scalarEntries {
                    guard let kind = RecordKind(userText: pair.value) else {
                        counted.emit(Diagnostic(.error, "'\(pair.value)' is not a kind (\(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                                                     at: YAMLFields.locator(file, pair.valueMark)))
                        continue
                    }
                    table[HeaderKey(pair.key).value] = kind
                }
                kindBy = (HeaderKey(field).value, table)
            }
        }
        var graph: GraphSpec?
        if let node = fields.node("graph"), let entry = YAMLFields(node, file: file, what: "a graph map", diagnostics: counted) {
            entry.warnUnknownKeys(["id", "references", "relationship", "relationship-types", "fold"])
            if let id = entry.string("id"), let relationship = entry.string("relationship") {
                graph = GraphSpec(id: HeaderKey(id).value, references: entry.strings("references").map { HeaderKey($0).value },
                                  relationship: relationship, relationshipTypes: Set(entry.strings("relationship-types")),
                                  fold: Set(entry.strings("fold")))
            }
        }
        var fieldDefinitions: XMLFieldDefinitions?
        if let node = fields.node("field-definitions"),
           let entry = YAMLFields(node, file: file, what: "a field-definitions map", diagnostics: counted) {
            entry.warnUnknownKeys(["definition", "id", "name", "field", "field-id"])
            var definitions = XMLFieldDefinitions()
            if let value = entry.string("definition", required: false) { definitions.definition = value }
            if let value = entry.string("id", required: false) { definitions.idAttribute = value }
            if let value = entry.string("name", required: false) { definitions.nameAttribute = value }
            if let value = entry.string("field", required: false) { definitions.field = value }
            if let value = entry.string("field-id", required: false) { definitions.fieldIDAttribute = value }
            fieldDefinitions = definitions
        }
        let required = fields.strings("required").compactMap { canonicalField($0, at: fields.node("required")?.mark, file: file, diagnostics: counted) }
        guard counted.errors == 0, let name, let format, let kind else { return nil }
        return ImportProfile(
            name: name, title: fields.string("title", required: false) ?? name, tool: fields.string("tool", required: false) ?? "",
            format: format, kind: kind, kindBy: kindBy, recordPath: fields.string("record-path", required: false),
            graph: graph, fieldDefinitions: fieldDefinitions, signature: signature,
            fields: map, values: values, separator: fields.string("separator", required: false)?.first,
            escape: fields.string("escape", required: false)?.first, nullMarkers: Set(fields.strings("null-markers")),
            required: required, children: children, keptWithHolder: keptWithHolder,
            genericFallback: fields.string("generic-fallback", required: false).map { $0 != "false" } ?? true,
            answerPrefixes: fields.string("answer-prefixes", required: false) == "true", file: file)
    }

    private static func valueMap(_ fields: YAMLFields, for canonical: CanonicalField, diagnostics: any DiagnosticCollector) -> ImportProfile.ValueMap {
        fields.warnUnknownKeys(["scale", "labels", "terms"])
        var map = ImportProfile.ValueMap()
        // A rating scale has 2–10 levels; a score's scale is its highest value (25, 100).
        map.scale = fields.integer("scale", in: canonical.valueType == .score ? 1...1000 : 2...10)
        if let node = fields.node("labels"), let labels = YAMLFields(node, file: fields.file, what: "a map of labels to levels", diagnostics: diagnostics) {
            for pair in labels.scalarEntries {
                guard let level = Int(pair.value), level >= 1, level <= (map.scale ?? 10) else {
                    diagnostics.emit(Diagnostic(.error, "level of '\(pair.key)' must be a whole number from 1 to \(map.scale ?? 10)",
                                                at: YAMLFields.locator(fields.file, pair.valueMark)))
                    continue
                }
                map.labels[HeaderKey(pair.key).value] = level
            }
        }
        if let node = fields.node("terms"), let terms = YAMLFields(node, file: fields.file, what: "a map of words to terms", diagnostics: diagnostics) {
            let vocabulary = termVocabulary[canonical] ?? []
            for pair in terms.scalarEntries {
                guard vocabulary.contains(pair.value) else {
                    let hint = EditDistance.hint(for: pair.value, in: vocabulary)
                    diagnostics.emit(Diagnostic(.error, "'\(pair.value)' is not a \(canonical.name) term (\(vocabulary.joined(separator: ", ")))\(hint)",
                                                at: YAMLFields.locator(fields.file, pair.valueMark)))
                    continue
                }
                map.terms[HeaderKey(pair.key).value] = pair.value
            }
        }
        return map
    }

    /// A canonical field by name, or an error with the closest name.
    private static func canonicalField(_ name: String, at mark: Mark?, file: String, diagnostics: any DiagnosticCollector) -> CanonicalField? {
        if let field = CanonicalField(name: name) { return field }
        let names = CanonicalField.allCases.map(\.name)
        let hint = EditDistance.hint(for: name, in: names)
        diagnostics.emit(Diagnostic(.error, "unknown canonical field '\(name)'\(hint)", at: YAMLFields.locator(file, mark)))
        return nil
    }
}

/// Passes diagnostics on and counts the errors among them.
final class ErrorCounter: DiagnosticCollector {
    private let base: any DiagnosticCollector
    private let count = Mutex(0)

    init(_ base: any DiagnosticCollector) {
        self.base = base
    }

    /// Errors passed on so far.
    var errors: Int { count.withLock { $0 } }

    func emit(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error { count.withLock { $0 += 1 } }
        base.emit(diagnostic)
    }
}
