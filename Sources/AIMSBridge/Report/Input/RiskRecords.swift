/// The risks of a report run, in register order, read as often as the reports need them.
///
/// Risks are the part of a register that grows to millions of records, so reports never hold
/// them: each pass folds them into what a report shows (counts, the first links of a row, the
/// first rows of a table) and the full risk table is rendered by reading them once more. The
/// risks come from memory (a register already held, as `aims merge` and `aims batch` have it)
/// and then from a `RiskSpill` file (`aims report`, which writes risks there as it reads them).
public struct RiskRecords: Sendable {
    private let held: [CanonicalRecord]
    private let spill: RiskSpill?

    /// Risks held in memory, then those of `spill`.
    public init(_ held: [CanonicalRecord] = [], spill: RiskSpill? = nil) {
        self.held = held
        self.spill = spill
    }

    /// How many risks there are.
    public var count: Int { held.count + (spill?.count ?? 0) }

    /// Calls `body` with each risk and its position (0-based, register order).
    public func forEach(_ body: (_ position: Int, _ risk: CanonicalRecord) -> Void) {
        for (position, risk) in held.enumerated() { body(position, risk) }
        spill?.forEach { position, risk in body(held.count + position, risk) }
    }

    /// `records` first, then these.
    func prepending(_ records: [CanonicalRecord]) -> RiskRecords {
        records.isEmpty ? self : RiskRecords(records + held, spill: spill)
    }

    /// Why reading the spill file back failed, if it did (reports built from it are then incomplete).
    public var readFailure: RegisterReadError? { spill?.readFailure }
}
