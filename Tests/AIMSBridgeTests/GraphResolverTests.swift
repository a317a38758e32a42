import Testing
@testable import AIMSBridge

/// Graph exports (SPDX 3.0): references and relationships resolved before normalizing.
@Suite struct GraphResolverTests {
    private func element(_ fields: [(String, FieldValue)], ordinal: Int) -> IngestItem {
        .record(SourceRecord(fields: fields.map { SourceField(path: $0.0, value: $0.1) },
                             locator: Locator(file: "g.json", line: ordinal + 1), ordinal: ordinal))
    }

    private func spdxProfile() throws -> ImportProfile {
        let diagnostics = DiagnosticList()
        let profile = ProfileLoader.load(file: "Mappings/profiles/spdx3-ai-bom.yaml", diagnostics: diagnostics)
        #expect(diagnostics.diagnostics.isEmpty)
        return try #require(profile)
    }

    @Test func resolvesReferencesAndRelationshipsAndFoldsTheRest() throws {
        let profile = try spdxProfile()
        let items = [
            element([("type", .text("Organization")), ("spdxId", .text("org")), ("name", .text("Acme"))], ordinal: 0),
            element([("type", .text("ai_AIPackage")), ("spdxId", .text("m")), ("name", .text("Model")),
                     ("suppliedBy", .text("org"))], ordinal: 1),
            element([("type", .text("dataset_DatasetPackage")), ("spdxId", .text("d")), ("name", .text("Data")),
                     ("suppliedBy", .text("unknown-org"))], ordinal: 2),
            element([("type", .text("Relationship")), ("from", .text("m")), ("relationshipType", .text("trainedOn")),
                     ("to", .list(["d"]))], ordinal: 3),
            element([("type", .text("Relationship")), ("from", .text("m")), ("relationshipType", .text("contains")),
                     ("to", .list(["d"]))], ordinal: 4),
            element([("type", .text("software_Package")), ("spdxId", .text("lib")), ("name", .text("numpy"))], ordinal: 5),
        ]
        let resolved = GraphResolver.resolve(items, spec: try #require(profile.graph), profile: profile)
        #expect(resolved.folded == 3)
        let records = resolved.items.compactMap { item -> [String: [String]]? in
            guard case .record(let record) = item else { return nil }
            return Dictionary(record.fields.map { ($0.path, $0.value.strings) }, uniquingKeysWith: { $1 })
        }
        // A type the profile neither converts nor folds goes on, to be rejected with the reason.
        #expect(records.count == 3)
        #expect(records[2]["type"] == ["software_Package"])
        #expect(records[0]["suppliedBy"] == ["Acme"])
        #expect(records[0]["suppliedBy@id"] == ["org"])
        #expect(records[0]["trainedOn"] == ["Data"])
        #expect(records[0]["contains"] == nil)
        // A reference to an element that is not in the graph keeps its id.
        #expect(records[1]["suppliedBy"] == ["unknown-org"])
        #expect(records[1]["linkedFrom.trainedOn"] == ["Model"])
    }
}
