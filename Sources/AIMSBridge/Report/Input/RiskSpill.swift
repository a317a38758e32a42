/// Risks written to a temporary file while a register is read, and read back for each pass the
/// reports make: memory holds a few batches of risks (see `RegisterReader.readAhead`), however
/// many there are. The file is NDJSON in the register's own encoding (`RegisterEncoding`),
/// nameless from the start (see `OutputFile.temporary()`): it goes when the spill does, or when
/// the run is killed.
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

    /// Calls `body` with each risk and its position, in the order written (read back as the
    /// NDJSON register it is). A failure to read the file back stops the pass and is kept in
    /// `readFailure`. The file is parsed on a thread of its own, a few batches of risks ahead of
    /// `body` (`RegisterReader.readAhead`).
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
        var position = 0
        do {
            _ = try RegisterReader.readAhead(source) { risk in
                body(position, risk)
                position += 1
            }
        } catch {
            readFailure = error
        }
    }
}
