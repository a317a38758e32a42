import Testing
@testable import AIMSBridge

@Suite struct PendingRecordTests {
    @Test func fieldsKeepTheirOrderSlotsAndValuesWhenMade() {
        var fields = PendingFields()
        Array("Tëst ☃".utf8).withUnsafeBufferPointer { fields.insert(path: "title", column: 0, utf8: $0, at: 0) }
        fields.insert(path: "tags", column: -1, value: .list(["a", "b"]), at: 1)
        // An element's text goes before the fields of its children, which ended first.
        Array("parent text".utf8).withUnsafeBufferPointer { fields.insert(path: "model", column: 2, utf8: $0, at: 1) }
        Array("".utf8).withUnsafeBufferPointer { fields.insert(path: "empty", column: 3, utf8: $0, at: 3) }
        let made = fields.materialized()
        #expect(made == [SourceField("title", "Tëst ☃"), SourceField("model", "parent text"),
                         SourceField(path: "tags", value: .list(["a", "b"])), SourceField("empty", "")])
        #expect(made.map(\.column) == [0, 2, -1, 3])
        #expect(fields.count == 4)
        // Values held as values count too (a record's footprint bounds the memory of a conversion).
        #expect(fields.byteCount == "Tëst ☃".utf8.count + "parent text".utf8.count + 2)
    }

    @Test func aRecordOverALimitIsMadeARejectionWithItsFields() {
        var fields = PendingFields()
        Array("x".utf8).withUnsafeBufferPointer { fields.insert(path: "a", column: 0, utf8: $0, at: 0) }
        let locator = Locator(file: "t.xml", line: 4, path: "/r/row[2]")
        let rejected = PendingRecord(fields: fields, locator: locator, ordinal: 1, overLimit: "too big").materialized()
        guard case .rejected(let rejection) = rejected else { Issue.record("not rejected: \(rejected)"); return }
        #expect(rejection == RejectedRecord(locator: locator, reason: "too big", raw: "a=x"))
        guard case .record(let record) = PendingRecord(fields: fields, locator: locator, ordinal: 1).materialized() else {
            Issue.record("not a record"); return
        }
        #expect(record == SourceRecord(fields: [SourceField(path: "a", value: .text("x"), column: 0)], locator: locator, ordinal: 1))
    }
}
