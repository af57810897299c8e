import GRPCCore
import PyFnProto
import SwiftProtobuf

/// ProvisionService: tells each worker where the Control and Logging services are and which job options it runs with.
struct ProvisioningService: ProvisionService.ServiceProtocol {
    let registry: WorkerRegistry

    func getProvisionInfo(
        request: ServerRequest<GetProvisionInfoRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<GetProvisionInfoResponse> {
        guard let id = request.metadata.workerID, let options = await registry.options(for: id) else {
            throw RPCError(code: .permissionDenied, message: "unknown worker")
        }
        let endpoint = await registry.endpoint
        var info = ProvisionInfo()
        info.controlEndpoint.url = endpoint
        info.loggingEndpoint.url = endpoint
        info.pipelineOptions = Google_Protobuf_Struct(fields: options.mapValues { Google_Protobuf_Value(stringValue: $0) })
        info.runnerCapabilities = ["beam:protocol:control_request_elements_embedding:v1"]
        var response = GetProvisionInfoResponse()
        response.info = info
        return ServerResponse(message: response)
    }
}
