// A streaming job's commit clock: every `execution.checkpointing.interval` it commits the sink, so the rows written
// so far become visible (files renamed into place, transactions committed).
import Foundation

/// Commits a ``SinkWriter``'s sink every `interval` until stopped. A failed commit ends the clock and is handed
/// to `onFailure` (which stops the job's lanes); ``stop()`` rethrows it.
final class PeriodicCommit: Sendable {
    private let task: Task<Void, any Error>

    /// Starts the clock.
    init(writer: SinkWriter, every interval: Duration, onFailure: @escaping @Sendable (any Error) async -> Void) {
        task = Task {
            while true {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return  // stopped
                }
                do {
                    try await writer.commit()
                } catch {
                    await onFailure(error)
                    throw error
                }
            }
        }
    }

    /// Stops the clock; throws the error of a commit that failed.
    func stop() async throws {
        task.cancel()
        try await task.value
    }
}
