"""The DataStream kinds in the harness (`pyfn:transform:datastream:v1`, `pyfn:transform:keyed_datastream:v1`).

One operation (`operation`) runs a chain of DataStream functions (map, flat_map, filter, key selector, reduce,
process, keyed process) over the records of a bundle; each kind is one step module; `records` moves records
between Arrow and Python (typed columns or pickled values); `keyed_state` keeps a keyed chain's state in the
runner.
"""
