import Testing
@testable import AIMSBridge

@Suite struct RequirementReferenceParserTests {
    private let parser = RequirementReferenceParser()

    /// Parses a one-reference cell and checks it fully.
    private func one(_ cell: String, _ framework: String?, _ id: String, resolved: Bool = true, column: String? = nil,
                     warning: String? = nil) {
        let (refs, warnings) = parser.parse(cell, columnFramework: column)
        #expect(refs == [RequirementReference(framework: framework, id: id, raw: cell.trimmingSpaces, resolved: resolved)], "\(cell)")
        #expect(warnings == (warning.map { [$0] } ?? []), "\(cell)")
    }

    private func parse(_ cell: String, with parser: inout RequirementReferenceParser, encoding: Bool,
                       keeping: Bool = true) -> RequirementReferenceParser.ParsedCell {
        cell.withUTF8Bytes { parser.parseRemembering(utf8: $0, columnFramework: nil, encoding: encoding, keepingReferences: keeping) }
    }

    @Test func referencesJSONIsTheRegistersJSONOfTheReferences() {
        // Pieces read once and looked up later, a requirement named twice (kept once), pieces of
        // no reference, and a cell of none; encoded alone, the same JSON and count, no values.
        var remembering = RequirementReferenceParser()
        let cells = ["A.5.2; A.9.2; 27001:A.8.16", "ISO 42001 A.5.2; A.5.2; A.5.3", "DCF-181", "", "ISO 27001 A.5.1, A.5.2 | GOVERN 1.1, 1.2",
                     "A.5.2; A.9.2; 27001:A.8.16", "Art. 10(2), (3); \"quoted\" A.6.2.4"]
        for cell in cells {
            let parsed = parse(cell, with: &remembering, encoding: true)
            var written = JSONBuffer()
            RegisterEncoding.writeReferences(parsed.references, into: &written)
            #expect(parsed.encodedReferences.map { #""refs":"# + String(decoding: $0, as: UTF8.self) }
                    == String(decoding: written.bytes, as: UTF8.self), "\(cell)")
            #expect(parse(cell, with: &remembering, encoding: false).encodedReferences == nil)
            let encodedOnly = parse(cell, with: &remembering, encoding: true, keeping: false)
            #expect(encodedOnly.references.isEmpty && encodedOnly.count == parsed.references.count, "\(cell)")
            #expect(encodedOnly.encodedReferences == parsed.encodedReferences && encodedOnly.warnings == parsed.warnings
                    && encodedOnly.unrecognised == parsed.unrecognised, "\(cell)")
        }
        let twice = parse(cells[1], with: &remembering, encoding: true)
        #expect(twice.references.map(\.id) == ["A.5.2", "A.5.3"])
    }

    @Test func iso42001() {
        one("A.6.2.4", "iso42001:2023", "A.6.2.4")
        one("ISO 42001 A.6.2.4", "iso42001:2023", "A.6.2.4")
        one("ISO/IEC 42001:2023 A.6.2.4", "iso42001:2023", "A.6.2.4")
        one("42001:A.5.4", "iso42001:2023", "A.5.4")
        one("42001 A.5.4", "iso42001:2023", "A.5.4")
        one("42001 6.1.2", "iso42001:2023", "6.1.2")
        one("ISO 42001 Annex A.6.2.4", "iso42001:2023", "A.6.2.4")
        one("a 6.2.4", "iso42001:2023", "A.6.2.4")
        one("  A.6.2.4  ", "iso42001:2023", "A.6.2.4")
        #expect(RequirementReference(framework: "iso42001:2023", id: "A.6.2.4", raw: "A.6.2.4", resolved: true).key
            == "iso42001:2023/A.6.2.4")
    }

    @Test func iso27001() {
        one("27001 A.8.15", "iso27001:2022", "A.8.15")
        one("ISO 27001:2022 A.5.12", "iso27001:2022", "A.5.12")
        one("27001:2013 A.12.4.1", "iso27001:2013", "A.12.4.1")
        one("ISO27001-2013 A.12.4.1", "iso27001:2013", "A.12.4.1")
        // Without a year, the three-level shape is the 2013 edition.
        one("27001 A.12.4.1", "iso27001:2013", "A.12.4.1")
        one("ISO 27001 A.8.24", "iso27001:2022", "A.8.24")
        one("27001 6.1.3", "iso27001:2022", "6.1.3")
        one("27001 A.9.9", "iso27001:2022", "A.9.9", resolved: false, warning: "A.9.9 is not in iso27001:2022; nearest: A.5.9")
        one("A.12.4.1", "iso27001:2013", "A.12.4.1")
        one("A.8.15", "iso27001:2022", "A.8.15")
    }

    @Test func otherIsoStandards() {
        one("9001 8.5.1", "iso9001:2015", "8.5.1")
        one("ISO 9001:2015 clause 8.5.1", "iso9001:2015", "8.5.1")
        one("23894 6.4.2", "iso23894:2023", "6.4.2")
        one("ISO 9001 8.9.9", "iso9001:2015", "8.9.9", resolved: false, warning: "8.9.9 is not in iso9001:2015; nearest: 8.2.1")
        let (refs, warnings) = parser.parse("ISO 9001:2008 7.5.1")
        #expect(refs == [RequirementReference(framework: "iso9001:2008", id: "7.5.1", raw: "ISO 9001:2008 7.5.1", resolved: false)])
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("unsupported edition 'iso9001:2008'") == true)
    }

    @Test func euAIAct() {
        one("EU AI Act Art. 10(2)(f)", "eu-ai-act:2024", "Art.10(2)(f)")
        one("AI Act Article 14(4)(b)", "eu-ai-act:2024", "Art.14(4)(b)")
        one("Art 9", "eu-ai-act:2024", "Art.9")
        one("Article 14", "eu-ai-act:2024", "Art.14")
        one("Annex III", "eu-ai-act:2024", "Annex.III")
        one("EU AI Act Annex IV", "eu-ai-act:2024", "Annex.IV")
        one("Art. 113", "eu-ai-act:2024", "Art.113")
        one("Art. 114", "eu-ai-act:2024", "Art.114", resolved: false, warning: "Art.114 is not in eu-ai-act:2024; nearest: Art.11")
        one("Annex XIV", "eu-ai-act:2024", "Annex.XIV", resolved: false, warning: "Annex.XIV is not in eu-ai-act:2024; nearest: Annex.IV")
        #expect(RequirementReference(framework: "eu-ai-act:2024", id: "Art.10(2)(f)", raw: "", resolved: true).key
            == "eu-ai-act:2024/Art.10(2)(f)")
    }

    @Test func euAIActLists() {
        let (refs, warnings) = parser.parse("Art. 10(2), (3)")
        #expect(refs.map(\.key) == ["eu-ai-act:2024/Art.10(2)", "eu-ai-act:2024/Art.10(3)"])
        #expect(refs.allSatisfy { $0.raw == "Art. 10(2), (3)" && $0.resolved })
        #expect(warnings.isEmpty)
        let list = parser.parse("Art. 9, 10, 14")
        #expect(list.references.map(\.key) == ["eu-ai-act:2024/Art.9", "eu-ai-act:2024/Art.10", "eu-ai-act:2024/Art.14"])
        #expect(list.references.map(\.raw) == ["Art. 9", "10", "14"])
    }

    @Test func nist() {
        one("GOVERN 1.1", "nist-ai-rmf:1.0", "GOVERN 1.1")
        one("MAP 2.3", "nist-ai-rmf:1.0", "MAP 2.3")
        one("MEASURE 2.11", "nist-ai-rmf:1.0", "MEASURE 2.11")
        one("MANAGE 4.1", "nist-ai-rmf:1.0", "MANAGE 4.1")
        one("GV-1.1", "nist-ai-rmf:1.0", "GOVERN 1.1")
        one("NIST AI RMF Measure 1.3", "nist-ai-rmf:1.0", "MEASURE 1.3")
        one("GOVERN 1.8", "nist-ai-rmf:1.0", "GOVERN 1.8", resolved: false, warning: "GOVERN 1.8 is not in nist-ai-rmf:1.0; nearest: GOVERN 1.1")
        let (refs, _) = parser.parse("GOVERN 1.1, 1.2")
        #expect(refs.map(\.key) == ["nist-ai-rmf:1.0/GOVERN 1.1", "nist-ai-rmf:1.0/GOVERN 1.2"])
    }

    @Test func ambiguousBareIds() {
        one("A.5.2", nil, "A.5.2", resolved: false,
            warning: "ambiguous reference 'A.5.2': ISO/IEC 42001:2023 or ISO/IEC 27001:2022; name the framework in the column header or the cell")
        one("A.6.1.2", nil, "A.6.1.2", resolved: false,
            warning: "ambiguous reference 'A.6.1.2': ISO/IEC 42001:2023 or ISO/IEC 27001:2013; name the framework in the column header or the cell")
        one("A.99.1", nil, "A.99.1", resolved: false,
            warning: "unknown requirement 'A.99.1': not in the Annex A of ISO/IEC 42001:2023, ISO/IEC 27001:2022 or ISO/IEC 27001:2013")
        one("8.5.1", nil, "8.5.1", resolved: false,
            warning: "clause '8.5.1' names no framework; name the framework in the column header or the cell")
    }

    @Test func columnFramework() {
        one("A.5.2", "iso27001:2022", "A.5.2", column: "iso27001:2022")
        one("A.5.2", "iso42001:2023", "A.5.2", column: "ISO/IEC 42001")
        one("A.12.4.1", "iso27001:2013", "A.12.4.1", column: "27001")
        one("A.5.1.1", "iso27001:2013", "A.5.1.1", column: "Annex A control (27001:2013)")
        one("A.8.15", "iso27001:2013", "A.8.15", resolved: false, column: "iso27001:2013",
            warning: "A.8.15 is not in iso27001:2013; nearest: A.8.1")
        one("8.5.1", "iso9001:2015", "8.5.1", column: "ISO 9001")
        one("6", "iso42001:2023", "6", column: "iso42001:2023")
        one("10", "eu-ai-act:2024", "Art.10", column: "EU AI Act")
        // The cell's own framework beats the column's.
        one("27001 A.5.2", "iso27001:2022", "A.5.2", column: "iso42001:2023")
        // A column naming no known framework is ignored.
        one("A.6.2.4", "iso42001:2023", "A.6.2.4", column: "Reference")
        #expect(RequirementReferenceParser.frameworkKey("ISO/IEC 27001:2013") == "iso27001:2013")
        #expect(RequirementReferenceParser.frameworkKey("27001") == "iso27001:2022")
        #expect(RequirementReferenceParser.frameworkKey("42001 controls") == "iso42001:2023")
        #expect(RequirementReferenceParser.frameworkKey("EU AI Act") == "eu-ai-act:2024")
        #expect(RequirementReferenceParser.frameworkKey("nist-ai-rmf:1.0") == "nist-ai-rmf:1.0")
        #expect(RequirementReferenceParser.frameworkKey("Owner") == nil)
    }

    @Test func multiReferenceCells() {
        let (refs, warnings) = parser.parse("A.6.2.4; 27001:A.5.12; GOVERN 1.1")
        #expect(refs == [
            RequirementReference(framework: "iso42001:2023", id: "A.6.2.4", raw: "A.6.2.4", resolved: true),
            RequirementReference(framework: "iso27001:2022", id: "A.5.12", raw: "27001:A.5.12", resolved: true),
            RequirementReference(framework: "nist-ai-rmf:1.0", id: "GOVERN 1.1", raw: "GOVERN 1.1", resolved: true),
        ])
        #expect(warnings.isEmpty)

        let mixed = parser.parse("ISO 27001 A.5.1, A.5.2 | Art. 14\nA.6.2.4, Annex III")
        #expect(mixed.references.map(\.key) == [
            "iso27001:2022/A.5.1", "iso27001:2022/A.5.2", "eu-ai-act:2024/Art.14", "iso42001:2023/A.6.2.4",
            "eu-ai-act:2024/Annex.III",
        ])
        #expect(mixed.warnings.isEmpty)

        let titled = parser.parse("A.5.1 Policies for information security, 5.2 Roles, and more; A.8.2 and A.8.3")
        #expect(titled.references.map(\.id) == ["A.5.1", "5.2", "A.8.2", "A.8.3"])
        #expect(titled.references[0].raw == "A.5.1 Policies for information security")
    }

    @Test func moreShapes() {
        one("(A.6.2.4)", "iso42001:2023", "A.6.2.4")
        one("ISO 27001: A.5.1", "iso27001:2022", "A.5.1")
        one("ISO 27001:2022 Annex A 5.12", "iso27001:2022", "A.5.12")
        one("ISO 9001 §8.5.1", "iso9001:2015", "8.5.1")
        one("Clause 6.1.2 (ISO 42001)", "iso42001:2023", "6.1.2")
        one("23894 B.3", "iso23894:2023", "B.3")
        one("MG4.1", "nist-ai-rmf:1.0", "MANAGE 4.1")
        one("A.6.2.4 AI system impact assessment", "iso42001:2023", "A.6.2.4")
        let eu = parser.parse("EU AI Act, Art. 9")
        #expect(eu.references.map(\.key) == ["eu-ai-act:2024/Art.9"])
        #expect(eu.warnings.isEmpty)
        let names = parser.parse("27001, 42001")
        #expect(names.references.isEmpty)
        #expect(names.warnings == ["no requirement reference recognised in '27001'", "no requirement reference recognised in '42001'"])
        let clauses = parser.parse("ISO 42001 4.1, 5.2, 6.1.2")
        #expect(clauses.references.map(\.key) == ["iso42001:2023/4.1", "iso42001:2023/5.2", "iso42001:2023/6.1.2"])
        let slash = parser.parse("A.6.2.4/A.6.2.5")
        #expect(slash.references.map(\.key) == ["iso42001:2023/A.6.2.4", "iso42001:2023/A.6.2.5"])
        let both = parser.parse("Article 6(2) and Annex III")
        #expect(both.references.map(\.key) == ["eu-ai-act:2024/Art.6(2)", "eu-ai-act:2024/Annex.III"])
    }

    /// Every identifier, written as its own key, parses back to itself.
    @Test func keysRoundTrip() {
        var keys: [String] = []
        keys += AnnexIdentifiers.iso42001_2023.map { "iso42001:2023/\($0)" }
        keys += RequirementIdentifiers.iso42001_2023Clauses.map { "iso42001:2023/\($0)" }
        keys += AnnexIdentifiers.iso27001_2022.map { "iso27001:2022/\($0)" }
        keys += AnnexIdentifiers.iso27001_2013.map { "iso27001:2013/\($0)" }
        keys += RequirementIdentifiers.iso9001_2015Clauses.map { "iso9001:2015/\($0)" }
        keys += RequirementIdentifiers.iso23894_2023Clauses.filter { $0.contains(".") || $0.first!.isNumber }
            .map { "iso23894:2023/\($0)" }
        keys += RequirementIdentifiers.nistAIRMFSubcategories.map { "nist-ai-rmf:1.0/\($0)" }
        keys += (1...113).map { "eu-ai-act:2024/Art.\($0)" }
        keys += RequirementIdentifiers.euAIActAnnexes.map { "eu-ai-act:2024/Annex.\($0)" }
        for key in keys {
            let (refs, warnings) = parser.parse(key)
            #expect(refs.map(\.key) == [key], "\(key)")
            #expect(refs.first?.resolved == true, "\(key)")
            #expect(warnings.isEmpty, "\(key)")
        }
    }

    @Test func dedupeKeepsOrder() {
        let (refs, warnings) = parser.parse("A.6.2.4; ISO 42001 A.6.2.4; GOVERN 1.1; a.6.2.4")
        #expect(refs.map(\.key) == ["iso42001:2023/A.6.2.4", "nist-ai-rmf:1.0/GOVERN 1.1"])
        #expect(refs[0].raw == "A.6.2.4")
        #expect(warnings.isEmpty)
    }

    @Test func notReferences() {
        for cell in ["see policy", "ISO 27002 8.15", "2025", "n/a"] {
            let (refs, warnings) = parser.parse(cell)
            #expect(refs.isEmpty, "\(cell)")
            #expect(warnings == ["no requirement reference recognised in '\(cell)'"], "\(cell)")
        }
        let empty = parser.parse(" ; ")
        #expect(empty.references.isEmpty && empty.warnings.isEmpty)
        let partly = parser.parse("A.6.2.4; see policy")
        #expect(partly.references.map(\.key) == ["iso42001:2023/A.6.2.4"])
        #expect(partly.warnings == ["no requirement reference recognised in 'see policy'"])
    }

    @Test func aCellOfManyReferencesKeepsEachOnceInOrder() {
        // Past 32 references a cell's are hashed to find repeats; the result is the same.
        let ids = AnnexIdentifiers.iso27001_2022.prefix(60)
        let cell = (ids + ids.reversed() + ids).map { "27001:\($0)" }.joined(separator: "; ")
        let parsed = parser.parse(cell)
        #expect(parsed.references.map(\.id) == Array(ids))
        #expect(parsed.warnings.isEmpty)

        // 40 × 61 references to compare: hashed.
        var list = Array(parsed.references.prefix(40))
        list.appendNew(ids.reversed().map { RequirementReference(framework: "iso27001:2022", id: $0, raw: $0, resolved: true) }
                       + [RequirementReference(framework: "iso42001:2023", id: "A.5.2", raw: "A.5.2", resolved: true)])
        #expect(list.map(\.key) == (ids.prefix(40) + ids.dropFirst(40).reversed()).map { "iso27001:2022/\($0)" } + ["iso42001:2023/A.5.2"])
    }

    @Test func aCellKeepsItsFirstTwentyWarningsAndCountsTheRest() {
        let cell = (1...30).map { "A.9.9.\($0)" }.joined(separator: "; ")
        let parsed = parser.parse(cell)
        #expect(parsed.references.count == 30)
        #expect(parsed.warnings.count == 21)
        #expect(parsed.warnings.first?.hasPrefix("unknown requirement 'A.9.9.1'") == true)
        #expect(parsed.warnings.last == "10 more warnings about references in this cell")
    }

    @Test func piecesThatNameNoRequirementAreGivenBackAsWritten() {
        var remembering = RequirementReferenceParser()
        for _ in 0..<2 { // the second time from the parser's cache of pieces
            let cell = remembering.parseRemembering("DCF-181; ISO 42001 A.7.4 | CTL-118 Clinical review, Art. 14; 27001")
            #expect(cell.references.map(\.key) == ["iso42001:2023/A.7.4", "eu-ai-act:2024/Art.14"])
            #expect(cell.unrecognised == ["DCF-181", "CTL-118 Clinical review", "27001"])
            #expect(cell.warnings == cell.unrecognised.map { "no requirement reference recognised in '\($0)'" })
        }
        // A piece that only names a framework is kept only when no reference follows it.
        #expect(remembering.parseRemembering("EU AI Act, Art. 9").unrecognised.isEmpty)
        #expect(remembering.parseRemembering("Art. 9; EU AI Act").unrecognised == ["EU AI Act"])
    }

    @Test func piecesThatAreTheSameTextInOtherBytesKeepTheirOwnBytes() {
        // Composed and decomposed accents are equal as Swift strings; pieces are remembered by
        // their bytes, so the second cell's are given back in its own spelling.
        var remembering = RequirementReferenceParser()
        let composed = "Contr\u{F4}le 7", decomposed = "Contro\u{302}le 7"
        for piece in [composed, decomposed] {
            let cell = remembering.parseRemembering("\(piece); ISO 42001 A.7.4 \(piece)")
            #expect(cell.unrecognised.map { Array($0.utf8) } == [Array(piece.utf8)])
            #expect(cell.references.map { Array($0.raw.utf8) } == [Array("ISO 42001 A.7.4 \(piece)".utf8)])
        }
    }

    @Test func aParserThatHasSeenManyPiecesAndStatesAnswersAsAFreshOne() {
        // More pieces than it remembers (4,096) and more cell states (1,024: a piece naming only
        // an edition is a state of its own), then the first cells again, after it forgot them.
        var remembering = RequirementReferenceParser()
        let cells = (0..<1_100).map { "ISO 9001:\(1_000 + $0); 8.5.1" } + (0..<4_200).map { "A.5.\($0), A.6.2.4" }
            + ["ISO 9001:1000; 8.5.1", "A.5.1, A.6.2.4", "Art. 9; EU AI Act"]
        for cell in cells {
            let remembered = remembering.parseRemembering(cell)
            var freshParser = RequirementReferenceParser()
            let fresh = freshParser.parseRemembering(cell)
            #expect(remembered.references == fresh.references, "\(cell)")
            #expect(remembered.warnings == fresh.warnings, "\(cell)")
            #expect(remembered.unrecognised == fresh.unrecognised, "\(cell)")
        }
        #expect(remembering.parseRemembering("ISO 9001:1000; 8.5.1").references.map(\.key) == ["iso9001:1000/8.5.1"])
    }

    @Test func identifierCounts() {
        #expect(AnnexIdentifiers.iso42001_2023.count == 38)
        #expect(AnnexIdentifiers.iso27001_2022.count == 93)
        #expect(AnnexIdentifiers.iso27001_2013.count == 114)
        #expect(Set(AnnexIdentifiers.iso27001_2013).count == 114)
        #expect(AnnexIdentifiers.iso27001_2013.first == "A.5.1.1")
        #expect(AnnexIdentifiers.iso27001_2013.last == "A.18.2.3")
        #expect(RequirementIdentifiers.nistAIRMFSubcategories.count == 72)
        #expect(RequirementIdentifiers.nistAIRMFCategories.count == 19)
        #expect(AnnexIdentifiers.frameworks(containing: "A.5.2") == ["iso42001:2023", "iso27001:2022"])
        #expect(AnnexIdentifiers.contains(framework: "iso27001:2013", id: "A.17.1.3"))
        #expect(!AnnexIdentifiers.contains(framework: "iso27001:2013", id: "A.17.1.4"))
        #expect(RequirementIdentifiers.contains(framework: "iso42001:2023", id: "A.6.1"))
        #expect(RequirementIdentifiers.contains(framework: "iso9001:2015", id: "10.3"))
        #expect(!RequirementIdentifiers.contains(framework: "iso42001:2023", id: "10.3"))
        #expect(RequirementIdentifiers.contains(framework: "iso27001:2013", id: "A.18"))
        #expect(RequirementIdentifiers.contains(framework: "eu-ai-act:2024", id: "Art.1"))
        #expect(RequirementIdentifiers.contains(framework: "eu-ai-act:2024", id: "Art.10(2)(f)"))
        #expect(!RequirementIdentifiers.contains(framework: "eu-ai-act:2024", id: "Art.0"))
        #expect(RequirementIdentifiers.contains(framework: "eu-ai-act:2024", id: "Annex.XIII"))
        #expect(!RequirementIdentifiers.contains(framework: "unknown", id: "A.5.1"))
    }

    @Test func rememberingParserGivesTheSameAnswersInEveryContext() {
        var remembering = RequirementReferenceParser()
        let cells = [
            "ISO 27001 A.5.1, A.5.2", "A.5.2", "A.5.2; A.5.2", "27001:2013 A.12.4.1 | A.5.2", "EU AI Act, Art. 9",
            "Art. 9, 10", "GOVERN 1.1, 1.2", "see policy", "A.5.2",
        ]
        for _ in 0..<2 {
            for cell in cells {
                for framework in [nil, "iso42001:2023"] as [String?] {
                    let fresh = parser.parse(cell, columnFramework: framework)
                    let remembered = remembering.parseRemembering(cell, columnFramework: framework)
                    #expect(remembered.references == fresh.references, "\(cell)")
                    #expect(remembered.warnings == fresh.warnings, "\(cell)")
                }
            }
        }
        #expect(remembering.parseRemembering("A.5.2").references.first?.resolved == false)
    }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
