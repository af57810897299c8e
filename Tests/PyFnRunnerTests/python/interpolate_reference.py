"""The IoT interpolation run with pandas directly: reads {"id": [...], "t": [...]} JSON, prints one value a line."""
import json
import sys

import pandas as pd

with open(sys.argv[1]) as f:
    data = json.load(f)
frame = pd.DataFrame({"id": data["id"], "t": pd.array(data["t"], dtype="float64")})
result = frame.groupby("id")["t"].transform(lambda s: s.interpolate(limit_direction="both"))
print("\n".join(repr(float(v)) for v in result))
