// The timers of one subtask of a KeyedProcessFunction node: kept in the runner, changed only by the requests a
// successful bundle returns, taken out when they fire.
import Foundation

/// Which clock a timer follows (the numbers are the worker's `__timer` row kinds when it fires).
enum TimerDomain: Int8, Sendable {
    /// Fires when the watermark reaches it.
    case eventTime = 1
    /// Fires when the wall clock reaches it.
    case processingTime = 2
}

/// One timer: a key (its pickle), a domain and a time in ms.
struct KeyedTimer: Hashable, Sendable {
    let key: [UInt8]
    let domain: TimerDomain
    let time: Int64
}

/// A subtask's timers: at most one per key, domain and time (Flink's rule: registering again changes nothing).
struct KeyedTimers {
    private var timers: Set<KeyedTimer> = []

    /// How many timers are set.
    var count: Int { timers.count }

    /// Applies a worker's request (`__timer` 1 register event, 2 register processing, 3 delete event, 4 delete
    /// processing); throws on an unknown one.
    mutating func apply(request: Int8, time: Int64, key: [UInt8]) throws {
        switch request {
        case 1: timers.insert(KeyedTimer(key: key, domain: .eventTime, time: time))
        case 2: timers.insert(KeyedTimer(key: key, domain: .processingTime, time: time))
        case 3: timers.remove(KeyedTimer(key: key, domain: .eventTime, time: time))
        case 4: timers.remove(KeyedTimer(key: key, domain: .processingTime, time: time))
        default: throw DataStreamError("the worker asked for timer request \(request), which is not one of 1-4")
        }
    }

    /// The earliest time of a timer of `domain`, if any.
    func earliest(_ domain: TimerDomain) -> Int64? {
        timers.lazy.filter { $0.domain == domain }.map(\.time).min()
    }

    /// Takes out the timers of `domain` due at `time` (time <= it), earliest first (then by key, so a run is
    /// repeatable).
    mutating func takeDue(_ domain: TimerDomain, upTo time: Int64) -> [KeyedTimer] {
        let due = timers.filter { $0.domain == domain && $0.time <= time }
        timers.subtract(due)
        return due.sorted { $0.time != $1.time ? $0.time < $1.time : $0.key.lexicographicallyPrecedes($1.key) }
    }
}
