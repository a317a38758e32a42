import Foundation

extension RegisterReader {
    /// Records handed at a time from the thread that parses them to the one that uses them.
    static let readAheadBatch = 256
    /// Batches parsed ahead of their use at most.
    static let readAheadBatches = 4

    /// Reads a register from `source` as `read(_:each:)` does, parsing it on a thread of its own a
    /// few batches of records ahead of `body`, which runs on the calling thread, in file order.
    ///
    /// Parsing is about two fifths of a report pass over a register's risks: this way it runs on
    /// the other core, beside what `body` does with the records parsed before. Memory holds at
    /// most `readAheadBatch` × (`readAheadBatches` + 2) records. Records before a malformed one
    /// reach `body` before its error is thrown; when `body` throws, parsing stops and that error
    /// is thrown.
    static func readAhead(_ source: ByteSource, each body: (CanonicalRecord) throws(RegisterReadError) -> Void)
        throws(RegisterReadError) -> [SourceSummary] {
        let batches = BoundedQueue<[CanonicalRecord]>(capacity: readAheadBatches)
        let parsed = Handoff<Result<[SourceSummary], RegisterReadError>>(.success([]))
        let reading = Handoff(source)
        let finished = DispatchSemaphore(value: 0)
        let parser = Thread {
            var batch: [CanonicalRecord] = []
            func send() -> Bool {
                var full: [CanonicalRecord] = []
                swap(&full, &batch)
                batch.reserveCapacity(RegisterReader.readAheadBatch)
                return batches.push(full)
            }
            do throws(RegisterReadError) {
                parsed.value = .success(try RegisterReader.read(reading.value) { record throws(RegisterReadError) in
                    batch.append(record)
                    // A closed queue means `body` failed: its error is the one thrown, not this.
                    if batch.count == RegisterReader.readAheadBatch, !send() {
                        throw RegisterReadError(locator: record.locator, message: "reading stopped")
                    }
                })
            } catch {
                parsed.value = .failure(error)
            }
            if !batch.isEmpty { _ = send() }
            batches.close()
            finished.signal()
        }
        // Parsing recurses once per nesting level, at most `maxDepth` (32) levels: room to spare.
        parser.stackSize = 4 << 20
        parser.start()
        var failure: RegisterReadError?
        delivering: while let batch = batches.pop() {
            for record in batch {
                do throws(RegisterReadError) {
                    try body(record)
                } catch {
                    failure = error
                    break delivering
                }
            }
        }
        batches.close()
        finished.wait()
        if let failure { throw failure }
        return try parsed.value.get()
    }
}
