/// Places rating and score cells on their scales.
///
/// A *rating* is a position on a ladder (`Likely`, `4`, `3 - Possible`): it becomes a ``Rating``
/// with its level, the size of its scale and a value normalized to 0…1. A *score* is a number from
/// a score column (likelihood × impact, often 1–25) that may carry a band word: it becomes a
/// ``Score`` and is never turned into a level.
///
/// The ladders it knows (labels compare case-, spacing- and punctuation-insensitively):
///
/// | scale | 1 | 2 | 3 | 4 | 5 |
/// | --- | --- | --- | --- | --- | --- |
/// | 5, likelihood | Rare, Very unlikely | Unlikely | Possible | Likely | Almost certain, Certain, Very likely |
/// | 5, impact | Negligible, Insignificant | Minor | Moderate | Major | Severe, Catastrophic |
/// | 5, generic | Very low, VL | Low, L | Medium, Med, M, Moderate | High, H | Very high, VH, Critical, Extreme |
/// | 4 | Low | Medium | High | Critical, Extreme | |
/// | 3 | Low | Medium | High | | |
///
/// **Ambiguity rule.** A label that sits on several ladders (`Low`, `Medium`, `Moderate`, `High`,
/// `Critical`, `Extreme`) is placed on the *smallest* ladder that has it — so a lone `Low`, `Medium`
/// or `High` is 1, 2 or 3 of 3 and a lone `Critical` is 4 of 4 — unless the caller passes a
/// `scaleHint` naming a ladder that has it (`High` with hint 5 is 4 of 5, with hint 4 is 3 of 4).
/// A hint never moves a label onto a ladder it is not on: `Very high` is 5 of 5 whatever the hint.
/// Callers that have seen a whole column should pass ``inferScale(from:)`` as the hint, so that
/// `Low, Medium, High, Very high` is read as one 5-level ladder.
///
/// **Numbers.** An integer 1…10 is a level: of `scaleHint` when given and large enough, else of 5
/// (1…5) or of 10 (6…10). With a word (`3 - Possible`, `4 – Likely`, `2: Low`, `High (4)`) the
/// number wins and the word picks the ladder: the smallest ladder (or the hinted one) on which the
/// word sits at that number; when none does, the word is ignored. `35%` and a decimal in 0…1
/// (`0.35`, `0,35`) are normalized values with no level. Integer-valued decimals (`3.0`) are
/// integers. Anything else keeps its text with no level.
public enum RatingParser {
    // MARK: Ratings

    /// Places a rating cell on its scale. `scaleHint` (3, 4, 5 or 10, any 2…10 is accepted) is the
    /// column's scale when the caller knows it; see the type's documentation for the rules.
    public static func rating(_ text: String, scaleHint: Int? = nil) -> Rating {
        let hint = scaleHint.flatMap { (2...10).contains($0) ? $0 : nil }
        let parts = split(text)
        let unknown = Rating(label: text)
        switch parts.number {
        case .none:
            guard let word = parts.word, let entry = ladderWords[word] else { return unknown }
            guard let (level, of) = entry.place(hint: hint) else { return unknown }
            return Rating(label: text, level: level, of: of, normalized: normalized(level, of))
        case .percent(let value):
            guard parts.word == nil, value >= 0, value <= 100 else { return unknown }
            return Rating(label: text, normalized: round4(value / 100))
        case .decimal(let value):
            guard parts.word == nil, value >= 0, value <= 1 else { return unknown }
            return Rating(label: text, normalized: round4(value))
        case .integer(let n):
            guard n >= 1, n <= 10 else { return unknown }
            if let word = parts.word, let entry = ladderWords[word], let of = entry.scale(for: n, hint: hint) {
                return Rating(label: text, level: n, of: of, normalized: normalized(n, of))
            }
            if let word = parts.word, let of = explicitScale(word), n <= of {
                // `3/5`, `2 of 4`.
                return Rating(label: text, level: n, of: of, normalized: normalized(n, of))
            }
            let of: Int
            if let hint, n <= hint {
                of = hint
            } else {
                of = n <= 5 ? 5 : 10
            }
            return Rating(label: text, level: n, of: of, normalized: normalized(n, of))
        }
    }

    /// The scale of a column, from its values: the largest scale any value is placed on without a
    /// hint (`Low, Medium, High` → 3; `Low … Critical` → 4; any of `Very high`, `VL`, `Rare`,
    /// `Minor`, … → 5; an integer 6…10 → 10; integers 1…5 → 5). Nil when no value could be placed.
    public static func inferScale(from labels: some Sequence<String>) -> Int? {
        var best: Int?
        for label in labels {
            if let of = rating(label).of, of > (best ?? 0) {
                best = of
                if of == 10 { break }
            }
        }
        return best
    }

    /// The scale written after a level: the key `5` (from `/5`) or `of5` (from `of 5`), 2…10.
    static func explicitScale(_ key: String) -> Int? {
        var digits = Substring(key)
        if digits.hasPrefix("of") { digits = digits.dropFirst(2) }
        guard let of = Int(digits), (2...10).contains(of) else { return nil }
        return of
    }

    // MARK: Scores

    /// Reads a score cell: `12`, `12 (Medium)`, `16 - High`, `High (16)`, `9.5` keep their number
    /// and band word; `Critical` is a band with no number. A score is never turned into a level.
    /// Text with no number and no known band word gives a score with neither.
    public static func score(_ text: String) -> Score {
        let parts = split(text)
        let value: Double?
        switch parts.number {
        case .none: value = nil
        case .integer(let n): value = Double(n)
        case .decimal(let d): value = d
        case .percent: return Score(label: text)
        }
        guard let band = parts.band else { return Score(label: text, value: value) }
        if value == nil, let word = parts.word, ladderWords[word] == nil {
            return Score(label: text)
        }
        return Score(label: text, value: value, band: band)
    }

    // MARK: Ladders

    struct LadderWord {
        /// Position on the 5-, 4- and 3-level ladders, 0 when the word is not on that ladder.
        var on5: Int
        var on4: Int
        var on3: Int

        func position(on scale: Int) -> Int {
            switch scale {
            case 5: return on5
            case 4: return on4
            case 3: return on3
            default: return 0
            }
        }

        /// Level and scale of the word alone: the hinted ladder if the word is on it, else the
        /// smallest ladder that has it.
        func place(hint: Int?) -> (Int, Int)? {
            if let hint, position(on: hint) > 0 { return (position(on: hint), hint) }
            for scale in [3, 4, 5] where position(on: scale) > 0 {
                return (position(on: scale), scale)
            }
            return nil
        }

        /// The scale on which the word sits at `level`: the hinted one if it does, else the
        /// smallest.
        func scale(for level: Int, hint: Int?) -> Int? {
            if let hint, position(on: hint) == level { return hint }
            for scale in [3, 4, 5] where position(on: scale) == level {
                return scale
            }
            return nil
        }
    }

    /// Ladder words by their key: lowercase ASCII letters and digits only.
    static let ladderWords: [String: LadderWord] = {
        var table: [String: LadderWord] = [:]
        func add(_ words: [String], _ on5: Int, _ on4: Int = 0, _ on3: Int = 0) {
            for word in words { table[word] = LadderWord(on5: on5, on4: on4, on3: on3) }
        }
        // Likelihood.
        add(["rare", "veryunlikely", "remote"], 1)
        add(["unlikely"], 2)
        add(["possible"], 3)
        add(["likely"], 4)
        add(["almostcertain", "certain", "verylikely", "highlylikely"], 5)
        // Impact.
        add(["negligible", "insignificant"], 1)
        add(["minor"], 2)
        add(["major"], 4)
        add(["severe", "catastrophic"], 5)
        // Generic.
        add(["verylow", "vlow", "vl"], 1)
        add(["low", "l"], 2, 1, 1)
        add(["medium", "med", "m", "moderate", "mod"], 3, 2, 2)
        add(["high", "h"], 4, 3, 3)
        add(["veryhigh", "vhigh", "vh"], 5)
        add(["critical", "crit", "extreme"], 5, 4)
        return table
    }()

    // MARK: Splitting a cell

    enum Number {
        case integer(Int)
        case decimal(Double)
        case percent(Double)
    }

    struct Parts {
        var number: Number?
        /// The word key (lowercase letters and digits), nil when the cell has no word.
        var word: String?
        /// The word as written, trimmed of separators.
        var band: String?
    }

    /// Splits a cell into a number (leading, or trailing in parentheses) and the rest.
    static func split(_ text: String) -> Parts {
        return text.withUTF8Bytes { bytes in
            var start = 0
            var end = bytes.count
            trim(bytes, &start, &end)
            guard start < end else { return Parts() }
            var number: Number?
            if let (n, after) = parseNumber(bytes, start, end) {
                number = n
                start = after
            } else if bytes[end - 1] == 0x29 /* ) */ {
                // `High (16)`: a number in trailing parentheses.
                var open = end - 2
                while open > start && bytes[open] != 0x28 { open -= 1 }
                if open > start, bytes[open] == 0x28 {
                    var innerStart = open + 1
                    var innerEnd = end - 1
                    trim(bytes, &innerStart, &innerEnd)
                    if let (n, after) = parseNumber(bytes, innerStart, innerEnd), after == innerEnd {
                        number = n
                        end = open
                    }
                }
            }
            trimSeparators(bytes, &start, &end)
            guard start < end else { return Parts(number: number) }
            let band = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            var key: [UInt8] = []
            key.reserveCapacity(end - start)
            for i in start..<end {
                let b = bytes[i]
                switch b {
                case 0x41...0x5A: key.append(b | 0x20)
                case 0x61...0x7A, 0x30...0x39: key.append(b)
                case 0x80...: key.append(b)
                default: break
                }
            }
            let word = key.isEmpty ? nil : String(decoding: key, as: UTF8.self)
            return Parts(number: number, word: word, band: band)
        }
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0xA0
    }

    static func trim(_ bytes: UnsafeBufferPointer<UInt8>, _ start: inout Int, _ end: inout Int) {
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        // A UTF-8 no-break space is C2 A0.
        while end - start >= 2 && bytes[start] == 0xC2 && bytes[start + 1] == 0xA0 { start += 2 }
        while end - start >= 2 && bytes[end - 2] == 0xC2 && bytes[end - 1] == 0xA0 { end -= 2 }
    }

    /// Trims spaces and the separators between a number and its word: `- – — : ( ) . / = ,`.
    static func trimSeparators(_ bytes: UnsafeBufferPointer<UInt8>, _ start: inout Int, _ end: inout Int) {
        func separatorLength(at i: Int, backwards: Bool) -> Int {
            let b = bytes[i]
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D, 0x2D, 0x3A, 0x28, 0x29, 0x2E, 0x2F, 0x3D, 0x2C, 0x5B, 0x5D:
                return 1
            default:
                break
            }
            // U+2013 EN DASH E2 80 93, U+2014 EM DASH E2 80 94, U+00A0 C2 A0.
            if backwards {
                if i >= 2, bytes[i - 2] == 0xE2, bytes[i - 1] == 0x80, b == 0x93 || b == 0x94 { return 3 }
                if i >= 1, bytes[i - 1] == 0xC2, b == 0xA0 { return 2 }
            } else {
                if i + 2 < end, b == 0xE2, bytes[i + 1] == 0x80, bytes[i + 2] == 0x93 || bytes[i + 2] == 0x94 { return 3 }
                if i + 1 < end, b == 0xC2, bytes[i + 1] == 0xA0 { return 2 }
            }
            return 0
        }
        while start < end {
            let n = separatorLength(at: start, backwards: false)
            if n == 0 { break }
            start += n
        }
        while end > start {
            let n = separatorLength(at: end - 1, backwards: true)
            if n == 0 { break }
            end -= n
        }
        // `(Medium)` → `Medium`: only whole parentheses were trimmed above, which is what we want.
    }

    /// Parses a number at `start`: digits, an optional `.` or `,` and digits, an optional `%`. The
    /// number must end at `end` or before a non-alphanumeric byte (so `3rd` is not a number).
    static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Number, Int)? {
        var i = start
        var integer = 0
        var digits = 0
        while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            if digits < 15 { integer = integer * 10 + Int(bytes[i] - 0x30) }
            digits += 1
            i += 1
        }
        guard digits > 0, digits <= 15 else { return nil }
        var fraction = 0
        var fractionDigits = 0
        if i + 1 < end, bytes[i] == 0x2E || bytes[i] == 0x2C, bytes[i + 1] >= 0x30, bytes[i + 1] <= 0x39 {
            var j = i + 1
            while j < end, bytes[j] >= 0x30, bytes[j] <= 0x39 {
                if fractionDigits < 9 {
                    fraction = fraction * 10 + Int(bytes[j] - 0x30)
                    fractionDigits += 1
                }
                j += 1
            }
            // `1,234` with three digits after a comma is a thousands separator, not a decimal.
            if bytes[i] == 0x2C && j - i - 1 == 3 { return nil }
            i = j
        }
        var value = Double(integer)
        if fractionDigits > 0 {
            value += Double(fraction) / pow10[fractionDigits]
        }
        var j = i
        while j < end && bytes[j] == 0x20 { j += 1 }
        if j < end, bytes[j] == 0x25 /* % */ {
            return (.percent(value), j + 1)
        }
        if i < end {
            let b = bytes[i] | 0x20
            if (b >= 0x61 && b <= 0x7A) || (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == 0x2E && i + 1 < end && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 {
                return nil
            }
        }
        if fractionDigits == 0 || (fraction == 0 && integer >= 1) {
            return (.integer(integer), i)
        }
        return (.decimal(value), i)
    }

    static let pow10: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    static func normalized(_ level: Int, _ of: Int) -> Double {
        round4(Double(level - 1) / Double(of - 1))
    }

    /// Rounds a value in 0…1 to 4 decimals (half up). Integer arithmetic, so that no libm symbol
    /// is needed when Foundation is not linked.
    static func round4(_ value: Double) -> Double {
        Double(Int(value * 10_000 + 0.5)) / 10_000
    }
}
