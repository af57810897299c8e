"""Arrow-native scalar functions the Swift end-to-end tests call through real workers (ArrowFunctionTests)."""
import pyarrow as pa
import pyarrow.compute as pc

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT(), func_type="arrow")
def add(a, b):
    """pc.add over two BIGINT columns, given as pyarrow Arrays."""
    if not (isinstance(a, pa.Array) and isinstance(b, pa.Array)):
        raise TypeError("got %s and %s, not pyarrow Arrays" % (type(a).__name__, type(b).__name__))
    return pc.add(a, b)


def identity(x):
    """Declared by the runner (any type): the column comes back as it went in."""
    return x


@udf(result_type=DataTypes.BIGINT(), func_type="arrow")
def too_short(a):
    return a[:1]


@udf(result_type=DataTypes.BIGINT(), func_type="arrow")
def words(a):
    return pa.array(["x"] * len(a))


@udf(result_type=DataTypes.STRING(), func_type="arrow")
def as_list(a):
    """Returns a plain list, which pa.array takes."""
    return ["v%s" % v for v in a.to_pylist()]
