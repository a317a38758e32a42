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
}
