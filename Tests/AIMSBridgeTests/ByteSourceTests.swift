import Testing
@testable import AIMSBridge

@Suite struct ByteSourceTests {
    /// The chunks of a source, as text.
    private func chunks(_ source: ByteSource) throws -> [String] {
        var chunks: [String] = []
        while let chunk = try source.nextChunk() { chunks.append(String(decoding: chunk, as: UTF8.self)) }
        return chunks
    }

    @Test func chunksAreAtMostTheChunkSizeAlsoAfterAPeek() throws {
        // Readers peek at the start to sniff the format; the bytes peeked at come back first, in
        // chunks of the same size as the rest, from memory and from a file alike.
        let bytes = Array("abcdefgh".utf8)
        let inMemory = ByteSource(name: "t", bytes: bytes, chunkSize: 3)
        #expect(Array(try inMemory.peek(5)) == Array("abcde".utf8))
        #expect(try chunks(inMemory) == ["abc", "def", "gh"])
        try TestSupport.withTemporaryFile(bytes) { path in
            let file = try ByteSource(path: path, chunkSize: 3)
            #expect(Array(try file.peek(5)) == Array("abcde".utf8))
            #expect(try chunks(file) == ["abc", "def", "gh"])
        }
        #expect(try chunks(ByteSource(name: "t", bytes: bytes)) == ["abcdefgh"])
    }
}
