import Foundation
import Testing
import PyFnArrow
@testable import PyFnJobs

/// The queue between a job's lanes and a grouping's partitions (and between a source and its lanes): whatever the
/// interleaving, every batch pushed comes out once and nobody waits for ever.
@Suite("source feed")
struct SourceFeedTests {
    static let schema = ArrowSchema([ArrowField("n", .int64)])

    /// Many producers against one consumer that keeps the queue short. A producer left waiting for room while the
    /// queue was empty (its wake-up lost because batches went straight to the waiting consumer) hung a job whose
    /// grouping function failed (`PythonAggregateJobTests`, parallelism 4).
    @Test(arguments: [1, 2]) func everyPushedBatchComesOutWithManyProducers(capacity: Int) async throws {
        let producers = 6, batches = 200
        for _ in 0..<10 {
            let feed = SourceFeed(capacity: capacity)
            let received = try await withThrowingTaskGroup(of: Int.self) { group in
                for producer in 0..<producers {
                    group.addTask {
                        for k in 0..<batches {
                            try await feed.push(try RecordBatch(schema: Self.schema, columns: [.int64([Int64(producer * batches + k)])]))
                            if k % 7 == 0 { await Task.yield() }
                        }
                        return -1
                    }
                }
                group.addTask {
                    var count = 0
                    while case .batch = try await feed.next(idleAfter: nil) {
                        count += 1
                        if count == producers * batches { return count }
                    }
                    return count
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    await feed.fail(SourceFeedStuck())  // frees whoever waits, so the test fails instead of hanging
                    throw SourceFeedStuck()
                }
                var consumed = -1
                while consumed < 0 { consumed = try await group.next()! }
                group.cancelAll()
                await feed.fail(CancellationError())
                return consumed
            }
            #expect(received == producers * batches)
        }
    }
}

private struct SourceFeedStuck: Error {}
