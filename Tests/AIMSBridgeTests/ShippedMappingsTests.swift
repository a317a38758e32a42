import Foundation
import Testing
@testable import AIMSBridge

/// The catalogs and crosswalks shipped in `Mappings/`: they load without problems, match the
/// reference identifier lists in `../shared/reference/`, and map known pairs as expected.
@Suite struct ShippedMappingsTests {
    static let mappings = TestSupport.packageRoot.appendingPathComponent("Mappings").path
    static let reference = TestSupport.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")

    static func load() -> (MappingLibrary, [Diagnostic]) {
        let diagnostics = DiagnosticList()
        let library = MappingsLoader.load(directories: [mappings], diagnostics: diagnostics)
        return (library, diagnostics.diagnostics)
    }

    @Test func shippedMappingsHaveNoProblems() {
        let (library, diagnostics) = Self.load()
        #expect(diagnostics.map(\.description) == [])
        #expect(library.catalogs.map(\.framework).sorted() == [
            "eu-ai-act:2024", "iso23894:2023", "iso27001:2013", "iso27001:2022", "iso42001:2023", "iso9001:2015", "nist-ai-rmf:1.0",
        ])
    }

    /// The ids of one column of a reference TSV or CSV file.
    private func referenceIDs(_ file: String, column: String, separator: Character, where filter: ([String: String]) -> Bool = { _ in true })
        throws -> [String] {
        let url = Self.reference.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return lines.dropFirst().compactMap { line -> String? in
            let cells = line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            let row = Dictionary(uniqueKeysWithValues: zip(header, cells))
            return filter(row) ? row[column] : nil
        }
    }

    @Test(arguments: [
        ("iso42001-2023.tsv", "iso42001:2023"), ("iso27001-2022.tsv", "iso27001:2022"),
        ("iso9001-2015.tsv", "iso9001:2015"), ("iso23894-2023.tsv", "iso23894:2023"),
    ])
    func isoCatalogMatchesTheReference(file: String, framework: String) throws {
        let (library, _) = Self.load()
        let catalog = try #require(library.catalog(framework))
        let expected = try referenceIDs(file, column: "ref_id", separator: "\t")
        #expect(Set(catalog.requirements.map(\.id)) == Set(expected))
        #expect(catalog.requirements.count == expected.count)
    }

    @Test func euAIActCatalogHasEveryArticleAndAnnex() throws {
        let (library, _) = Self.load()
        let catalog = try #require(library.catalog("eu-ai-act:2024"))
        let articles = try referenceIDs("eu-ai-act-2024.tsv", column: "id", separator: "\t") { $0["kind"] == "article" }
        let annexes = try referenceIDs("eu-ai-act-2024.tsv", column: "id", separator: "\t") { $0["kind"] == "annex" }
        #expect(articles.count == 113 && annexes.count == 13)
        let ids = Set(catalog.requirements.map(\.id))
        #expect(articles.allSatisfy { ids.contains("Art.\($0)") })
        #expect(annexes.allSatisfy { ids.contains("Annex.\($0)") })
        #expect(catalog.requirements.filter { $0.kind == "article" }.count == 113)
        #expect(catalog.requirements.filter { $0.kind == "annex" }.count == 13)
    }

    @Test func nistCatalogHasThe72Subcategories() throws {
        let (library, _) = Self.load()
        let catalog = try #require(library.catalog("nist-ai-rmf:1.0"))
        // The subcategory id is the first, quoted, column (later columns hold commas).
        let text = try String(contentsOf: Self.reference.appendingPathComponent("nist-ai-rmf-1.0.csv"), encoding: .utf8)
        let expected = text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            line.split(separator: "\"", omittingEmptySubsequences: true).first.map(String.init)
        }
        #expect(Set(catalog.requirements.filter { $0.kind == "subcategory" }.map(\.id)) == Set(expected))
        #expect(expected.count == 72)
    }

    @Test func iso27001_2013HasThe114Controls() throws {
        let (library, _) = Self.load()
        let catalog = try #require(library.catalog("iso27001:2013"))
        let controls = catalog.requirements.filter { $0.kind == "control" }.map(\.id)
        #expect(controls.count == 114)
        #expect(Set(controls) == Set(AnnexIdentifiers.iso27001_2013))
    }

    @Test func catalogsAgreeWithTheReferenceParserIdentifiers() throws {
        let (library, _) = Self.load()
        #expect(Set(try #require(library.catalog("iso42001:2023")).requirements.filter { $0.kind == "control" }.map(\.id))
                == Set(AnnexIdentifiers.iso42001_2023))
        #expect(Set(try #require(library.catalog("iso27001:2022")).requirements.filter { $0.kind == "control" }.map(\.id))
                == Set(AnnexIdentifiers.iso27001_2022))
    }

    @Test func catalogsHoldNoISORequirementText() throws {
        let (library, _) = Self.load()
        for catalog in library.catalogs where catalog.framework.hasPrefix("iso") {
            #expect(catalog.requirements.allSatisfy { $0.text == nil }, "\(catalog.framework)")
            #expect(catalog.requirements.allSatisfy { $0.title.count <= 120 }, "\(catalog.framework)")
        }
    }
}
