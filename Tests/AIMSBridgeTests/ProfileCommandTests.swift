import Foundation
import Testing

/// Import profiles end to end: every shipped profile's fixture is detected and converted as its
/// golden file says; plain generic files match no profile; a user's profile replaces a shipped one.
@Suite struct ProfileCommandTests {
    static let fixtures: [(path: String, profile: String)] = [
        ("Fixtures/profiles/servicenow-risks-fields.csv", "servicenow-irm-risks-csv"),
        ("Fixtures/profiles/servicenow-risks-labels.csv", "servicenow-irm-risks-csv"),
        ("Fixtures/profiles/servicenow-risks-unload.xml", "servicenow-irm-risks-xml"),
        ("Fixtures/profiles/ciso-assistant-risk-scenarios.csv", "ciso-assistant-risk-scenarios"),
        ("Fixtures/profiles/ciso-assistant-applied-controls.csv", "ciso-assistant-applied-controls"),
        ("Fixtures/profiles/eramba-risks.csv", "eramba-risks"),
        ("Fixtures/profiles/simplerisk-dynamic-risk-report.csv", "simplerisk-dynamic-risk-report"),
        ("Fixtures/profiles/drata-risk-register.csv", "drata-risk-register"),
        ("Fixtures/profiles/hyperproof-risks.csv", "hyperproof-risks"),
        ("Fixtures/profiles/vanta-risk-scenarios.json", "vanta-risk-scenarios"),
        ("Fixtures/profiles/onetrust-ai-inventory.json", "onetrust-ai-inventory"),
        ("Fixtures/profiles/oscal-poam.json", "oscal-poam-risks"),
        ("Fixtures/profiles/oscal-poam.xml", "oscal-poam-risks-xml"),
        ("Fixtures/profiles/archer-risk-register-search.xml", "rsa-archer-risk-register"),
        ("Fixtures/profiles/omb-2024-ai-use-case-inventory.csv", "omb-2024-ai-use-case-inventory"),
        ("Fixtures/profiles/omb-2025-ai-use-case-inventory.csv", "omb-2025-ai-use-case-inventory"),
        ("Fixtures/profiles/omb-2025-agency-ai-use-case-form.csv", "omb-2025-agency-ai-use-case-form"),
        ("Fixtures/profiles/cyclonedx-mlbom.json", "cyclonedx-mlbom-json"),
        ("Fixtures/profiles/cyclonedx-mlbom.xml", "cyclonedx-mlbom-xml"),
        ("Fixtures/profiles/spdx3-ai-bom.json", "spdx3-ai-bom"),
    ]

    @Test(arguments: fixtures)
    func fixtureIsDetectedAndMatchesGolden(fixture: (path: String, profile: String)) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("register.json")
        let result = try TestSupport.runAIMS(["convert", fixture.path, "-o", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let name = URL(fileURLWithPath: fixture.path).lastPathComponent
        let register = try String(contentsOf: output, encoding: .utf8)
        try TestSupport.assertGolden(register, named: "profiles/\(name).json")
        try TestSupport.assertGolden(result.stderr, named: "profiles/\(name).stderr")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(register.utf8)) as? [String: Any])
        let source = try #require((document["sources"] as? [[String: Any]])?.first)
        #expect(source["profile"] as? String == fixture.profile)
        #expect(source["records"] as? Int == (source["converted"] as? Int ?? -1) + (source["rejected"] as? Int ?? -1))
        let detected = try TestSupport.runAIMS(["profiles", "detect", fixture.path])
        #expect(detected.stdout.hasPrefix("\(fixture.path): \(fixture.profile) (score "))
    }

    @Test(arguments: ["Fixtures/soa-controls.csv", "Fixtures/legacy-isms-risks-27001-2013.csv", "Fixtures/evidence-log.ndjson"])
    func plainFilesMatchNoProfile(path: String) throws {
        let detected = try TestSupport.runAIMS(["profiles", "detect", path])
        #expect(detected.stdout.hasPrefix("\(path): no profile matches"))
    }

    @Test func graphCutShortIsResolvedAsFarAsItWasRead() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("cut.json")
        try """
        {"@graph": [
          {"type": "Organization", "spdxId": "org", "name": "Acme AI"},
          {"type": "ai_AIPackage", "spdxId": "m", "name": "Model", "suppliedBy": "org"},
          {"type": "Relationship", "from": "m",
        """.write(to: input, atomically: true, encoding: .utf8)
        let result = try TestSupport.runAIMS(["convert", input.path, "--profile", "spdx3-ai-bom", "--format", "ndjson"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(input.path):4:40: error: unexpected end of file"))
        #expect(result.stderr.contains("\(input.path):1:1: note: 1 graph elements"))
        let first = try #require(result.stdout.split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect(record["supplier"] as? String == "Acme AI")
    }

    @Test func userProfileOverridesTheShippedOne() throws {
        let shipped = TestSupport.packageRoot.appendingPathComponent("Mappings/profiles/drata-risk-register.yaml")
        // Same name, but Drata's "Title" now feeds the description instead of the title.
        var text = try String(contentsOf: shipped, encoding: .utf8)
        text = text.replacingOccurrences(of: "title: Drata risk register", with: "title: Our Drata risk register")
        text += "\n"
        let folder = try TestSupport.mappingsFolder(["profiles/drata.yaml": text])
        defer { try? FileManager.default.removeItem(at: folder) }
        let profiles = folder.appendingPathComponent("profiles")
        let listed = try TestSupport.runAIMS(["profiles", "list", "--mappings", folder.path])
        #expect(listed.stdout.contains("Our Drata risk register"))
        #expect(!listed.stdout.contains("  Drata risk register"))
        let shown = try TestSupport.runAIMS(["profiles", "show", "drata-risk-register", "--mappings", folder.path])
        #expect(shown.stdout.contains("file: \(profiles.appendingPathComponent("drata.yaml").path)"))
    }

    @Test func profileFileGivenByPathIsValidated() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("mine.yaml")
        try "profile: mine\nformat: csv\nkind: risk\nfields:\n  Chance: likelyhood\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try TestSupport.runAIMS(["convert", "Fixtures/soa-controls.csv", "--profile", file.path, "-o", "/dev/null"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file.path):5:11: error: unknown canonical field 'likelyhood' — did you mean 'likelihood'?"))
    }
}
