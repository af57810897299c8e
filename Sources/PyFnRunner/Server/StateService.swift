import Foundation
import GRPCCore
import PyFnProto

/// BeamFnState: the accumulators of aggregate functions, kept in the runner's ``StateStore`` per bundle descriptor
/// under the request's serialized StateKey (bag user state: the whole bag is one value; `get` answers it in one
/// piece, with an empty continuation token). A batched request (``BatchedStateRequest``) reaches many keys at once.
struct StateService: BeamFnState.ServiceProtocol {
    let registry: WorkerRegistry

    func state(
        request: StreamingServerRequest<StateRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<StateResponse> {
        let workerID = try await registry.connection(of: request.metadata).workerID
        let store = registry.state
        return StreamingServerResponse { writer in
            for try await stateRequest in request.messages {
                try await writer.write(Self.answer(stateRequest, workerID: workerID, store: store))
            }
            return [:]
        }
    }

    static func answer(_ request: StateRequest, workerID: String, store: StateStore) -> StateResponse {
        var response = StateResponse()
        response.id = request.id
        do {
            guard case .bagUserState = request.stateKey.type else {
                throw StateStoreError("only bag user state is kept by this runner")
            }
            if let perKey = BatchedStateRequest.perKeyState(of: request.stateKey) {
                try BatchedStateRequest.answer(request, perKey: perKey, workerID: workerID, store: store, into: &response)
                return response
            }
            let key = try request.stateKey.serializedData()
            switch request.request {
            case .get:
                response.get.data = try store.get(worker: workerID, instruction: request.instructionID, key: key)
            case .append(let append):
                try store.append(worker: workerID, instruction: request.instructionID, key: key, data: append.data)
                response.append = StateAppendResponse()
            case .clear:
                try store.clear(worker: workerID, instruction: request.instructionID, key: key)
                response.clear = StateClearResponse()
            case nil:
                throw StateStoreError("a state request without get, append or clear")
            }
        } catch {
            response.error = "\(error)"
        }
        return response
    }
}
