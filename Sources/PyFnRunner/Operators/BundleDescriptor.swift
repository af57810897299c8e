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

    /// A function kind's transform: its URN (which the worker's registry of operations knows) and a short name
    /// for descriptor ids. Each kind declares its own in the file of its operator
    /// (`extension BundleDescriptor.Operation { static let scalar = … }`).
    struct Operation: Sendable, Equatable {
        /// The `pyfn:transform:*` URN of the function transform.
        let urn: String
        /// A short name for descriptor ids and operator names.
        let name: String
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
        descriptor.transforms[functionTransform] = transform(operation.urn, try functions.serializedData(), inputs: ["in": "in"], outputs: ["out": "out"])
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
