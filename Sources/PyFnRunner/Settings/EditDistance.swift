// Edit distance between two strings, for "did you mean" suggestions.

/// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of adjacent characters
/// each count one.
enum EditDistance {
    /// How many edits turn `a` into `b`.
    static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        // Rows i-2, i-1 and i of the (x.count + 1) × (y.count + 1) table.
        var older = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { best = min(best, older[j - 2] + 1) }
                current[j] = best
            }
            (older, previous, current) = (previous, current, older)
        }
        return previous[y.count]
    }
}
