import Foundation
import PyFnProto

/// What a worker gave back for one bundle.
public struct BundleReply: Sendable {
    /// The bundle's instruction id (`bundle-N`), which names it in errors.
    public var instructionID: String
    /// The pieces of the output Arrow IPC stream, in order.
    public var output: [Data]
    /// The bundle's metrics (Beam MonitoringInfos).
    public var monitoringInfos: [MonitoringInfo]
}

/// The Data-service transform ids of a bundle's input and output (docs/wire-contract.md).
enum BundleTransform {
    static let source = "source"
    static let sink = "sink"
}
