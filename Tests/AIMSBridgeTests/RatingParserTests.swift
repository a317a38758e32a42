import Testing
@testable import AIMSBridge

@Suite struct RatingParserTests {
    private func placed(_ text: String, hint: Int? = nil) -> (Int?, Int?, Double?) {
        let r = RatingParser.rating(text, scaleHint: hint)
        #expect(r.label == text)
        return (r.level, r.of, r.normalized)
    }

    @Test func numericLevels() {
        #expect(placed("1") == (1, 5, 0.0))
        #expect(placed("3") == (3, 5, 0.5))
        #expect(placed("5") == (5, 5, 1.0))
        #expect(placed("4") == (4, 5, 0.75))
        #expect(placed(" 2 ") == (2, 5, 0.25))
        #expect(placed("7") == (7, 10, 0.6667))
        #expect(placed("10") == (10, 10, 1.0))
        #expect(placed("3.0") == (3, 5, 0.5))
    }

    @Test func numericLevelsWithHint() {
        #expect(placed("2", hint: 3) == (2, 3, 0.5))
        #expect(placed("3", hint: 4) == (3, 4, 0.6667))
        #expect(placed("3", hint: 10) == (3, 10, 0.2222))
        #expect(placed("5", hint: 5) == (5, 5, 1.0))
        // A number above the hinted scale falls back to the default scales.
        #expect(placed("4", hint: 3) == (4, 5, 0.75))
    }

    @Test func numberWithWord() {
        #expect(placed("3 - Possible") == (3, 5, 0.5))
        #expect(placed("4 – Likely") == (4, 5, 0.75))
        #expect(placed("2: Low") == (2, 5, 0.25))
        #expect(placed("5 — Almost certain") == (5, 5, 1.0))
        #expect(placed("3 - High") == (3, 3, 1.0))
        #expect(placed("3 - High", hint: 4) == (3, 4, 0.6667))
        #expect(placed("4 - Critical") == (4, 4, 1.0))
        #expect(placed("4 - High") == (4, 5, 0.75))
        #expect(placed("High (4)") == (4, 5, 0.75))
        #expect(placed("3/5") == (3, 5, 0.5))
        #expect(placed("4/4") == (4, 4, 1.0))
        #expect(placed("2 of 3") == (2, 3, 0.5))
        // The number wins when the word does not sit at it.
        #expect(placed("3 - Low") == (3, 5, 0.5))
    }

    @Test func percentagesAndFractions() {
        #expect(placed("35%") == (nil, nil, 0.35))
        #expect(placed("35 %") == (nil, nil, 0.35))
        #expect(placed("0.35") == (nil, nil, 0.35))
        #expect(placed("0,35") == (nil, nil, 0.35))
        #expect(placed("0.0") == (nil, nil, 0.0))
        #expect(placed("100%") == (nil, nil, 1.0))
    }

    @Test func likelihoodAndImpactLadders() {
        #expect(placed("Rare") == (1, 5, 0.0))
        #expect(placed("Unlikely") == (2, 5, 0.25))
        #expect(placed("Possible") == (3, 5, 0.5))
        #expect(placed("Likely") == (4, 5, 0.75))
        #expect(placed("Almost certain") == (5, 5, 1.0))
        #expect(placed("ALMOST-CERTAIN") == (5, 5, 1.0))
        #expect(placed("Negligible") == (1, 5, 0.0))
        #expect(placed("Insignificant") == (1, 5, 0.0))
        #expect(placed("Minor") == (2, 5, 0.25))
        #expect(placed("Major") == (4, 5, 0.75))
        #expect(placed("Severe") == (5, 5, 1.0))
        #expect(placed("Catastrophic") == (5, 5, 1.0))
    }

    @Test func genericLadders() {
        #expect(placed("Very low") == (1, 5, 0.0))
        #expect(placed("very-low") == (1, 5, 0.0))
        #expect(placed("VL") == (1, 5, 0.0))
        #expect(placed("Very High") == (5, 5, 1.0))
        #expect(placed("VH") == (5, 5, 1.0))
        // The ambiguity rule: a lone Low / Medium / High is on the 3-level ladder…
        #expect(placed("Low") == (1, 3, 0.0))
        #expect(placed("Medium") == (2, 3, 0.5))
        #expect(placed("Med") == (2, 3, 0.5))
        #expect(placed("Moderate") == (2, 3, 0.5))
        #expect(placed("HIGH") == (3, 3, 1.0))
        #expect(placed(" high ") == (3, 3, 1.0))
        // …Critical alone on the 4-level one…
        #expect(placed("Critical") == (4, 4, 1.0))
        // …unless the caller's hint says otherwise.
        #expect(placed("Low", hint: 5) == (2, 5, 0.25))
        #expect(placed("Medium", hint: 5) == (3, 5, 0.5))
        #expect(placed("Moderate", hint: 5) == (3, 5, 0.5))
        #expect(placed("High", hint: 5) == (4, 5, 0.75))
        #expect(placed("Critical", hint: 5) == (5, 5, 1.0))
        #expect(placed("Low", hint: 4) == (1, 4, 0.0))
        #expect(placed("Medium", hint: 4) == (2, 4, 0.3333))
        #expect(placed("High", hint: 4) == (3, 4, 0.6667))
        // A hint never moves a word onto a ladder it is not on.
        #expect(placed("Very high", hint: 3) == (5, 5, 1.0))
        #expect(placed("Critical", hint: 3) == (4, 4, 1.0))
    }

    @Test func unknownText() {
        #expect(RatingParser.rating("n/a") == Rating(label: "n/a"))
        #expect(RatingParser.rating("") == Rating(label: ""))
        #expect(RatingParser.rating("see note") == Rating(label: "see note"))
        #expect(RatingParser.rating("12") == Rating(label: "12"))
        #expect(RatingParser.rating("0") == Rating(label: "0"))
        #expect(RatingParser.rating("2.5") == Rating(label: "2.5"))
        #expect(RatingParser.rating("3rd") == Rating(label: "3rd"))
        #expect(RatingParser.rating("150%") == Rating(label: "150%"))
    }

    @Test func exactRating() {
        #expect(RatingParser.rating("Likely") == Rating(label: "Likely", level: 4, of: 5, normalized: 0.75))
        #expect(RatingParser.rating("35%") == Rating(label: "35%", level: nil, of: nil, normalized: 0.35))
    }

    @Test func inferScale() {
        #expect(RatingParser.inferScale(from: ["Low", "Medium", "High"]) == 3)
        #expect(RatingParser.inferScale(from: ["Low", "High", "Critical"]) == 4)
        #expect(RatingParser.inferScale(from: ["Low", "Very high"]) == 5)
        #expect(RatingParser.inferScale(from: ["Critical", "Very low", "Medium"]) == 5)
        #expect(RatingParser.inferScale(from: ["Rare", "Likely"]) == 5)
        #expect(RatingParser.inferScale(from: ["1", "3", "7"]) == 10)
        #expect(RatingParser.inferScale(from: ["1", "2"]) == 5)
        #expect(RatingParser.inferScale(from: ["n/a", "", "35%"]) == nil)
        #expect(RatingParser.inferScale(from: [String]()) == nil)
    }

    @Test func scores() {
        #expect(RatingParser.score("12") == Score(label: "12", value: 12, band: nil))
        #expect(RatingParser.score("12 (Medium)") == Score(label: "12 (Medium)", value: 12, band: "Medium"))
        #expect(RatingParser.score("16 - High") == Score(label: "16 - High", value: 16, band: "High"))
        #expect(RatingParser.score("High (16)") == Score(label: "High (16)", value: 16, band: "High"))
        #expect(RatingParser.score("Critical") == Score(label: "Critical", value: nil, band: "Critical"))
        #expect(RatingParser.score("9.5") == Score(label: "9.5", value: 9.5, band: nil))
        #expect(RatingParser.score("25") == Score(label: "25", value: 25, band: nil))
        #expect(RatingParser.score("see note") == Score(label: "see note", value: nil, band: nil))
        #expect(RatingParser.score("") == Score(label: "", value: nil, band: nil))
    }
}
