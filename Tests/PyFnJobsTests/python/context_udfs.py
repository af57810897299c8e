"""UDFs that read their FunctionContext in open(), for the job-parameter tests."""
from pyfn import DataTypes, FunctionContext, ScalarFunction, udf


class Greet(ScalarFunction):
    """`<greeting><sep><s>` with `greeting` and `sep` from the job parameters (defaults "hello" and " ")."""

    def open(self, function_context: FunctionContext):
        self.greeting = function_context.get_job_parameter("greeting", "hello")
        self.sep = function_context.get_job_parameter("sep", " ")

    def eval(self, s):
        return "%s%s%s" % (self.greeting, self.sep, s)


greet = udf(Greet(), result_type=DataTypes.STRING())
