/// Reads the stack dump `faulthandler` writes for every thread of a Python process ("Thread 0x… (most recent
/// call first):" then one `File "…", line N in function` line per frame).
enum PythonStacks {
    /// The threads of `dump` that were running a bundle (their stack passes through PyFn's bundle processor),
    /// most recent call first; the whole dump when no thread was (another harness) or it has no thread header.
    static func bundleThreads(in dump: String) -> String {
        var threads: [[Substring]] = []
        for line in dump.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Thread 0x") || line.hasPrefix("Current thread 0x") {
                threads.append([line])
            } else if !threads.isEmpty, !line.isEmpty {
                threads[threads.count - 1].append(line)
            }
        }
        let running = threads.filter { $0.contains { $0.contains("pyfn/worker/bundle_processor.py") } }
        guard !running.isEmpty else { return dump }
        return running.map { $0.joined(separator: "\n") }.joined(separator: "\n")
    }
}
