import Foundation
@testable import PyFnRunner
import Testing

/// The runner's aggregate state: a bundle's writes are its own until it succeeds.
struct StateStoreTests {
    let key = Data("k".utf8)

    @Test func aBundleSeesItsOwnWritesAndOthersSeeThemOnlyOnceItSucceeds() throws {
        let store = StateStore()
        store.begin(worker: "w1", instruction: "b1", descriptor: "d")
        try store.append(worker: "w1", instruction: "b1", key: key, data: Data("a".utf8))
        try store.append(worker: "w1", instruction: "b1", key: key, data: Data("b".utf8))
        #expect(try store.get(worker: "w1", instruction: "b1", key: key) == Data("ab".utf8))
        store.begin(worker: "w1", instruction: "b2", descriptor: "d")
        #expect(try store.get(worker: "w1", instruction: "b2", key: key).isEmpty, "not committed yet")
        store.end(worker: "w1", instruction: "b1", commit: true)
        store.end(worker: "w1", instruction: "b2", commit: true)
        store.begin(worker: "w2", instruction: "b1", descriptor: "d")
        #expect(try store.get(worker: "w2", instruction: "b1", key: key) == Data("ab".utf8))
        #expect(store.committedKeys(descriptor: "d") == 1)
    }

    @Test func aFailedOrLostBundleLeavesNothingBehind() throws {
        let store = StateStore()
        store.begin(worker: "w1", instruction: "b1", descriptor: "d")
        try store.append(worker: "w1", instruction: "b1", key: key, data: Data("kept".utf8))
        store.end(worker: "w1", instruction: "b1", commit: true)

        store.begin(worker: "w1", instruction: "b2", descriptor: "d")
        try store.clear(worker: "w1", instruction: "b2", key: key)
        try store.append(worker: "w1", instruction: "b2", key: key, data: Data("failed".utf8))
        store.end(worker: "w1", instruction: "b2", commit: false)

        store.begin(worker: "w1", instruction: "b3", descriptor: "d")
        try store.append(worker: "w1", instruction: "b3", key: key, data: Data("lost".utf8))
        store.endAll(worker: "w1")

        store.begin(worker: "w2", instruction: "b1", descriptor: "d")
        #expect(try store.get(worker: "w2", instruction: "b1", key: key) == Data("kept".utf8))
        #expect(throws: StateStoreError.self) { try store.get(worker: "w1", instruction: "b3", key: key) }
        store.drop(descriptor: "d")
        #expect(store.committedKeys(descriptor: "d") == 0)
    }

    @Test func descriptorsKeepSeparateState() throws {
        let store = StateStore()
        for descriptor in ["d1", "d2"] {
            store.begin(worker: "w", instruction: descriptor, descriptor: descriptor)
            try store.append(worker: "w", instruction: descriptor, key: key, data: Data(descriptor.utf8))
            store.end(worker: "w", instruction: descriptor, commit: true)
        }
        store.begin(worker: "w", instruction: "b", descriptor: "d1")
        #expect(try store.get(worker: "w", instruction: "b", key: key) == Data("d1".utf8))
    }
}
