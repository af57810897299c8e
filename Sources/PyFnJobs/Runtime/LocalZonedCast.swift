// CAST to and from TIMESTAMP_LTZ as Flink does it: through the session zone's wall-clock time (an LTZ value is an
// instant; TIMESTAMP, DATE, TIME and STRING are wall-clock values). Also the epoch conversion of TO_TIMESTAMP_LTZ.
import PyFnArrow
import PyFnRunner

/// CASTs where one side is TIMESTAMP_LTZ, through the session zone.
enum LocalZonedCast {
    /// `value` of type `source` as a value of `target` when either is TIMESTAMP_LTZ; nil when neither is (the
    /// other casts apply). Text that is not a timestamp gives NULL, as the other temporal CASTs do. A BIGINT
    /// source is microseconds since the epoch: only ``ExpressionBinder`` makes that cast, for TO_TIMESTAMP_LTZ.
    static func cast(_ value: ArrowValue, from source: SQLType, to target: SQLType,
                     zone: SessionTimeZone = .current) -> ArrowValue? {
        switch (source.kind, target.kind) {
        case (.timestampLTZ, .timestampLTZ(let precision)):
            guard case .timestamp(let x, let unit) = value else { return .null }
            return .timestamp(TemporalCast.truncate(TextValueCodec.micros(x, unit), precision: precision), .microsecond)
        case (.timestampLTZ(let precision), .string):
            return TextValueCodec.displayText(value, as: SQLType(.timestampLTZ(precision: precision)), zone: zone).map(ArrowValue.string) ?? .null
        case (.timestampLTZ, _):
            guard case .timestamp(let x, let unit) = value else { return .null }
            let local = ArrowValue.timestamp(zone.localMicros(ofInstant: TextValueCodec.micros(x, unit)), .microsecond)
            return TemporalCast.cast(local, to: target)
        case (.string, .timestampLTZ(let precision)):
            guard case .string(let text) = value else { return .null }
            return (try? TextValueCodec.parseLocal(text, asLTZ: precision, zone: zone)) ?? .null
        case (.bigint, .timestampLTZ(let precision)), (.int, .timestampLTZ(let precision)):
            guard case .int(let micros) = value else { return .null }
            return .timestamp(TemporalCast.truncate(micros, precision: precision), .microsecond)
        case (_, .timestampLTZ(let precision)):
            guard case .timestamp(let local, _) = TemporalCast.cast(value, to: SQLType(.timestamp(precision: precision))) else { return .null }
            return .timestamp(zone.instantMicros(ofLocal: local), .microsecond)
        default:
            return nil
        }
    }
}
