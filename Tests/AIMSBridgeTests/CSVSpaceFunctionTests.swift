import CLibCSV
import Testing
@testable import AIMSBridge

/// Lines libcsv reads without a space function (see `aims_csv_trims_nothing`) come out as they
/// do read with `aims_csv_no_spaces`, which keeps every space.
@Suite struct CSVSpaceFunctionTests {
    private func trimsNothing(_ line: String, delimiter: UInt8 = 0x2C) -> Bool {
        Array(line.utf8).withUnsafeBufferPointer { aims_csv_trims_nothing($0.baseAddress, $0.count, delimiter) != 0 }
    }

    @Test func linesWithoutSpacesAtFieldEdgesNeedNoSpaceFunction() {
        #expect(trimsNothing("AIR-1,Model drift,\"Accuracy only, not fairness, or calibration.\",very low\r\n"))
        #expect(trimsNothing("a b,\"c \"\" d\",e\n"))
        #expect(trimsNothing("\" a \",\" b\"\n"))
        #expect(trimsNothing("a\tb;c d\n", delimiter: 0x3B))
        #expect(trimsNothing("a\t\tb\n", delimiter: 0x09))
        // A stray quote is a strict-mode error, whatever the spaces.
        #expect(trimsNothing("a \"b\n"))
        // Past the first 64 bytes, and a quoted field across them.
        let long = String(repeating: "word ", count: 20)
        #expect(trimsNothing("\(long)x,\"\(long), \(long)\",y\n"))
        #expect(!trimsNothing("\(long)x,\"\(long), \(long)\" ,y\n"))
        #expect(!trimsNothing("\(long)x ,y\n"))
        #expect(!trimsNothing("\(long)x\(long),y \n"))
        #expect(trimsNothing(""))
    }

    @Test func spacesAtAFieldsStartOrEndNeedIt() {
        for line in [" a,b\n", "a ,b\n", "a, b\n", "a,b \n", "a,b \r\n", "a,b ", "\tab\n", "a,\"b\" ,c\n",
                     "a, \"b\"\n", "   \n", "a\r b\n", "a,\"b\"\t\n"] {
            #expect(!trimsNothing(line), "\(line.debugDescription)")
        }
        #expect(!trimsNothing(" a\tb\n", delimiter: 0x09))
        // Across the scan's 64-byte blocks: a space ending one and an edge starting the next,
        // and the other way round; a last block that is whole.
        let stem = String(repeating: "x", count: 63)
        #expect(!trimsNothing(stem + " ,y\n") && !trimsNothing(stem + ", y\n") && !trimsNothing(stem + " "))
        #expect(trimsNothing(stem + "y,y\n") && trimsNothing(stem + "y"))
    }

    /// The scan's classes of 64 bytes, taken 16 at a time with SSE2 where there is SSE2, are the
    /// ones a byte at a time gives (the only way there is elsewhere).
    @Test func blocksAreClassifiedAsByteByByte() {
        let alphabet = Array("ab ,;\t|\"\r\n\u{0}".utf8) + [0x80, 0xE2, 0xFF]
        var random = SeededRandom(seed: 42)
        for delimiter in [UInt8(0x2C), 0x3B, 0x09, 0x7C] {
            for _ in 0..<2_000 {
                let block = (0..<64).map { _ in alphabet[random.next(below: alphabet.count)] }
                let (fast, bytewise) = block.withUnsafeBufferPointer {
                    (aims_csv_classify($0.baseAddress, delimiter), aims_csv_classify_bytewise($0.baseAddress, delimiter))
                }
                #expect(fast.quotes == bytewise.quotes && fast.edges == bytewise.edges && fast.spaces == bytewise.spaces,
                        "\(block) with delimiter \(delimiter)")
                if fast.quotes != bytewise.quotes || fast.edges != bytewise.edges || fast.spaces != bytewise.spaces { return }
            }
        }
    }

    /// Random lines of the bytes that matter (spaces, tabs, delimiters, quotes, CR, LF) parsed
    /// with and without dropping the space function give the same rows and rejects.
    @Test func randomLinesReadAlikeEitherWay() {
        let alphabet = Array("ab ,,\t\"\"\r;".utf8)
        // Long lines, to cross the scan's 64-byte blocks, are mostly letters.
        let longAlphabet = Array("abcdefghijklmnopqrstuvwxyz ,,\t\"\"\r;".utf8)
        var random = SeededRandom(seed: 0x9E37_79B9_7F4A_7C15)
        var linesWithoutFunction = 0
        for delimiter in [UInt8(0x2C), 0x3B, 0x09] {
            for _ in 0..<4_000 {
                var lines: [[UInt8]] = []
                for _ in 0..<(1 + random.next(below: 3)) {
                    let letters = random.next(below: 2) == 0 ? alphabet : longAlphabet
                    let length = letters == alphabet ? random.next(below: 9) : random.next(below: 200)
                    var line = (0..<length).map { _ in letters[random.next(below: letters.count)] }
                    line.append(0x0A)
                    if line.withUnsafeBufferPointer({ aims_csv_trims_nothing($0.baseAddress, $0.count, delimiter) != 0 }) {
                        linesWithoutFunction += 1
                    }
                    lines.append(line)
                }
                let dropping = parse(lines, delimiter: delimiter, dropsSpaceFunction: true)
                let keeping = parse(lines, delimiter: delimiter, dropsSpaceFunction: false)
                #expect(dropping == keeping, "\(lines.map { String(decoding: $0, as: UTF8.self) })")
                if dropping != keeping { return }
            }
        }
        // The lines cover both ways.
        #expect(linesWithoutFunction > 2_000)
    }

    /// Each row as its fields and lines, each reject as its place, reason and text.
    private func parse(_ lines: [[UInt8]], delimiter: UInt8, dropsSpaceFunction: Bool) -> [String] {
        let parser = CSVRowParser(delimiter: delimiter, file: "t.csv", limits: .standard, dropsSpaceFunction: dropsSpaceFunction)
        var events: [String] = []
        func drain() {
            parser.drain(rows: { row in
                let fields = (0..<row.count).map { index in row.withField(index) { String(decoding: $0, as: UTF8.self) } }
                events.append("row \(row.line)-\(row.lastLine) \(fields.debugDescription)")
            }, rejected: { record in
                events.append("rejected \(record.locator.line):\(record.locator.column) \(record.reason) \(record.raw.debugDescription)")
            })
        }
        for (index, line) in lines.enumerated() {
            line.withUnsafeBufferPointer { parser.feed(line: index + 1, bytes: $0) }
            drain()
            while parser.replayNext() { drain() }
        }
        while !parser.finish() {
            drain()
            while parser.replayNext() { drain() }
        }
        drain()
        return events
    }
}

/// A seeded sequence of random numbers (a 64-bit linear congruential generator), so that the
/// random tests read the same inputs on every run.
private struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// The next number, from 0 up to `bound` (excluded).
    mutating func next(below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(truncatingIfNeeded: state >> 33) % bound
    }
}
