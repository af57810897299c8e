"""Table functions the Swift end-to-end tests call through real workers, in PyFlink's shapes."""
from pyfn import DataTypes, Row, TableFunction, udtf


@udtf(result_types=[DataTypes.STRING()])
def split(line):
    """0, 1 or many words per line; a single value per row for a one-column result."""
    if line is None:
        return
    for word in line.split():
        yield word


class Explode(TableFunction):
    """Several output columns, some NULL: (word, its length or NULL for 'x', its position)."""

    def eval(self, line):
        for position, word in enumerate((line or "").split()):
            yield Row(word, None if word == "x" else len(word), position)


explode = udtf(Explode(), result_types=[DataTypes.STRING(), DataTypes.INT(), DataTypes.BIGINT()])


@udtf(result_types=[DataTypes.BIGINT(), DataTypes.STRING()])
def repeat(n):
    """Returns a list instead of yielding."""
    return [(i, "r%d" % i) for i in range(n)]


@udtf(result_types=[DataTypes.STRING()])
def flood(n):
    """n rows for one input row, produced lazily."""
    for i in range(n):
        yield "row-%09d" % i
