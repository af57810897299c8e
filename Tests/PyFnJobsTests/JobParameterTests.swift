import Foundation
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// Job parameters as Flink sets them, `SET 'pipeline.global-job-parameters' = 'k1:v1,k2:v2'`, beside PyFn's
/// `job.param.NAME`, reach `FunctionContext.get_job_parameter` in both execution modes; and a UDF that asks for
/// its metric group while `python.metric.enabled` is false fails with PyFlink's message.
@Suite struct JobParameterTests {
    @Test func flinksMapFormatIsRead() throws {
        let options = try PythonOptions(settings: [
            "pipeline.global-job-parameters": " a:1, 'b,c':'x:y' ,\"d\"\"q\":'it''s', e: ",
        ])
        #expect(options.jobParameters == ["a": "1", "b,c": "x:y", "d\"q": "it's", "e": ""])
        let both = try PythonOptions(settings: ["pipeline.global-job-parameters": "a:1,b:2", "job.param.b": "3"])
        #expect(both.jobParameters == ["a": "1", "b": "3"], "job.param.NAME wins over the same name in the map")
    }

    @Test func aMalformedMapIsAnErrorNamingTheSetting() {
        for (text, message) in [
            ("a:1,b", "'pipeline.global-job-parameters' must be key:value pairs separated by commas, such as 'k1:v1,k2:v2'; the entry 'b' in 'a:1,b' is not"),
            ("a:1:2", "'pipeline.global-job-parameters' must be key:value pairs separated by commas, such as 'k1:v1,k2:v2'; the entry 'a:1:2' in 'a:1:2' is not"),
            ("a:'1", "'pipeline.global-job-parameters' has an unclosed quote in 'a:'1'"),
        ] {
            #expect(throws: PyFnError.invalidDescriptor(message)) {
                try PythonOptions(settings: ["pipeline.global-job-parameters": text])
            }
        }
    }

    static func job(_ settings: String, function: String = "greet", module: String = "context_udfs", argument: String = "s") throws -> (Job, String) {
        let sql = """
            SET 'python.files' = '\(JobErrorTests.udfs)';
            \(settings)
            CREATE TABLE src (n BIGINT, s STRING) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (s STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE FUNCTION \(function) AS '\(module).\(function)' LANGUAGE PYTHON;
            INSERT INTO out SELECT CAST(\(function)(\(argument)) AS STRING) FROM src;
            """
        let path = try JobErrorTests.jobFile(sql)
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        return (job, URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.csv").path)
    }

    @Test(arguments: ["process", "thread"]) func globalJobParametersReachTheFunction(mode: String) async throws {
        let (job, out) = try Self.job("""
            SET 'python.execution-mode' = '\(mode)';
            SET 'pipeline.global-job-parameters' = 'greeting:hi,sep:-';
            """)
        try await job.run()
        let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows == ["hi-a", "hi-b"])
    }

    @Test(arguments: ["process", "thread"]) func theMetricGroupRaisesPyFlinksErrorWhenMetricsAreOff(mode: String) async throws {
        let (job, _) = try Self.job("""
            SET 'python.execution-mode' = '\(mode)';
            SET 'python.metric.enabled' = 'false';
            """, function: "measured", module: "metric_udfs", argument: "n")
        await #expect {
            try await job.run()
        } throws: { error in
            "\(error)".contains("Metric has not been enabled. You can enable metric with the 'python.metric.enabled' configuration.")
        }
    }
}
