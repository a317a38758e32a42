/// A header or field name reduced for synonym matching: lowercase letters and digits only
/// ("Risk ID" → `riskid`, "Prob." → `prob`, "owned_by" → `ownedby`).
struct HeaderKey: Hashable {
    let value: String

    init(_ text: some StringProtocol) {
        // Names are nearly always ASCII: their key is made from the bytes, without the Unicode
        // property lookup and the string made to lowercase each scalar that other text needs
        // (with those, ranking the profiles was a quarter of converting a 10,000-row file).
        var isASCII = true
        let key = String(unsafeUninitializedCapacity: text.utf8.count) { buffer in
            var count = 0
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                    buffer[count] = byte
                    count += 1
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    buffer[count] = byte + 0x20
                    count += 1
                case 0x80...:
                    isASCII = false
                    return 0
                default:
                    break
                }
            }
            return count
        }
        if isASCII {
            value = key
            return
        }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                scalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            }
        }
        value = String(scalars)
    }

    /// The key of the text with parenthesised parts removed ("Annex A control (2013)" →
    /// `annexacontrol`), or nil when there are none.
    static func withoutParentheses(_ text: String) -> HeaderKey? {
        guard text.contains("(") else { return nil }
        var depth = 0
        var kept = ""
        for character in text {
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) } else if depth == 0 { kept.append(character) }
        }
        return HeaderKey(kept)
    }
}

extension SourceRecord {
    /// The value of the first field whose name reduces to `key` (a ``HeaderKey`` value).
    func value(forKey key: String) -> FieldValue? {
        fields.first { HeaderKey($0.path).value == key }?.value
    }
}
