"""Functions PyFlink's test_udf.py ships in ways that are easy to get wrong: partials and callable instances."""
import functools

from pyfn import DataTypes, ScalarFunction, udf


def add(i, j):
    return i + j


class SubtractOne(ScalarFunction):
    def eval(self, i):
        return i - 1


class CallablePlus(object):
    def __call__(self, col):
        return col + 1


def local_partial():
    """A partial of a function defined inside another (as test_udf.py's test_scalar_function does)."""
    def partial_func(col, param):
        return col + param

    return udf(functools.partial(partial_func, param=1), DataTypes.BIGINT(), DataTypes.BIGINT())


add_one_partial = udf(functools.partial(add, 1), result_type=DataTypes.BIGINT())
subtract_one = udf(SubtractOne(), DataTypes.BIGINT(), DataTypes.BIGINT())
add_one_callable = udf(CallablePlus(), DataTypes.BIGINT(), DataTypes.BIGINT())
partial_of_method = udf(functools.partial(SubtractOne().eval), DataTypes.BIGINT(), DataTypes.BIGINT())
