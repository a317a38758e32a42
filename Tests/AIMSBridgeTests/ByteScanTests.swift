import CByteScan
import Testing

/// The byte scans of `CByteScan` (16 bytes at a time, the last block overlapping the one before,
/// a shorter text read as its first and last 8 or 4 bytes) against their byte-by-byte definitions.
@Suite struct ByteScanTests {
    /// Texts of every length up to 48 with one byte of interest at each position, and none.
    private static func cases(marking marks: [UInt8], filler: UInt8) -> [([UInt8], Int)] {
        var cases: [([UInt8], Int)] = []
        for length in 0...48 {
            let plain = Array(repeating: filler, count: length)
            cases.append((plain, length))
            for position in 0..<length {
                for mark in marks {
                    var bytes = plain
                    bytes[position] = mark
                    // A second mark later must not hide the first.
                    if position + 5 < length { bytes[position + 5] = mark }
                    cases.append((bytes, position))
                }
            }
        }
        return cases
    }

    /// Runs `scan`, and the byte-at-a-time scan with `test` that machines without SSE2 use, on
    /// every case; both must find the marked byte.
    private static func check(_ scan: (UnsafePointer<UInt8>?, Int) -> Int, byteByByte test: aims_byte_test,
                              marking marks: [UInt8], filler: UInt8) {
        for (bytes, expected) in cases(marking: marks, filler: filler) {
            bytes.withUnsafeBufferPointer { buffer in
                #expect(scan(buffer.baseAddress, buffer.count) == expected, "\(bytes)")
                #expect(aims_first_byte(buffer.baseAddress, buffer.count, test) == expected, "\(bytes), byte by byte")
            }
        }
    }

    @Test func findsTheFirstByteJSONEscapes() {
        // Controls, the quote and the backslash are escaped; the bytes around them are not.
        Self.check(aims_json_first_escape, byteByByte: aims_json_escapes, marking: [0x00, 0x09, 0x0A, 0x1F, 0x22, 0x5C],
                   filler: UInt8(ascii: "a"))
        for byte in UInt8.min...UInt8.max {
            let bytes = Array(repeating: byte, count: 20)
            let escaped = byte < 0x20 || byte == 0x22 || byte == 0x5C
            let found = bytes.withUnsafeBufferPointer { aims_json_first_escape($0.baseAddress, $0.count) }
            #expect(found == (escaped ? 0 : 20), "byte \(byte)")
            #expect((aims_json_escapes(byte) != 0) == escaped)
        }
    }

    @Test func findsTheFirstByteACSVCellIsQuotedFor() {
        Self.check(aims_csv_first_quoted, byteByByte: aims_csv_needs_quotes, marking: [0x2C, 0x22, 0x0A, 0x0D],
                   filler: UInt8(ascii: ";"))
    }

    @Test func findsTheFirstByteThatIsNotASCII() {
        Self.check(aims_ascii_prefix, byteByByte: aims_is_non_ascii, marking: [0x80, 0xC3, 0xFF], filler: 0x7F)
    }
}
