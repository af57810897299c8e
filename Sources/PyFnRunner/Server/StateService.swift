import GRPCCore
import PyFnProto

/// BeamFnState: answers every request with an error until aggregate functions keep accumulators here.
struct StateService: BeamFnState.ServiceProtocol {
    func state(
        request: StreamingServerRequest<StateRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<StateResponse> {
        StreamingServerResponse { writer in
            for try await stateRequest in request.messages {
                var response = StateResponse()
                response.id = stateRequest.id
                response.error = "the State service is not supported by this runner yet (aggregate functions are not implemented)"
                try await writer.write(response)
            }
            return [:]
        }
    }
}
