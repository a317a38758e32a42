import Testing
@testable import AIMSBridge

/// The whitespace helpers of `Ingest/TextWhitespace.swift`.
@Suite struct WhitespaceTests {
    @Test func theSpelledOutWhiteSpacePropertyMatchesUnicodes() {
        // Every code point of the Basic Multilingual Plane and the first supplementary one.
        for value in UInt32(0)...0x1FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(scalar.isUnicodeWhitespace == scalar.properties.isWhitespace, "U+\(String(value, radix: 16))")
        }
    }

    @Test(arguments: ["", " ", "\t\r\n", "\u{A0}", "\u{3000}\u{2003}", " x", "x", "李伟", "\u{A0}x", "\u{85}"])
    func blankBytesAreBlankStrings(text: String) {
        let fromBytes = Array(text.utf8).withUnsafeBufferPointer { String.isBlank(utf8: $0) }
        #expect(fromBytes == text.isBlank)
        #expect(fromBytes == text.unicodeScalars.allSatisfy(\.properties.isWhitespace))
    }

    @Test func visibleEndsAreTheEndsOfTextWithNothingToTrim() {
        // Every whitespace scalar and some that are not (ASCII controls that are not whitespace,
        // DEL, letters of 2, 3 and 4 bytes, the replacement character), at either end, alone and
        // around other text.
        let ends = (UInt32(0)...0x3000).compactMap(Unicode.Scalar.init).filter(\.properties.isWhitespace).map(String.init)
            + ["\u{1}", "\u{1F}", "\u{7F}", "x", "é", "\u{301}", "李", "😀", "\u{FFFD}", "\u{200B}"]
        for end in ends {
            for text in [end, end + "a", "a" + end, end + "李伟" + end, "x" + end + "y", end + end] {
                let visible = Array(text.utf8).withUnsafeBufferPointer(String.hasVisibleEnds)
                let scalars = text.unicodeScalars
                #expect(visible == !(scalars.first!.properties.isWhitespace || scalars.last!.properties.isWhitespace),
                        "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect((text.trimmingWhitespace() == text) == visible || text.unicodeScalars.allSatisfy(\.properties.isWhitespace))
            }
        }
        #expect(!Array("".utf8).withUnsafeBufferPointer(String.hasVisibleEnds))
        // Bytes that are not UTF-8 decode to the replacement character, which is visible.
        #expect([UInt8]([0xE6, 0x9D]).withUnsafeBufferPointer(String.hasVisibleEnds))
        #expect([UInt8]([0x80, 0x41]).withUnsafeBufferPointer(String.hasVisibleEnds))
    }
}
