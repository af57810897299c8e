/// Checks of Int32 offsets buffers (utf8, binary, list, map) that come from outside.
enum Offsets {
    /// Throws unless `count` offsets starting at element `first` are non-negative, never decrease
    /// and (when a limit is given) end at or before `limit`.
    static func check(_ offsets: ArrowBuffer, first: Int = 0, count: Int,
                      limit: Int? = nil, limitName: @autoclosure () -> String = "") throws {
        var previous = offsets.load(first, as: Int32.self)
        guard previous >= 0 else { throw ArrowIPCError("first offset \(previous) is negative") }
        for i in first + 1 ..< first + count {
            let next = offsets.load(i, as: Int32.self)
            guard next >= previous else {
                throw ArrowIPCError("offsets are not monotonic: offset \(i) is \(next), offset \(i - 1) is \(previous)")
            }
            previous = next
        }
        if let limit, Int(previous) > limit {
            throw ArrowIPCError("last offset \(previous) is past \(limitName())")
        }
    }
}
