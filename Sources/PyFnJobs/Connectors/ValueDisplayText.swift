import PyFnArrow
import PyFnRunner

/// The text a person reads for one value of a SQL type (`2026-01-01 10:01:00.000` for a TIMESTAMP(3)), the same
/// text the CSV sink writes; for tools outside this module, such as the result table `pyfn run --show` prints.
public enum ValueDisplayText {
    /// `value` of `type` as text: `NULL` for a null; nested values (lists, maps, rows) in Swift's own form;
    /// TIMESTAMP_LTZ in `zone` (the job's session zone).
    public static func text(_ value: ArrowValue, as type: SQLType, zone: SessionTimeZone = .current) -> String {
        if value == .null { return "NULL" }
        return TextValueCodec.displayText(value, as: type, zone: zone) ?? "\(value)"
    }
}
