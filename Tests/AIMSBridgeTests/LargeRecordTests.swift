import Foundation
import Testing
@testable import AIMSBridge

/// Records of hundreds of kilobytes: read ahead, sampled and batched between threads by their
/// bytes as well as by their number, and still every one converted, in order, with its warnings
/// in order (peak memory is shown by `Benchmarks/hostile_inputs.py`, not tested).
@Suite struct LargeRecordTests {
    static let count = 90
    /// Every third record's description: 9 MB in all, past the sample (4 MiB) and three to a batch.
    static let large = String(repeating: "x", count: 300 * 1024)

    private static func description(_ index: Int) -> String {
        index % 3 == 0 ? large : "short \(index)"
    }

    private func convert(_ text: String, name: String) throws -> (records: [CanonicalRecord], diagnostics: [Diagnostic]) {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var sink = RegisterCollector()
        let diagnostics = DiagnosticList()
        let outcome = try Converter(options: ConvertOptions(normalize: NormalizeOptions(kind: .risk)), diagnostics: diagnostics)
            .convert(path: path, into: &sink) { _ in }
        #expect(outcome.failure == nil)
        return (sink.register.records, diagnostics.diagnostics)
    }

    @Test(arguments: ["csv", "xml", "json"])
    func everyRecordIsConvertedInOrder(format: String) throws {
        let indices = 1...Self.count
        let text: String
        switch format {
        case "csv":
            text = "Risk ID,Description,Due Date\n" + indices.map { "R-\($0),\(Self.description($0)),05/06/2024\n" }.joined()
        case "xml":
            text = "<risks>\n" + indices.map { "<risk><id>R-\($0)</id><description>\(Self.description($0))</description><due>05/06/2024</due></risk>\n" }.joined() + "</risks>\n"
        default:
            text = "[\n" + indices.map { "{\"id\": \"R-\($0)\", \"description\": \"\(Self.description($0))\", \"due\": \"05/06/2024\"}" }.joined(separator: ",\n") + "\n]\n"
        }
        let (records, diagnostics) = try convert(text, name: "large.\(format)")
        #expect(records.map(\.id) == indices.map { "R-\($0)" })
        #expect(records.map { $0.text(.description) ?? "" } == indices.map(Self.description))
        #expect(diagnostics.compactMap(\.locator?.line) == indices.map { $0 + 1 })
    }

    @Test func theHeaderIsFoundBelowABannerAmongLargeRows() throws {
        let rows = (1...4).map { "R-\($0),\(String(repeating: "y", count: 600 * 1024)),05/06/2024\n" }.joined()
        let (records, _) = try convert("Risk register export 2025-01-03\nRisk ID,Description,Due Date\n" + rows, name: "banner.csv")
        #expect(records.map(\.id) == ["R-1", "R-2", "R-3", "R-4"])
        #expect(records.allSatisfy { $0.text(.description)?.utf8.count == 600 * 1024 })
    }
}

/// The budget of bytes between a conversion's reader and writer.
@Suite struct ByteBudgetTests {
    @Test func aTakerWaitsUntilBytesAreGivenBackButOneLargeItemGoesAlone() {
        let budget = ByteBudget(limit: 100)
        budget.take(250) // more than the limit, but nothing else is taken
        let taken = DispatchSemaphore(value: 0)
        Thread {
            budget.take(10)
            taken.signal()
        }.start()
        #expect(taken.wait(timeout: .now() + 0.2) == .timedOut)
        budget.give(250)
        #expect(taken.wait(timeout: .now() + 10) == .success)
    }

    @Test func chargedBytesAreWaitedOnLikeTakenOnes() {
        let budget = ByteBudget(limit: 100)
        budget.take(40)
        budget.charge(50) // the batch's output turned out larger than its footprint
        let taken = DispatchSemaphore(value: 0)
        Thread {
            budget.take(20)
            taken.signal()
        }.start()
        #expect(taken.wait(timeout: .now() + 0.2) == .timedOut)
        budget.give(90)
        #expect(taken.wait(timeout: .now() + 10) == .success)
    }

    @Test func expansionFollowsTheLatestBatchesAndComesDownByAnEighth() {
        let budget = ByteBudget(limit: 100)
        #expect(budget.expansion == 1)
        budget.observe(footprint: 1_000, output: 800) // output smaller than the footprint
        #expect(budget.expansion == 1)
        budget.observe(footprint: 1_000, output: 8_000) // a cell of thousands of references
        #expect(budget.expansion == 8)
        budget.observe(footprint: 1_000, output: 500)
        #expect(budget.expansion == 7)
        budget.observe(footprint: 1_000, output: 9_000)
        #expect(budget.expansion == 9)
        budget.observe(footprint: 0, output: 500) // nothing read: nothing learned
        #expect(budget.expansion == 9)
        for _ in 0..<40 { budget.observe(footprint: 1_000, output: 10) }
        #expect(budget.expansion == 1)
    }

    @Test func closingReleasesAWaitingTaker() {
        let budget = ByteBudget(limit: 100)
        budget.take(80)
        let taken = DispatchSemaphore(value: 0)
        Thread {
            budget.take(30)
            taken.signal()
        }.start()
        #expect(taken.wait(timeout: .now() + 0.2) == .timedOut)
        budget.close()
        #expect(taken.wait(timeout: .now() + 10) == .success)
    }
}
