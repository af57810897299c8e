import Foundation
import PyFnProto
import SwiftProtobuf

/// Builds the ProcessBundleDescriptor of an operator: Data-service source → the Python functions → Data-service
/// sink, with Arrow-coded collections (docs/wire-contract.md).
enum BundleDescriptor {
    static let sourceURN = "beam:runner:source:v1"
    static let sinkURN = "beam:runner:sink:v1"
    static let arrowCoderURN = "pyfn:coder:arrow:v1"
    static let functionTransform = "udf"

    /// The transform URN of each operator kind.
    enum Operation: String {
        case scalar = "pyfn:transform:scalar_function:v1"
        case table = "pyfn:transform:table_function:v1"
        case pandasScalar = "pyfn:transform:pandas_scalar_function:v1"
        case aggregate = "pyfn:transform:aggregate_function:v1"
    }

    /// A descriptor with id `id` running `functions` as `operation`; the data ports point at `dataEndpoint`.
    static func make(id: String, operation: Operation, functions: PyFnUserDefinedFunctions, dataEndpoint: String = "") throws -> ProcessBundleDescriptor {
        var port = RemoteGrpcPort()
        port.apiServiceDescriptor.url = dataEndpoint
        port.coderID = "arrow"
        let portPayload = try port.serializedData()

        var descriptor = ProcessBundleDescriptor()
        descriptor.id = id
        descriptor.transforms[BundleTransform.source] = transform(sourceURN, portPayload, inputs: [:], outputs: ["out": "in"])
        descriptor.transforms[functionTransform] = transform(operation.rawValue, try functions.serializedData(), inputs: ["in": "in"], outputs: ["out": "out"])
        descriptor.transforms[BundleTransform.sink] = transform(sinkURN, portPayload, inputs: ["in": "out"], outputs: [:])
        for name in ["in", "out"] {
            var collection = PCollection()
            collection.uniqueName = name
            collection.coderID = "arrow"
            collection.isBounded = .bounded
            descriptor.pcollections[name] = collection
        }
        var coder = Coder()
        coder.spec.urn = arrowCoderURN
        descriptor.coders["arrow"] = coder
        return descriptor
    }

    private static func transform(_ urn: String, _ payload: Data, inputs: [String: String], outputs: [String: String]) -> PTransform {
        var transform = PTransform()
        transform.uniqueName = urn
        transform.spec.urn = urn
        transform.spec.payload = payload
        transform.inputs = inputs
        transform.outputs = outputs
        return transform
    }
}
