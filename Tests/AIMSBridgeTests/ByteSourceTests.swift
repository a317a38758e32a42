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
            // A source that is not hashed (registers read back) reads the same.
            let unhashed = try ByteSource(path: path, chunkSize: 3, hashing: false)
            #expect(Array(try unhashed.peek(5)) == Array("abcde".utf8))
            #expect(try chunks(unhashed) == ["abc", "def", "gh"])
        }
        #expect(try chunks(ByteSource(name: "t", bytes: bytes)) == ["abcdefgh"])
    }

    @Test func theDigestCoversTheWholeInputWhateverWasRead() throws {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1), from memory (hashed only when asked) and
        // from a file, after reading part of it or none.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let inMemory = ByteSource(name: "t", bytes: Array("abc".utf8), chunkSize: 2)
        _ = try inMemory.nextChunk()
        #expect(try inMemory.finishDigest() == abc)
        #expect(try ByteSource(name: "t", bytes: Array("abc".utf8)).finishDigest() == abc)
        try TestSupport.withTemporaryFile(Array("abc".utf8)) { path in
            let file = try ByteSource(path: path, chunkSize: 2)
            _ = try file.nextChunk()
            #expect(try file.finishDigest() == abc)
        }
    }
}
