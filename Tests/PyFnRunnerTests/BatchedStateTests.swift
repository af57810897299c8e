import Foundation
import PyFnProto
@testable import PyFnRunner
import Testing

/// Batched state requests (`pyfn:batch:<id>`): many keys in one get or one append, the same state as the per-key
/// requests reach, committed only when the bundle succeeds. The list format is built here byte by byte.
struct BatchedStateTests {
    /// A list as the wire contract spells it: 4-byte little-endian lengths, each followed by its bytes.
    static func list(_ items: [String]) -> Data {
        var data = Data()
        for item in items {
            let bytes = Array(item.utf8)
            data.append(contentsOf: [UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8 & 0xFF), 0, 0])
            data.append(contentsOf: bytes)
        }
        return data
    }

    static func request(_ userState: String, key: Data = Data(), instruction: String = "b1") -> StateRequest {
        var request = StateRequest()
        request.id = "r"
        request.instructionID = instruction
        var bag = StateKey.BagUserState()
        bag.transformID = "udf"
        bag.userStateID = userState
        bag.key = key
        request.stateKey.bagUserState = bag
        return request
    }

    static func answer(_ request: StateRequest, _ store: StateStore) -> StateResponse {
        StateService.answer(request, workerID: "w", store: store)
    }

    @Test func aBatchedAppendSetsEachKeyAndABatchedGetReadsThemInOrder() throws {
        let store = StateStore()
        store.begin(worker: "w", instruction: "b1", descriptor: "d")
        // 'a' written per key first: the batched write replaces it (a clear then an append).
        var perKey = Self.request("accumulators", key: Data("a".utf8))
        perKey.append.data = Data("old".utf8)
        #expect(Self.answer(perKey, store).error == "")
        var write = Self.request("pyfn:batch:accumulators")
        write.append.data = Self.list(["a", "1", "b", "22"])
        #expect(Self.answer(write, store).error == "")
        store.end(worker: "w", instruction: "b1", commit: true)

        store.begin(worker: "w", instruction: "b2", descriptor: "d")
        var read = Self.request("pyfn:batch:accumulators", key: Self.list(["b", "nobody", "a"]), instruction: "b2")
        read.get = StateGetRequest()
        let response = Self.answer(read, store)
        #expect(response.error == "")
        #expect(response.get.data == Self.list(["22", "", "1"]))
        #expect(response.get.continuationToken.isEmpty)
        // The per-key request reaches the same state.
        var single = Self.request("accumulators", key: Data("b".utf8), instruction: "b2")
        single.get = StateGetRequest()
        #expect(Self.answer(single, store).get.data == Data("22".utf8))
    }

    @Test func aFailedBundlesBatchedWritesAreDropped() throws {
        let store = StateStore()
        store.begin(worker: "w", instruction: "b1", descriptor: "d")
        var write = Self.request("pyfn:batch:accumulators")
        write.append.data = Self.list(["a", "lost"])
        #expect(Self.answer(write, store).error == "")
        store.end(worker: "w", instruction: "b1", commit: false)
        store.begin(worker: "w", instruction: "b2", descriptor: "d")
        var read = Self.request("pyfn:batch:accumulators", key: Self.list(["a"]), instruction: "b2")
        read.get = StateGetRequest()
        #expect(Self.answer(read, store).get.data == Self.list([""]))
    }

    @Test func malformedBatchedRequestsAreAnsweredWithAnError() throws {
        let store = StateStore()
        store.begin(worker: "w", instruction: "b1", descriptor: "d")
        var cut = Self.request("pyfn:batch:accumulators", key: Data([9, 0, 0, 0, 65]))
        cut.get = StateGetRequest()
        #expect(Self.answer(cut, store).error.contains("the keys of a batched get: an item of 9 bytes at byte 4 runs past the end (5 bytes)"))
        var odd = Self.request("pyfn:batch:accumulators")
        odd.append.data = Self.list(["a", "1", "b"])
        #expect(Self.answer(odd, store).error.contains("a batched append lists 3 items; (key, value) pairs were expected"))
        var clear = Self.request("pyfn:batch:accumulators")
        clear.clear = StateClearRequest()
        #expect(Self.answer(clear, store).error.contains("not a clear"))
        var token = Self.request("pyfn:batch:accumulators", key: Self.list(["a"]))
        token.get.continuationToken = Data("1".utf8)
        #expect(Self.answer(token, store).error.contains("takes no continuation token"))
    }
}
