"""UDFs whose results are NOT NULL inside a MAP, for the INSERT nullability-widening tests."""
from pyfn import DataTypes, udf


@udf(result_type=DataTypes.MAP(DataTypes.STRING(False), DataTypes.STRING()))
def tag_map(s):
    return {"tag": s}
