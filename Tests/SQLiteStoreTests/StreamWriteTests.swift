import BotStore
import SQLiteStore
import StoreTestSupport
import Testing

/// The stream writes that only SQLite has (`updateStream`, `finishStream`: tests and benchmarks
/// set streams up with them), and its foreign keys. The backend-neutral stream tests are in
/// StoreContractTests.
@Suite struct StreamWriteTests {
    let t0: Int64 = 1_700_000_000

    /// The message row names its stream from the start, and every foreign key holds.
    @Test func acceptLeavesEveryForeignKeySatisfied() throws {
        try withMigratedStore { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s2"), now: t0)
            #expect(try store.scalarInt("SELECT count(*) FROM messages WHERE msgid = 'm1' AND stream_id = 's1'") == 1)
            #expect(try store.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
            // Foreign keys are enforced.
            #expect(throws: SQLiteError.self) {
                try store.execute("INSERT INTO jobs(stream_id, payload, run_at, created_at, updated_at) VALUES ('none', '{}', 0, 0, 0)")
            }
        }
    }

    @Test func updateGrowsContentAndMarksStreaming() throws {
        try withMigratedStore { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            try store.updateStream(id: "s1", content: "Hel", now: t0 + 1)
            try store.updateStream(id: "s1", content: "Hello", now: t0 + 2)
            let stream = try #require(try store.stream(id: "s1"))
            #expect(stream.state == .streaming)
            #expect(stream.content == "Hello")
            #expect(!stream.finished)
            #expect(stream.updatedAt == t0 + 2)
            #expect(stream.createdAt == t0)
            #expect(throws: StoreError.notFound("stream nope")) {
                try store.updateStream(id: "nope", content: "x", now: t0)
            }
        }
    }

    @Test func finishStoresImagesAndIsNeverReopened() throws {
        try withMigratedStore { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            try store.updateStream(id: "s1", content: "Here", now: t0 + 1)
            let image = StreamImage(data: Fixtures.png, md5: Fixtures.pngMD5)
            try store.finishStream(id: "s1", content: "Here it is", images: [image], state: .finished,
                                   error: nil, now: t0 + 5)

            let finished = try #require(try store.stream(id: "s1"))
            #expect(finished.finished)
            #expect(finished.state == .finished)
            #expect(finished.content == "Here it is")
            #expect(finished.error == nil)
            #expect(finished.updatedAt == t0 + 5)
            #expect(finished.images == [image])
            #expect(finished.images.first?.data.count == 69)
            #expect(try store.scalarInt("SELECT finished_at FROM streams WHERE id = 's1'") == t0 + 5)
            #expect(try store.scalarInt("SELECT bytes FROM stream_images WHERE stream_id = 's1'") == 69)

            try store.updateStream(id: "s1", content: "late chunk", now: t0 + 6)
            #expect(try store.stream(id: "s1") == finished)

            // A redelivered message sees the final frame, images included.
            let again = try store.acceptMessage(.mock(msgID: "m1", streamID: "s9"), now: t0 + 7)
            #expect(again.stream == finished)
        }
    }

    @Test func finishKeepsTenImagesInOrderAndReplacesEarlierOnes() throws {
        try withMigratedStore { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            let many = (0..<12).map { StreamImage(data: Fixtures.png + [UInt8($0)], md5: "md5-\($0)") }
            try store.finishStream(id: "s1", content: "a", images: many, state: .finished, error: nil, now: t0)
            #expect(try store.stream(id: "s1")?.images == Array(many.prefix(10)))

            try store.finishStream(id: "s1", content: "b", images: [many[11]], state: .failed, error: "boom", now: t0 + 1)
            let failed = try #require(try store.stream(id: "s1"))
            #expect(failed.images == [many[11]])
            #expect(failed.state == .failed)
            #expect(failed.error == "boom")
            #expect(try store.scalarInt("SELECT count(*) FROM stream_images") == 1)
        }
    }

    @Test func finishingAnUnknownStreamThrowsNotFoundAndWritesNothing() throws {
        try withMigratedStore { store, _ throws in
            let image = StreamImage(data: Fixtures.png, md5: Fixtures.pngMD5)
            #expect(throws: StoreError.notFound("stream nope")) {
                try store.finishStream(id: "nope", content: "x", images: [image], state: .finished, error: nil, now: t0)
            }
            #expect(try store.scalarInt("SELECT count(*) FROM stream_images") == 0)
        }
    }
}
