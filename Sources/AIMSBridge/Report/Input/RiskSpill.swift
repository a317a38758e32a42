import Foundation

/// Risks written to a temporary file while a register is read, and read back for each pass the
/// reports make: memory holds a few batches of risks (`batchSize` × `batchesAhead` at most),
/// however many there are. The file is
/// NDJSON in the register's own encoding (`RegisterEncoding`), nameless from the start (see
/// `OutputFile.temporary()`): it goes when the spill does, or when the run is killed.
///
/// `@unchecked Sendable`: a spill is filled by the thread that reads the inputs and read back by
/// the thread that builds the reports, one after the other, never at once (`aims report` does
/// both on its main thread; each pass reads the file on a thread of its own, see `forEach`).
public final class RiskSpill: @unchecked Sendable {
    private let file: OutputFile
    private var line = JSONBuffer()
    /// How many risks were written.
    public private(set) var count = 0
    /// Why reading the file back failed, if it did (reports built from it are then incomplete).
    public private(set) var readFailure: RegisterReadError?

    /// Opens an empty spill in the temporary folder (`TMPDIR`, else `/tmp`).
    public init() throws(OutputError) {
        file = try OutputFile.temporary()
    }

    /// Appends a risk.
    public func append(_ risk: CanonicalRecord) throws(OutputError) {
        line.reset()
        RegisterEncoding.write(risk, into: &line)
        try line.withBytes { json throws(OutputError) in try append(encoded: json) }
    }

    /// Appends a risk already encoded by `RegisterEncoding` (one JSON object, no newline).
    public func append(encoded: UnsafeRawBufferPointer) throws(OutputError) {
        try file.write(encoded)
        try file.write(CollectionOfOne(0x0A))
        count += 1
    }

    /// Risks handed at a time from the thread that reads them back to the one that uses them.
    static let batchSize = 256
    /// Batches read ahead of their use at most.
    static let batchesAhead = 4

    /// Calls `body` with each risk and its position, in the order written (read back as the
    /// NDJSON register it is). A failure to read the file back stops the pass and is kept in
    /// `readFailure`.
    ///
    /// The file is read and parsed on a thread of its own, a few batches ahead of `body`: parsing
    /// is about two fifths of a report pass, and so runs beside the reports' work on the other
    /// core instead of before it.
    func forEach(_ body: (Int, CanonicalRecord) -> Void) {
        do {
            try file.flush()
        } catch {
            readFailure = RegisterReadError(locator: Locator(file: file.contentsPath, line: 1), message: error.message)
            return
        }
        let source: ByteSource
        do {
            source = try ByteSource(rereading: file.spoolReader, name: file.contentsPath)
        } catch {
            readFailure = RegisterReadError(locator: error.locator, message: error.message)
            return
        }
        let batches = BoundedQueue<[CanonicalRecord]>(capacity: RiskSpill.batchesAhead)
        let failure = Handoff<RegisterReadError?>(nil)
        let reading = Handoff(source)
        let finished = DispatchSemaphore(value: 0)
        let reader = Thread {
            var batch: [CanonicalRecord] = []
            func send() {
                var full: [CanonicalRecord] = []
                swap(&full, &batch)
                batches.push(full)
                batch.reserveCapacity(RiskSpill.batchSize)
            }
            do throws(RegisterReadError) {
                _ = try RegisterReader.read(reading.value) { risk in
                    batch.append(risk)
                    if batch.count == RiskSpill.batchSize { send() }
                }
            } catch {
                failure.value = error
            }
            if !batch.isEmpty { send() }
            batches.close()
            finished.signal()
        }
        reader.stackSize = 4 << 20
        reader.start()
        var position = 0
        while let batch = batches.pop() {
            for risk in batch {
                body(position, risk)
                position += 1
            }
        }
        finished.wait()
        if let error = failure.value { readFailure = error }
    }
}
