import Foundation
import Testing
@testable import AIMSBridge

@Suite struct JSONBufferTests {
    private func text(_ json: JSONBuffer) -> String { String(decoding: json.bytes, as: UTF8.self) }

    @Test func escapesOnlyControlsQuotesAndBackslashes() {
        var json = JSONBuffer()
        json.beginObject()
        json.string("s", "a\"b\\c\nd\re\tf\u{01}g\u{1F}h/é€😀")
        json.endObject()
        #expect(text(json) == #"{"s":"a\"b\\c\nd\re\tf\u0001g\u001fh/é€😀"}"#)
    }

    @Test func everyByteAtEveryOffsetRoundTrips() throws {
        // Strings are scanned 16 bytes at a time (the last block overlapping the one before, a
        // shorter string read as its first and last 8 or 4 bytes): put each character that needs
        // an escape (and one that does not) at each position of strings of every length up to 40.
        let specials: [Character] = ["\"", "\\", "\n", "\u{00}", "\u{1F}", " ", "~", "é"]
        for special in specials {
            for (length, position) in (1...40).flatMap({ length in (0..<length).map { (length, $0) } }) {
                var characters = Array(repeating: Character("x"), count: length)
                characters[position] = special
                let value = String(characters)
                var json = JSONBuffer()
                json.beginObject()
                json.string("v", value)
                json.endObject()
                let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String]
                #expect(decoded?["v"] == value, "\(special.unicodeScalars.first!.value) at \(position) of \(length)")
            }
        }
    }

    @Test func runsOfEveryLengthAreCopiedWhole() {
        // Runs of plain bytes are copied in one go, short ones in place by overlapping words:
        // each length up to 40, alone and on both sides of an escape, keeps every byte in place.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ")
        for length in 0...40 {
            let run = String(alphabet[0..<length])
            var json = JSONBuffer()
            json.strings(nil, [run, run + "\"" + run])
            #expect(text(json) == "[\"\(run)\",\"\(run)\\\"\(run)\"]", "length \(length)")
        }
    }

    @Test func aCopyIsIndependentOfTheOriginal() {
        var original = JSONBuffer()
        original.beginObject()
        original.string("a", "1")
        var copy = original
        copy.string("b", "2")
        copy.endObject()
        original.endObject()
        #expect(text(original) == #"{"a":"1"}"#)
        #expect(text(copy) == #"{"a":"1","b":"2"}"#)
    }

    @Test func growsPastItsFirstBlock() {
        let long = String(repeating: "abcdefgh", count: 20_000)
        var json = JSONBuffer()
        json.strings(nil, [long, "\"", long])
        #expect(json.count == 2 * long.utf8.count + 12)
        #expect(text(json) == "[\"\(long)\",\"\\\"\",\"\(long)\"]")
    }

    /// Numbers: integral ones without a fraction, others in their shortest form, and non-finite
    /// ones as null; the text is the same whether a value is among the recent ones kept or not:
    /// ratings repeat (hits), then ten other fractions push them out of the eight kept, then
    /// both the ratings (misses again) and the latest fractions (hits) come back.
    @Test func writesNumbersInTheirShortestForm() {
        let ratings: [Double] = [0.25, 0.5, 0.75]
        let others: [Double] = [1.0 / 3, 2.0 / 3, 0.1, 1e-7, -2.5, 1e20, 0.125, 0.2, 0.4, 0.6]
        let values = ratings + ratings + others + ratings + others.suffix(4) + [12, -3]
        var json = JSONBuffer()
        json.beginArray()
        for value in values { json.number(nil, value) }
        json.number(nil, .nan)
        json.number(nil, .infinity)
        json.endArray()
        let expected = values.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : "\($0)" }
        #expect(text(json) == "[" + expected.joined(separator: ",") + ",null,null]")
        #expect(expected.prefix(3) == ["0.25", "0.5", "0.75"])
        #expect(expected[6...11] == ["0.3333333333333333", "0.6666666666666666", "0.1", "1e-07", "-2.5", "1e+20"])
        #expect(expected.suffix(2) == ["12", "-3"])
    }

    @Test func aBatchUsedAgainIsEmptyAndGrowsOnlyWhenItMust() {
        var batch = EncodedRecords(capacity: 1_000)
        batch.append(kind: .risk) { $0.beginObject(); $0.string("id", "R-1"); $0.endObject() }
        batch.removeAll(keepingRoomFor: 800)
        #expect(batch.byteCount == 0 && batch.records.isEmpty && batch.capacity == 1_000)
        batch.append(kind: .risk) { $0.beginObject(); $0.string("id", "R-2"); $0.endObject() }
        #expect(batch.withBytes { String(decoding: $0, as: UTF8.self) } == "{\"id\":\"R-2\"}\n")
        // Asked for more than it holds, it grows by a quarter more than asked, keeping its bytes.
        var json = JSONBuffer(capacity: 100)
        json.string(nil, "kept")
        json.reserveCapacity(1_000)
        #expect(json.capacity == 1_250)
        #expect(text(json) == "\"kept\"")
        // A copy sharing the storage makes the buffer take its own, so the copy is untouched.
        let copy = json
        json.reserveCapacity(10)
        json.string(nil, "more")
        #expect(text(copy) == "\"kept\"")
    }
}

@Suite struct SparePoolTests {
    @Test func keepsUpToItsCapacityAndGivesBackTheLastKept() {
        let pool = SparePool<Int>(capacity: 2)
        #expect(pool.take() == nil)
        pool.put(1)
        pool.put(2)
        pool.put(3)
        #expect(pool.take() == 2)
        #expect(pool.take() == 1)
        #expect(pool.take() == nil)
    }
}

