/// How an export is a graph of elements that refer to each other by id (SPDX 3.0 JSON-LD):
/// which field identifies an element, which fields hold ids of other elements, and which
/// elements are relationships between others.
public struct GraphSpec: Sendable {
    /// The field holding an element's id (`spdxId`), as a header key.
    public var id: String
    /// Fields holding ids of other elements (`suppliedBy`), as header keys, each replaced by the
    /// referenced element's `name` field (the id is kept under `<field>@id`).
    public var references: [String]
    /// The `type` value of relationship elements (`Relationship`).
    public var relationship: String
    /// The relationship types to carry onto the elements they join (`trainedOn`, `testedOn`).
    public var relationshipTypes: Set<String>
    /// The `type` values of elements that only describe others (agents, relationships, creation
    /// info, documents): used in resolving, then folded rather than converted. Elements of other
    /// types the profile does not convert go on to be rejected with the reason.
    public var fold: Set<String>
}

/// Resolves a graph export before normalizing: references become names, relationships become
/// fields of the elements they join (`trainedOn: [dataset names]` on the source,
/// `linkedFrom.trainedOn: [system names]` on the target), and elements of the types the spec
/// folds (organisations, relationships, creation info) are used up rather than converted.
/// The whole graph is held in memory, so it is bounded by `limit` elements.
enum GraphResolver {
    static let limit = 200_000

    /// The records to convert, resolved, and how many elements were folded into them.
    static func resolve(_ items: [IngestItem], spec: GraphSpec, profile: ImportProfile) -> (items: [IngestItem], folded: Int) {
        let records = items.compactMap { item -> SourceRecord? in
            if case .record(let record) = item { return record } else { return nil }
        }
        var byID: [String: SourceRecord] = [:]
        for record in records {
            if case .text(let id)? = record.value(forKey: spec.id) { byID[id] = record }
        }
        func name(_ id: String) -> String {
            byID[id].flatMap { $0.value(forKey: "name")?.joined(separator: ", ") } ?? id
        }
        var outgoing: [String: [(type: String, names: [String])]] = [:]
        var incoming: [String: [(type: String, names: [String])]] = [:]
        let typeKey = profile.kindBy?.field ?? "type"
        func type(of record: SourceRecord) -> String? { record.value(forKey: typeKey)?.joined(separator: "") }
        for record in records where type(of: record) == spec.relationship {
            guard let type = record.value(forKey: "relationshiptype")?.joined(separator: ""), spec.relationshipTypes.contains(type),
                  case .text(let from)? = record.value(forKey: "from"), let to = record.value(forKey: "to")?.strings else { continue }
            outgoing[from, default: []].append((type, to.map(name)))
            for target in to { incoming[target, default: []].append((type, [name(from)])) }
        }
        var result: [IngestItem] = []
        var folded = 0
        for item in items {
            guard case .record(var record) = item else {
                result.append(item)
                continue
            }
            // Elements that describe others were used above, not converted.
            if let type = type(of: record), spec.fold.contains(type) {
                folded += 1
                continue
            }
            var fields: [SourceField] = []
            for field in record.fields {
                if spec.references.contains(HeaderKey(field.path).value) {
                    fields.append(SourceField(path: field.path, value: .list(field.value.strings.map(name))))
                    fields.append(SourceField(path: "\(field.path)@id", value: field.value))
                } else {
                    fields.append(field)
                }
            }
            if case .text(let id)? = record.value(forKey: spec.id) {
                for link in outgoing[id] ?? [] { fields.append(SourceField(path: link.type, value: .list(link.names))) }
                for link in incoming[id] ?? [] { fields.append(SourceField(path: "linkedFrom.\(link.type)", value: .list(link.names))) }
            }
            record.fields = fields
            result.append(.record(record))
        }
        return (result, folded)
    }
}
