import PyFnArrow
import Synchronization

/// Connects an INSERT's source and lanes to its window stage, which exists only once the plan is built: the
/// source reports each batch it reads, and each lane reports the batches it has passed on, so the stage knows
/// how far it may fire (see ``WindowGroupingStage``). Without a window stage both do nothing.
final class WindowLaneReporting: Sendable {
    private let stage = Mutex<(any EventTimeStage)?>(nil)

    /// Reporting to no stage yet.
    init() {}

    /// Reports go to `stage` from now on.
    func connect(_ stage: any EventTimeStage) {
        self.stage.withLock { $0 = stage }
    }

    /// The source read a batch (``EventTimeSource``'s callback).
    func sourceBatch(firstWatermark: Int64, watermarkAfter: Int64) async {
        await stage.withLock { $0 }?.sourceBatch(firstWatermark: firstWatermark, watermarkAfter: watermarkAfter)
    }

    /// What one lane took and has not reported passed yet.
    struct Lane {
        fileprivate var pending: [Int64] = []
    }

    /// A lane took `batch` from the source (its last column is `$wm`).
    func took(_ batch: RecordBatch, lane: inout Lane) {
        guard stage.withLock({ $0 }) != nil, let marks = batch.columns.last, batch.length > 0 else { return }
        lane.pending.append(marks.withValues(as: Int64.self) { $0[0] })
    }

    /// The lane has handed on its output; when its chain holds no rows, everything it took has passed.
    func handedOn(lane: inout Lane, chainHolds rows: Int) async throws {
        guard rows == 0, !lane.pending.isEmpty, let stage = stage.withLock({ $0 }) else { return }
        for mark in lane.pending { try await stage.passed(firstWatermark: mark) }
        lane.pending = []
    }
}

/// A grouping stage driven by event time (time windows, OVER windows): told of the source's batches and of the
/// batches lanes have passed on, so it knows how far it may fire.
protocol EventTimeStage: GroupingStage {
    /// The source read a batch: its first row's watermark and the watermark after its last row.
    func sourceBatch(firstWatermark: Int64, watermarkAfter: Int64) async
    /// A lane has passed on everything it made of the batch whose first watermark this is.
    func passed(firstWatermark: Int64) async throws
}

/// How far an event-time stage may fire: the source's watermark, held back by the first watermark of every
/// batch a lane has taken and not yet passed on (a row such a lane holds may still belong to a later window).
struct FiringWatermark {
    private var outstanding: [Int64: Int] = [:]
    private var source = Int64.min

    /// A batch was read.
    mutating func sourceBatch(firstWatermark: Int64, watermarkAfter: Int64) {
        outstanding[firstWatermark, default: 0] += 1
        source = max(source, watermarkAfter)
    }

    /// A batch was passed on; returns the watermark up to which windows may now fire.
    mutating func passed(firstWatermark: Int64) -> Int64 {
        if let count = outstanding[firstWatermark] {
            outstanding[firstWatermark] = count > 1 ? count - 1 : nil
        }
        return min(source, outstanding.keys.min() ?? .max)
    }

    /// Processing time: how far windows may fire at wall-clock time `now` (µs) while no rows come.
    func byClock(now: Int64) -> Int64 {
        min(now, outstanding.keys.min() ?? .max)
    }
}
