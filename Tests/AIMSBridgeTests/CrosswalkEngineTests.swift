import Foundation
import Testing
@testable import AIMSBridge

/// The crosswalk engine on small mapping folders written by the tests.
@Suite struct CrosswalkEngineTests {
    private func folder(frameworks: [String: String], crosswalks: [String: String]) throws -> URL {
        var files: [String: String] = [:]
        for (name, text) in frameworks { files["frameworks/\(name)"] = text }
        for (name, text) in crosswalks { files["crosswalks/\(name)"] = text }
        return try TestSupport.mappingsFolder(files)
    }

    private func catalog(_ key: String, _ ids: [String]) -> String {
        "framework: \(key)\ntitle: \(key)\nrequirements:\n" + ids.map { "  - id: \"\($0)\"\n    title: T \($0)\n    kind: control\n" }.joined()
    }

    private func crosswalk(_ name: String, _ source: String, _ target: String, _ edges: [(String, String, String)]) -> String {
        "crosswalk: \(name)\nsource: \(source)\ntarget: \(target)\nbasis: test\ndate: \"2026-11-25\"\nlicence: test\nedges:\n"
            + edges.map { "  - source: \"\($0.0)\"\n    target: \"\($0.1)\"\n    relationship: \($0.2)\n    rationale: semantic\n    note: n\n" }.joined()
    }

    private func load(_ root: URL) -> (MappingLibrary, [Diagnostic]) {
        let diagnostics = DiagnosticList()
        let library = MappingsLoader.load(directories: [root.path], diagnostics: diagnostics)
        return (library, diagnostics.diagnostics)
    }

    private var small: (frameworks: [String: String], crosswalks: [String: String]) {
        (["a.yaml": catalog("a:1", ["1", "2", "3"]), "hub.yaml": catalog("hub:1", ["H1", "H2", "H3"]),
          "b.yaml": catalog("b:1", ["X", "Y", "Z"])],
         ["a-hub.yaml": crosswalk("a--hub", "a:1", "hub:1", [("1", "H1", "equal"), ("2", "H2", "subset-of"), ("3", "H3", "intersects-with")]),
          "hub-b.yaml": crosswalk("hub--b", "hub:1", "b:1", [("H1", "X", "subset-of"), ("H2", "Y", "subset-of"), ("H3", "Z", "equal"),
                                                              ("H2", "Z", "superset-of")])])
    }

    @Test func inversesAreDerived() throws {
        let root = try folder(frameworks: small.frameworks, crosswalks: small.crosswalks)
        let (library, diagnostics) = load(root)
        #expect(diagnostics.isEmpty)
        let back = library.map(RequirementKey(framework: "hub:1", id: "H2"), to: "a:1", hops: 1)
        #expect(back.map(\.target.description) == ["a:1/2"])
        #expect(back.first?.relationship == .supersetOf)
        #expect(back.first?.path.first?.derived == true)
    }

    @Test func compositionFollowsTheRules() throws {
        let root = try folder(frameworks: small.frameworks, crosswalks: small.crosswalks)
        let (library, _) = load(root)
        func via(_ id: String, _ target: String) -> String? {
            library.map(RequirementKey(framework: "a:1", id: id), to: "b:1")
                .first { $0.target.id == target }?.relationshipName
        }
        #expect(via("1", "X") == "subset-of", "equal∘subset = subset")
        #expect(via("2", "Y") == "subset-of", "subset∘subset = subset")
        #expect(via("3", "Z") == "intersects-with", "intersects∘equal = intersects")
        #expect(via("2", "Z") == "derived", "subset∘superset is indeterminate")
        #expect(library.map(RequirementKey(framework: "a:1", id: "1"), to: "b:1", hops: 1).isEmpty)
        #expect(Relationship.compose(.noRelationship, .equal) == nil)
        #expect(Relationship.compose(.supersetOf, .supersetOf) == nil)
        #expect(Relationship.compose(.related, .equal) == .related)
    }

    @Test func pathIsShown() throws {
        let root = try folder(frameworks: small.frameworks, crosswalks: small.crosswalks)
        let (library, _) = load(root)
        let result = try #require(library.map(RequirementKey(framework: "a:1", id: "1"), to: "b:1").first)
        #expect(result.pathDescription == "a:1/1 =equal=> hub:1/H1 =subset-of=> b:1/X")
    }

    @Test func missingEndpointAndDuplicateEdgeAreErrorsAtTheirLines() throws {
        let bad = crosswalk("a--hub", "a:1", "hub:1", [("1", "H1", "equal"), ("1", "H1", "related"), ("4", "H9", "equal")])
        let root = try folder(frameworks: small.frameworks, crosswalks: ["a-hub.yaml": bad])
        let (_, diagnostics) = load(root)
        let file = root.appendingPathComponent("crosswalks/a-hub.yaml").path
        #expect(diagnostics.map(\.description) == [
            "\(file):13:5: error: duplicate edge a:1/1 → hub:1/H1 in 'a--hub'",
            "\(file):18:5: error: '4' is not in a:1; nearest: '1'",
            "\(file):18:5: error: 'H9' is not in hub:1; nearest: 'H1'",
        ])
    }

    @Test func badValuesAndKeysAreReportedWithHints() throws {
        let text = """
        crosswalk: x
        source: a:1
        target: hub:1
        basis: b
        date: "2026-11-25"
        licence: l
        edges:
          - source: "1"
            target: H1
            relationship: equals
            rationale: semantic
            strength: 12
            note: n
            notes: extra
        """
        let root = try folder(frameworks: small.frameworks, crosswalks: ["x.yaml": text])
        let (_, diagnostics) = load(root)
        let file = root.appendingPathComponent("crosswalks/x.yaml").path
        #expect(diagnostics.map(\.description) == [
            "\(file):14:5: warning: unknown key 'notes' — did you mean 'note'?",
            "\(file):10:19: error: 'equals' is not a valid relationship (equal, subset-of, superset-of, intersects-with, no-relationship, related) — did you mean 'equal'?",
        ])
    }

    @Test func yamlSyntaxErrorPointsAtItsLine() throws {
        let root = try folder(frameworks: ["a.yaml": "framework: a:1\nrequirements:\n  - id: \"1\n    title: x\n"], crosswalks: [:])
        let (library, diagnostics) = load(root)
        #expect(library.catalogs.isEmpty)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.severity == .error)
        #expect(diagnostics.first?.locator?.line == 5)
        #expect(diagnostics.first?.message == "invalid YAML: while scanning a quoted scalar (from line 3, column 9) found unexpected end of stream")
    }

    @Test func laterFoldersExtendAndOverride() throws {
        let root = try folder(frameworks: small.frameworks, crosswalks: small.crosswalks)
        let user = try folder(frameworks: ["a.yaml": catalog("a:1", ["4"])],
                              crosswalks: ["mine.yaml": crosswalk("a--hub", "a:1", "hub:1", [("4", "H1", "related")])])
        let diagnostics = DiagnosticList()
        let library = MappingsLoader.load(directories: [root.path, user.path], diagnostics: diagnostics)
        #expect(diagnostics.diagnostics.isEmpty)
        #expect(library.catalog("a:1")?.requirements.map(\.id) == ["1", "2", "3", "4"])
        #expect(library.crosswalks.first { $0.name == "a--hub" }?.edges.map(\.source.id) == ["4"])
    }

    @Test func exportHasEveryEdgeBothWays() throws {
        let root = try folder(frameworks: small.frameworks, crosswalks: small.crosswalks)
        let (library, _) = load(root)
        let lines = String(decoding: CrosswalkExport.csv(library), as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "source,target,relationship,rationale,strength,derived,note")
        #expect(lines.count == 1 + 7 * 2)
        #expect(lines.contains("hub:1/H2,a:1/2,superset-of,semantic,,true,n"))
    }

    @Test func spreadsheetSafeCells() {
        #expect(SpreadsheetSafeCSV.cell("=SUM(A1)") == "'=SUM(A1)")
        #expect(SpreadsheetSafeCSV.cell("a, \"b\"") == "\"a, \"\"b\"\"\"")
        #expect(SpreadsheetSafeCSV.cell("plain") == "plain")
        #expect(SpreadsheetSafeCSV.cell("line\r\nbreak") == "\"line\r\nbreak\"")
        // A quote that a combining mark follows is doubled too.
        #expect(SpreadsheetSafeCSV.cell("a\"\u{301}b, c") == "\"a\"\"\u{301}b, c\"")
    }

    @Test func cellsAreQuotedForACommaQuoteOrLineBreakAtEveryOffset() {
        // The cell is tested 16 bytes at a time (the last block overlapping the one before, a
        // shorter cell read as its first and last 8 or 4 bytes): put each character that needs quotes (and
        // some that do not) at each position of cells of every length up to 40.
        let needing: [Character] = [",", "\"", "\n", "\r"]
        for special in needing + [";", "'", "\t", "é", "李"] {
            for (length, position) in (1...40).flatMap({ length in (0..<length).map { (length, $0) } }) {
                var characters = Array(repeating: Character("x"), count: length)
                characters[position] = special
                #expect(SpreadsheetSafeCSV.needsQuotes(String(characters)) == needing.contains(special),
                        "\(special.unicodeScalars.first!.value) at \(position) of \(length)")
            }
        }
        #expect(!SpreadsheetSafeCSV.needsQuotes(""))
    }

    @Test func requirementKeysSortAsPeopleRead() {
        let keys = ["x:1/A.5.10", "x:1/A.5.9", "x:1/Art.10", "x:1/Art.9"].compactMap(RequirementKey.init)
        #expect(keys.sorted().map(\.id) == ["A.5.9", "A.5.10", "Art.9", "Art.10"])
        // Frameworks first; the same id is not before itself.
        let a = RequirementKey(framework: "a:1", id: "Z.9"), b = RequirementKey(framework: "b:1", id: "A.1")
        #expect(a < b && !(b < a) && !(a < a))
    }

    @Test func requirementKeysAreEqualByBothTextsAndFoundAfterAChange() {
        let key = RequirementKey(framework: "iso42001:2023", id: "A.5.2")
        #expect(key == RequirementKey("iso42001:2023/A.5.2"))
        #expect(key != RequirementKey(framework: "iso27001:2022", id: "A.5.2"))
        #expect(key != RequirementKey(framework: "iso42001:2023", id: "A.5.3"))
        // "ab" + "c" and "a" + "bc" are different keys.
        #expect(RequirementKey(framework: "ab", id: "c") != RequirementKey(framework: "a", id: "bc"))
        var changed = key
        changed.id = "A.5.3"
        changed.framework = "iso27001:2022"
        let table: Set = [changed]
        #expect(table.contains(RequirementKey(framework: "iso27001:2022", id: "A.5.3")))
        #expect(!table.contains(key))
        #expect(RequirementKey("no-slash") == nil && RequirementKey("/A.1") == nil && RequirementKey("a:1/") == nil)
    }

    @Test func sortKeysPadNumbersToSixDigitsWhateverTheScript() {
        #expect(RequirementKey.sortKey("A.5.9") == "A.000005.000009")
        #expect(RequirementKey.sortKey("Art.10(2)(f)") == "Art.000010(000002)(f)")
        #expect(RequirementKey.sortKey("GOVERN 1.12") == "GOVERN 000001.000012")
        #expect(RequirementKey.sortKey("1234567x") == "1234567x")
        #expect(RequirementKey.sortKey("42") == "000042")
        #expect(RequirementKey.sortKey("") == "")
        // Not ASCII: read by characters, with the same padding.
        #expect(RequirementKey.sortKey("Anhang 3 Ü 12") == "Anhang 000003 Ü 000012")
        #expect(RequirementKey.sortKey("Art.9¹") == "Art.000009¹")
    }

    @Test func anExpanderGivesWhatTheLibraryGivesForEveryReference() throws {
        let root = try folder(frameworks: small.frameworks, crosswalks: small.crosswalks)
        let (library, _) = load(root)
        var expander = ReferenceExpander(library)
        let references = [RequirementReference(framework: "a:1", id: "2", raw: "2", resolved: true),
                          RequirementReference(framework: nil, id: "Q", raw: "Q", resolved: false),
                          RequirementReference(framework: "hub:1", id: "H2", raw: "H2", resolved: true)]
        for reference in references + references {
            #expect(expander.expanded(reference) == library.expanded(reference))
        }
        #expect(expander.expanded(references[0]).mappings.map(\.target) == ["hub:1/H2", "b:1/Y", "b:1/Z"])
        #expect(expander.expanded(references[1]).mappings.isEmpty)
    }
}
