import Foundation
import Synchronization

/// The runner's keyed state for aggregate functions: the accumulators workers read and write over the State
/// service, kept per bundle descriptor (so every worker an operator ever has sees the same state).
///
/// A bundle's writes are its own until the bundle succeeds: reads inside the bundle see them, and they are
/// committed when the worker's answer arrives without an error, or dropped when the bundle fails or its worker
/// is lost. A bundle replayed on a new worker therefore starts from the state the lost one started from, and no
/// row is counted twice.
public final class StateStore: Sendable {
    private struct Bundle {
        let descriptorID: String
        /// The whole value of every state key the bundle wrote, as it stands after its writes.
        var writes: [Data: Data] = [:]
    }

    private struct Contents {
        var committed: [String: [Data: Data]] = [:]
        /// Bundles in progress, by worker id and instruction id.
        var bundles: [String: [String: Bundle]] = [:]
    }

    private let contents = Mutex(Contents())

    /// An empty store.
    public init() {}

    /// Opens bundle `instructionID` of worker `workerID`, which runs descriptor `descriptorID`.
    func begin(worker workerID: String, instruction instructionID: String, descriptor descriptorID: String) {
        contents.withLock { $0.bundles[workerID, default: [:]][instructionID] = Bundle(descriptorID: descriptorID) }
    }

    /// Ends a bundle: its writes become the state when `commit`, else they are dropped.
    func end(worker workerID: String, instruction instructionID: String, commit: Bool) {
        contents.withLock { contents in
            guard let bundle = contents.bundles[workerID]?.removeValue(forKey: instructionID), commit else { return }
            contents.committed[bundle.descriptorID, default: [:]].merge(bundle.writes) { $1 }
        }
    }

    /// Drops every open bundle of a worker that is gone.
    func endAll(worker workerID: String) {
        contents.withLock { _ = $0.bundles.removeValue(forKey: workerID) }
    }

    /// The value of `key` as bundle `instructionID` sees it (empty when never written).
    func get(worker workerID: String, instruction instructionID: String, key: Data) throws -> Data {
        try contents.withLock { contents in
            let bundle = try Self.bundle(contents, workerID, instructionID)
            return bundle.writes[key] ?? contents.committed[bundle.descriptorID]?[key] ?? Data()
        }
    }

    /// Appends `data` to `key` within bundle `instructionID`.
    func append(worker workerID: String, instruction instructionID: String, key: Data, data: Data) throws {
        try contents.withLock { contents in
            let bundle = try Self.bundle(contents, workerID, instructionID)
            let current = bundle.writes[key] ?? contents.committed[bundle.descriptorID]?[key] ?? Data()
            contents.bundles[workerID]![instructionID]!.writes[key] = current + data
        }
    }

    /// The values of `keys` as bundle `instructionID` sees them, in order (empty when never written), under one lock.
    func getMany(worker workerID: String, instruction instructionID: String, keys: [Data]) throws -> [Data] {
        try contents.withLock { contents in
            let bundle = try Self.bundle(contents, workerID, instructionID)
            let committed = contents.committed[bundle.descriptorID]
            return keys.map { bundle.writes[$0] ?? committed?[$0] ?? Data() }
        }
    }

    /// Sets the value of each key within bundle `instructionID` (as a clear then an append would), under one lock.
    func setMany(worker workerID: String, instruction instructionID: String, values: [(key: Data, value: Data)]) throws {
        try contents.withLock { contents in
            _ = try Self.bundle(contents, workerID, instructionID)
            for (key, value) in values { contents.bundles[workerID]![instructionID]!.writes[key] = value }
        }
    }

    /// Clears `key` within bundle `instructionID`.
    func clear(worker workerID: String, instruction instructionID: String, key: Data) throws {
        try contents.withLock { contents in
            _ = try Self.bundle(contents, workerID, instructionID)
            contents.bundles[workerID]![instructionID]!.writes[key] = Data()
        }
    }

    /// Drops the committed state of a descriptor whose operator has closed.
    func drop(descriptor descriptorID: String) {
        contents.withLock { _ = $0.committed.removeValue(forKey: descriptorID) }
    }

    /// How many keys descriptor `descriptorID` has committed state for.
    public func committedKeys(descriptor descriptorID: String) -> Int {
        contents.withLock { $0.committed[descriptorID]?.count ?? 0 }
    }

    private static func bundle(_ contents: Contents, _ workerID: String, _ instructionID: String) throws -> Bundle {
        guard let bundle = contents.bundles[workerID]?[instructionID] else {
            throw StateStoreError("worker \(workerID) has no bundle '\(instructionID)' in progress")
        }
        return bundle
    }
}

/// A state request that cannot be served; the message goes back in the StateResponse's `error`.
struct StateStoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
