// Which input rows a bundle holds, so a function's error, which the worker words as "at row N of the bundle", can
// also name the row of the job's input (e.g. "row 1234 of table 'src'") that a user can find.

/// The input indexes of a bundle's rows, as runs of consecutive rows (nil where they are not known).
struct BundleRowOrigins: Sendable {
    /// Runs in bundle order: so many rows, the first at input index `first`.
    private(set) var runs: [(rows: Int, first: Int?)] = []

    /// Appends `rows` rows whose first has input index `first`.
    mutating func append(rows: Int, first: Int?) {
        guard rows > 0 else { return }
        if let last = runs.last, let lastFirst = last.first, let first, lastFirst + last.rows == first {
            runs[runs.count - 1].rows += rows
        } else {
            runs.append((rows, first))
        }
    }

    /// Removes the first `count` rows' origins and returns them.
    mutating func removeFirst(_ count: Int) -> BundleRowOrigins {
        var taken = BundleRowOrigins()
        var left = count
        while left > 0, !runs.isEmpty {
            let run = runs[0]
            if run.rows <= left {
                taken.runs.append(run)
                runs.removeFirst()
                left -= run.rows
            } else {
                taken.runs.append((left, run.first))
                runs[0] = (run.rows - left, run.first.map { $0 + left })
                left = 0
            }
        }
        return taken
    }

    /// The input index of the bundle's row `row`; nil when not known.
    func inputIndex(ofBundleRow row: Int) -> Int? {
        var start = 0
        for run in runs {
            if row < start + run.rows { return run.first.map { $0 + row - start } }
            start += run.rows
        }
        return nil
    }

    /// `message` with "at row N of the bundle" followed by the input row it is, counted from 1
    /// (` (row 1235 of table 'src')`); unchanged when the row is not known.
    func locating(_ message: String, inputName: String?) -> String {
        guard let inputName, let match = message.firstMatch(of: #/at row (\d+) of the bundle/#), let row = Int(match.1),
              let index = inputIndex(ofBundleRow: row) else { return message }
        return message.replacingCharacters(in: match.range, with: "\(match.0) (row \(index + 1) of \(inputName))")
    }
}
