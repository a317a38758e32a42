import Foundation
import Testing

/// `aims crosswalk …` and `aims convert --expand`, run as a user would.
@Suite struct CrosswalkCommandTests {
    @Test func checkPassesOnTheShippedData() throws {
        let result = try TestSupport.runAIMS(["crosswalk", "check"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("iso27001:2013 → iso27001:2022: "))
        #expect(result.stdout.hasSuffix("0 errors, 0 warnings\n"))
    }

    @Test func mapPrintsTargetsWithRelationshipAndPath() throws {
        let result = try TestSupport.runAIMS(["crosswalk", "map", "iso27001:2013/A.9.2.3", "--to", "iso27001:2022"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "iso27001:2013/A.9.2.3  Management of privileged access rights",
            "  equal            iso27001:2022/A.8.2  Privileged access rights",
        ])
    }

    @Test func mapOfAnUnknownIdSuggestsTheNearest() throws {
        let result = try TestSupport.runAIMS(["crosswalk", "map", "iso42001:2023/A.6.10.2"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("A.6.10.2 is not in iso42001:2023 (did you mean iso42001:2023/"))
    }

    @Test func userMappingsAreValidatedLineByLine() throws {
        let folder = try TestSupport.mappingsFolder(["crosswalks/mine.yaml": """
        crosswalk: mine
        source: iso42001:2023
        target: iso27001:2022
        basis: ours
        date: "2026-11-25"
        licence: ours
        edges:
          - source: A.6.2.4
            target: A.8.29
            relationship: intersects-with
            rationale: semantic
            note: Verification and validation meet security testing.
          - source: A.6.2.44
            target: A.8.29
            relationship: related
            rationale: semantic
            note: Typo in the source id.
        """])
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("crosswalks/mine.yaml")
        let result = try TestSupport.runAIMS(["crosswalk", "check", "--mappings", folder.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(file.path):13:5: error: 'A.6.2.44' is not in iso42001:2023; nearest: 'A.6.2.4'"))
    }

    @Test func exportWritesEveryEdgeBothWays() throws {
        let result = try TestSupport.runAIMS(["crosswalk", "export", "--format", "csv"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "source,target,relationship,rationale,strength,derived,note")
        #expect(lines.contains { $0.hasPrefix("iso27001:2022/A.8.15,iso27001:2013/A.12.4.1,superset-of,") && $0.contains(",true,") })
        let oscal = try TestSupport.runAIMS(["crosswalk", "export", "--format", "oscal"])
        let document = try JSONSerialization.jsonObject(with: Data(oscal.stdout.utf8)) as? [String: Any]
        let collection = document?["mapping-collection"] as? [String: Any]
        #expect((collection?["mappings"] as? [Any])?.count ?? 0 >= 4)
        #expect(try TestSupport.runAIMS(["crosswalk", "export", "--format", "oscal"]).stdout == oscal.stdout)
    }

    @Test func convertExpandAddsMappingsToResolvedReferences() throws {
        let result = try TestSupport.runAIMS(["convert", "Fixtures/legacy-isms-risks-27001-2013.csv", "--format", "ndjson", "--expand", "-q"])
        #expect(result.status == 0)
        let first = try #require(result.stdout.split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let refs = try #require(record["refs"] as? [[String: Any]])
        let mappings = try #require(refs.first?["mappings"] as? [[String: Any]])
        #expect(refs.first?["id"] as? String == "A.9.2.3")
        #expect(mappings.contains { $0["target"] as? String == "iso27001:2022/A.8.2" && $0["relationship"] as? String == "equal" })
    }
}
