// TIMESTAMP_LTZ as people read and write it: in the session time zone (Flink prints LTZ values, and CASTs them
// to and from STRING, as the session zone's wall-clock time), where the file formats use UTC and a 'Z'.
import PyFnArrow
import PyFnRunner

extension TextValueCodec {
    /// The text a person reads for `value` of `type`: a TIMESTAMP_LTZ(p) as its wall-clock time in `zone` with p
    /// fractional digits (`1970-01-01 08:00:00.000` for the instant 0 in Asia/Shanghai), as Flink prints it;
    /// anything else as ``format(_:as:)``. Nil for NULL.
    static func displayText(_ value: ArrowValue, as type: SQLType, zone: SessionTimeZone = .current) -> String? {
        guard case .timestampLTZ(let precision) = type.kind, case .timestamp(let x, let unit) = value else {
            return format(value, as: type)
        }
        let local = zone.localMicros(ofInstant: micros(x, unit))
        return format(.timestamp(local, .microsecond), as: SQLType(.timestamp(precision: precision)))
    }

    /// The instant a session-zone text (`yyyy-mm-dd hh:mm:ss[.f…]`, as CAST from STRING reads it) denotes.
    static func parseLocal(_ text: String, asLTZ precision: Int, zone: SessionTimeZone = .current) throws(ValueParseError) -> ArrowValue {
        guard case .timestamp(let local, _) = try parse(text, as: SQLType(.timestamp(precision: precision))) else {
            throw ValueParseError(message: "not a valid TIMESTAMP_LTZ")
        }
        return .timestamp(zone.instantMicros(ofLocal: local), .microsecond)
    }
}
