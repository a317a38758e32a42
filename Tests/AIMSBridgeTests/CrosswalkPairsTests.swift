import Testing
@testable import AIMSBridge

/// A few known pairs of each shipped crosswalk, and the composition rules on real paths.
@Suite struct CrosswalkPairsTests {
    static let library = ShippedMappingsTests.load().0

    /// The relationship of the direct (one-edge) mapping from `source` to `target`, if any.
    private func direct(_ source: String, _ target: String) -> String? {
        let key = RequirementKey(source)!
        let targetKey = RequirementKey(target)!
        return Self.library.map(key, to: targetKey.framework, hops: 1).first { $0.target == targetKey }?.relationshipName
    }

    @Test(arguments: [
        // 27001:2013 → 2022: merged, renamed and the clause-10 swap.
        ("iso27001:2013/A.12.4.1", "iso27001:2022/A.8.15", "subset-of"),
        ("iso27001:2013/A.9.2.3", "iso27001:2022/A.8.2", "equal"),
        ("iso27001:2013/A.5.1.1", "iso27001:2022/A.5.1", "subset-of"),
        ("iso27001:2013/10.1", "iso27001:2022/10.2", "equal"),
        ("iso27001:2013/10.2", "iso27001:2022/10.1", "equal"),
        // 42001 ↔ 27001:2022: harmonized structure and Annex A topics.
        ("iso42001:2023/A.6.2.8", "iso27001:2022/A.8.15", "intersects-with"),
        ("iso42001:2023/A.2.2", "iso27001:2022/A.5.1", "intersects-with"),
        ("iso42001:2023/A.10.3", "iso27001:2022/A.5.19", "intersects-with"),
        ("iso42001:2023/6.1.2", "iso27001:2022/6.1.2", "intersects-with"),
        // 42001 ↔ EU AI Act.
        ("iso42001:2023/A.6.2.8", "eu-ai-act:2024/Art.12(1)", "intersects-with"),
        ("iso42001:2023/6.1.2", "eu-ai-act:2024/Art.9(2)", "intersects-with"),
        // 42001 ↔ NIST AI RMF.
        ("iso42001:2023/A.2.2", "nist-ai-rmf:1.0/GOVERN 1.2", "intersects-with"),
        ("iso42001:2023/A.10.3", "nist-ai-rmf:1.0/GOVERN 6.1", "intersects-with"),
        // 42001 ↔ 9001:2015, minding the traps: 8.2 is another topic, improvement is 10.3.
        ("iso42001:2023/8.2", "iso9001:2015/8.2", "no-relationship"),
        ("iso42001:2023/10.1", "iso9001:2015/10.3", "subset-of"),
        ("iso42001:2023/A.10.3", "iso9001:2015/8.4", "intersects-with"),
        // 42001 ↔ 23894:2023 risk management.
        ("iso42001:2023/6.1.2", "iso23894:2023/6.4", "intersects-with"),
        ("iso42001:2023/A.6.2.6", "iso23894:2023/6.6", "intersects-with"),
        // Inverses are derived.
        ("iso27001:2022/A.8.15", "iso27001:2013/A.12.4.1", "superset-of"),
        ("eu-ai-act:2024/Art.12(1)", "iso42001:2023/A.6.2.8", "intersects-with"),
    ])
    func knownPair(source: String, target: String, relationship: String) {
        #expect(direct(source, target) == relationship)
    }

    @Test func legacyControlReachesTheAIControlThroughThe2022Edition() throws {
        let results = Self.library.map(RequirementKey("iso27001:2013/A.12.4.1")!, to: "iso42001:2023")
        let logging = try #require(results.first { $0.target.id == "A.6.2.8" && $0.path[0].target.id == "A.8.15" })
        // subset-of ∘ (inverse of intersects-with) cannot be told: shown as derived, never as a firm mapping.
        #expect(logging.relationshipName == "derived")
        #expect(logging.pathDescription
                == "iso27001:2013/A.12.4.1 =subset-of=> iso27001:2022/A.8.15 =intersects-with (inverse)=> iso42001:2023/A.6.2.8")
    }

    @Test func equalEdgesCarryTheOtherRelationshipThrough() throws {
        // 2013 A.9.2.3 equal 2022 A.8.2: whatever 2022 A.8.2 maps to, 2013 A.9.2.3 maps to alike.
        let viaEqual = Self.library.map(RequirementKey("iso27001:2013/A.9.2.3")!, hops: 2).filter { $0.path.count == 2 }
        for result in viaEqual where result.path[0].relationship == .equal {
            #expect(result.relationship == result.path[1].relationship)
        }
    }

    @Test func noRelationshipEdgesAreNeverComposed() {
        for crosswalk in Self.library.crosswalks {
            for edge in crosswalk.edges where edge.relationship == .noRelationship {
                let onward = Self.library.map(edge.source, hops: 2).filter { $0.path.count == 2 && $0.path[0].target == edge.target }
                #expect(onward.isEmpty)
            }
        }
    }

    @Test func everyLegacyControlUpgrades() throws {
        let catalog = try #require(Self.library.catalog("iso27001:2013"))
        for control in catalog.requirements where control.kind == "control" {
            let upgraded = Self.library.map(RequirementKey(framework: "iso27001:2013", id: control.id), to: "iso27001:2022", hops: 1)
            #expect(!upgraded.isEmpty, "\(control.id) has no 2022 counterpart")
        }
    }
}
