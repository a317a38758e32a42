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

    @Test func rowsInABlockKeepTheirOwnFieldsBytesAndCounts() {
        let block = PendingRowBlock(paths: ["id", "title"], bytes: 0, fields: 0)
        func add(_ cells: [String]) -> PendingFields {
            let bytes = Array(cells.joined().utf8)
            return bytes.withUnsafeBufferPointer { bytes in
                block.append(bytes, maxFields: cells.count) { slots in
                    var start = 0
                    var count = 0
                    for (column, cell) in cells.enumerated() {
                        let end = start + cell.utf8.count
                        defer { start = end }
                        guard !cell.isEmpty else { continue }
                        slots[count] = PendingFields.Field(path: column, column: column, value: .bytes(start: start, end: end))
                        count += 1
                    }
                    return count
                }
            }
        }
        let first = add(["R-1", "Tëst ☃"])
        let second = add(["", "Second"])
        let third = add(["R-3", "Third"])
        #expect(first.materialized() == [SourceField("id", "R-1"), SourceField("title", "Tëst ☃")])
        #expect(second.materialized() == [SourceField("title", "Second")])
        #expect(second.materialized().map(\.column) == [1])
        #expect(third.materialized() == [SourceField("id", "R-3"), SourceField("title", "Third")])
        #expect([first.count, second.count, third.count] == [2, 1, 2])
        #expect([first.byteCount, second.byteCount, third.byteCount] == ["R-1Tëst ☃".utf8.count, 6, 8])
        // A row's byte fields are its own bytes, the value ranges within them.
        let lent = third.withByteFields { bytes, fields, paths in
            fields.map { field -> String in
                guard case .bytes(let start, let end) = field.value else { return "?" }
                return paths[field.path] + "=" + String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
        }
        #expect(lent == ["id=R-3", "title=Third"])
    }

    @Test func aBlockIsFullByRowsBytesOrFieldsAndGrowsForALargeRow() {
        let block = PendingRowBlock(paths: ["a"], bytes: 0, fields: 0)
        #expect(block.hasRoom(bytes: PendingRowBlock.byteCapacity, fields: PendingRowBlock.fieldCapacity))
        #expect(!block.hasRoom(bytes: PendingRowBlock.byteCapacity + 1, fields: 1))
        #expect(!block.hasRoom(bytes: 1, fields: PendingRowBlock.fieldCapacity + 1))
        for _ in 0..<PendingRowBlock.rowCapacity {
            _ = block.append(UnsafeBufferPointer(start: nil, count: 0), maxFields: 0) { _ in 0 }
        }
        #expect(!block.hasRoom(bytes: 0, fields: 0))
        let large = PendingRowBlock(paths: ["a"], bytes: 1 << 20, fields: 5_000)
        #expect(large.hasRoom(bytes: 1 << 20, fields: 5_000))
    }
}
