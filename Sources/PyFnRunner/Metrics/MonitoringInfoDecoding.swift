import Foundation
import PyFnProto

/// Reads the user metrics of Beam MonitoringInfos (docs/wire-contract.md, "Metrics"): the URN says how the
/// payload is encoded (Beam varints), the labels say which metric it is. Infos of other URNs are skipped.
enum MonitoringInfoDecoding {
    static let sumURN = "beam:metric:user:sum_int64:v1"
    static let distributionURN = "beam:metric:user:distribution_int64:v1"
    static let latestURN = "beam:metric:user:latest_int64:v1"
    /// PyFn's label naming the function that registered a metric.
    static let functionLabel = "PYFN_FUNCTION"
    /// PyFn's label telling a meter (`meter`) from a counter, which share the sum URN.
    static let metricTypeLabel = "PYFN_METRIC_TYPE"
    /// PyFn's label with a meter's rate window in seconds.
    static let timeSpanLabel = "PYFN_TIME_SPAN_SECONDS"

    /// The user metrics among `infos`, attributed to `operatorName`.
    static func updates(_ infos: [MonitoringInfo], operatorName: String) -> [UserMetricUpdate] {
        infos.compactMap { update($0, operatorName: operatorName) }
    }

    /// The user metric one info carries, or nil for another URN or a malformed payload.
    static func update(_ info: MonitoringInfo, operatorName: String) -> UserMetricUpdate? {
        let numbers = varints(info.payload)
        let kind: UserMetricKind
        let value: UserMetricValue
        switch info.urn {
        case sumURN:
            guard numbers.count == 1 else { return nil }
            kind = info.labels[metricTypeLabel] == "meter" ? .meter : .counter
            value = .sum(numbers[0])
        case distributionURN:
            guard numbers.count == 4 else { return nil }
            kind = .distribution
            value = .distribution(DistributionValue(count: numbers[0], sum: numbers[1], min: numbers[2], max: numbers[3]))
        case latestURN:
            guard numbers.count == 2 else { return nil }
            kind = .gauge
            value = .latest(value: numbers[1], timeMillis: numbers[0])
        default:
            return nil
        }
        let key = UserMetricKey(operatorName: operatorName, function: info.labels[functionLabel] ?? "",
                                group: info.labels["NAMESPACE"] ?? "", name: info.labels["NAME"] ?? "", kind: kind)
        return UserMetricUpdate(key: key, value: value, timeSpanSeconds: info.labels[timeSpanLabel].flatMap { Int($0) })
    }

    /// The int64s of a run of Beam varints (each an unsigned 64-bit two's complement, 7 bits a byte, low first).
    static func varints(_ data: Data) -> [Int64] {
        var values: [Int64] = []
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byte in data {
            if shift < 64 { value |= UInt64(byte & 0x7F) << shift }
            shift += 7
            if byte & 0x80 == 0 {
                values.append(Int64(bitPattern: value))
                value = 0
                shift = 0
            }
        }
        return shift == 0 ? values : []
    }
}
