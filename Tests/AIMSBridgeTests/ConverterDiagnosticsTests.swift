import Foundation
import Testing
@testable import AIMSBridge

/// A source that raises a warning on every row: the first ones reach the collector in full, the
/// rest as counts when the collector only counts past its first few.
@Suite struct ConverterDiagnosticsTests {
    static let rows = 1_200

    /// 1,200 risks, each due on an ambiguous date (several batches of records).
    private func withSource(_ body: (String) throws -> Void) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("risks.csv").path
        let rows = (1...Self.rows).map { "R-\($0),Risk \($0),05/06/2024" }
        try ("Risk ID,Title,Due Date\n" + rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try body(path)
    }

    private func convert(_ path: String, diagnostics: any DiagnosticCollector) throws -> SourceOutcome {
        var sink = RegisterCollector()
        return try Converter(options: ConvertOptions(), diagnostics: diagnostics).convert(path: path, into: &sink) { _ in }
    }

    private static func warning(_ path: String, row: Int) -> String {
        "\(path):\(row + 1):1: warning: Due Date: ambiguous date '05/06/2024' read as 5 June 2024 (day first); use --date-order mdy if it is month first"
    }

    @Test func aBatchMakesTheMessagesOfTheDiagnosticsItKeepsOnly() {
        let batch = BatchDiagnostics(fullLimit: 2)
        var made = 0
        for row in 1...5 {
            batch.emit(.warning, at: Locator(file: "r.csv", line: row + 1)) {
                made += 1
                return "warning \(row)"
            }
        }
        #expect(made == 2)
        #expect(batch.full.map(\.message) == ["warning 1", "warning 2"])
        #expect(batch.full.map(\.locator?.line) == [2, 3])
        #expect(batch.counted.file == "r.csv" && batch.counted.bySeverity.map(\.count) == [3])
        // A collector that keeps every diagnostic is given each message.
        let list = DiagnosticList()
        list.emit(.error, at: Locator(file: "r.csv", line: 9)) { "kept" }
        #expect(list.diagnostics.map(\.description) == ["r.csv:9:1: error: kept"])
    }

    @Test func aDiagnosticIsOneLineOfNoControlCharacters() {
        let diagnostic = Diagnostic(.warning, "invalid date '\u{1B}[31m1\r\n\t2\u{7F}\u{85}' kept", at: Locator(file: "a\u{1B}.csv", line: 2))
        #expect(diagnostic.description == #"a\u{1B}.csv:2:1: warning: invalid date '\u{1B}[31m1\r\n\t2\u{7F}\u{85}' kept"#)
        #expect(Diagnostic.printable("plain – ünïcode ☃") == "plain – ünïcode ☃")
    }

    @Test func aCollectorOfEveryDiagnosticGetsEveryOneInFull() throws {
        try withSource { path in
            let list = DiagnosticList()
            let outcome = try convert(path, diagnostics: list)
            #expect(outcome.summary.converted == Self.rows)
            #expect(list.diagnostics.map(\.description) == (1...Self.rows).map { Self.warning(path, row: $0) })
        }
    }

    @Test func aLogKeepingAFewGetsTheFirstInFullAndCountsEveryOne() throws {
        try withSource { path in
            let log = DiagnosticLog(keeping: 5)
            #expect(log.fullDiagnosticsPerFile == 5)
            _ = try convert(path, diagnostics: log)
            #expect(log.diagnostics.map(\.description) == (1...5).map { Self.warning(path, row: $0) })
            #expect(log.counts.warningsPerFile == [path: Self.rows])
            #expect(log.counts.omittedWarnings == Self.rows - 5)
            // Passing them on to a collector that wants every one, the log wants every one too.
            let forwarded = DiagnosticList()
            let chained = DiagnosticLog(keeping: 5, forwardingTo: forwarded)
            #expect(chained.fullDiagnosticsPerFile == nil)
            _ = try convert(path, diagnostics: chained)
            #expect(forwarded.diagnostics.count == Self.rows)
            #expect(chained.counts.warningsPerFile == [path: Self.rows])
        }
    }

    @Test func theCommandPrintsTheFirstWarningsAndCountsTheRest() throws {
        try withSource { path in
            let result = try TestSupport.runAIMS(["convert", path, "--format", "ndjson", "-o", path + ".ndjson"])
            #expect(result.status == 0)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(Array(lines.prefix(25)) == (1...25).map { Self.warning(path, row: $0) })
            #expect(lines.dropFirst(25).first == "\(path): note: \(Self.rows - 25) more warnings and errors not shown (see --rejects for rejected records)")
            #expect(lines.last == "1 source, \(Self.rows) records, \(Self.rows) converted, 0 rejected; 0 errors, \(Self.rows) warnings")
        }
    }

    @Test func countsHandedToACollectorOfEveryDiagnosticAreNotLost() {
        let list = DiagnosticList()
        list.emitCounted(.warning, file: "a.csv", count: 7)
        #expect(list.diagnostics.map(\.description) == ["a.csv:1:1: warning: 7 more warnings of this file, counted but not given one by one"])
    }
}
