"""The exact shortcut for the Pandas UDAF `lambda v: v.mean()` (`pandas_group_mean.py`): which functions it
recognises, and that its means equal `pd.Series(group).mean()` bit for bit on random data with NaNs, through the
group aggregate operation too (against the same function written so that it is not recognised)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import udfs_windows as w
from descriptors import call_message as call, functions
from pyfn.metrics import MetricGroup
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.group_aggregate_operation import GroupAggregateOperation
from pyfn.worker.pandas_group_mean import group_means, is_plain_mean


def _mean(v):
    return v.mean()


def _documented_mean(values):
    """A docstring does not change the bytecode that counts."""
    return values.mean()


def _not_recognised():
    scale = 2

    def times(v):
        return scale.mean()

    return [lambda v: v.mean(skipna=False), lambda v: v.sum(), lambda v, u: v.mean(), lambda v: float(v.mean()),
            lambda v, *more: v.mean(), lambda v: v.mean() + 0, lambda v: v.values.mean(), times, len, np.mean]


def test_only_return_argument_mean_is_recognised():
    assert [is_plain_mean(f) for f in (_mean, _documented_mean, lambda s: s.mean())] == [True] * 3
    assert not any(is_plain_mean(f) for f in _not_recognised())


def _identical(got, expected):
    return np.array_equal(got, expected, equal_nan=True) and np.array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e8])
def test_means_of_random_groups_with_nans_are_bit_identical_to_series_mean(scale):
    rng = np.random.default_rng(int(scale * 1000) % 97)
    lengths = np.concatenate([np.arange(1, 301), [1_000, 1_000, 129, 128, 127, 8, 7]])
    rng.shuffle(lengths)
    values = rng.normal(size=int(lengths.sum())) * scale + scale / 3
    values[rng.random(len(values)) < 0.05] = np.nan
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    ends = starts + lengths
    values[starts[5]:ends[5]] = np.nan  # a group of NaNs only: NaN, as Series.mean gives
    values[starts[9]] = np.inf
    expected = np.array([pd.Series(values[s:e].copy()).mean() for s, e in zip(starts, ends)])
    got = group_means(values, starts, ends)
    assert _identical(got, expected)
    assert np.isnan(got[5]) and got[9] == np.inf
    # The same groups summed by numpy's reduceat or pandas' groupby differ in the last bit for some: the reason
    # the shortcut sums by length instead (this keeps the measurement in the module's comment honest).
    by_group = pd.Series(values).groupby(np.repeat(np.arange(len(lengths)), lengths)).mean().to_numpy()
    assert not _identical(by_group, expected)


def test_other_dtypes_and_bottleneck_step_aside(monkeypatch):
    starts, ends = np.array([0, 2]), np.array([2, 4])
    assert group_means(np.arange(4, dtype=np.int64), starts, ends) is None
    assert group_means(np.arange(4, dtype=np.float32), starts, ends) is None
    from pandas.core import nanops

    monkeypatch.setattr(nanops, "_USE_BOTTLENECK", True)
    assert group_means(np.arange(4, dtype=np.float64), starts, ends) is None


def _run(wrapper, batch):
    operation = GroupAggregateOperation(functions(call(wrapper, 2), grouping=[1]), FunctionLifecycle({}, MetricGroup()))
    out = []

    class Writer:
        def write_batch(self, result):
            out.append(result)

    operation.process([batch], Writer())
    return operation, pa.Table.from_batches(out)


def test_the_operation_gives_the_same_bits_as_calling_the_function_per_group():
    rng = np.random.default_rng(3)
    lengths = rng.integers(1, 140, 400)
    values = rng.random(int(lengths.sum())) * 100
    values[rng.random(len(values)) < 0.1] = np.nan
    values[:lengths[0]] = np.nan
    groups = np.repeat(np.arange(len(lengths)), lengths)
    batch = pa.record_batch([pa.array(groups), pa.array(groups % 7), pa.array(values)], names=["__group", "k", "v"])
    fast, fast_out = _run(w.pd_mean, batch)
    slow, slow_out = _run(w.pd_mean_as_float, batch)
    assert fast.calls[0].plain_mean and not slow.calls[0].plain_mean
    assert fast_out.column("__group").equals(slow_out.column("__group"))
    got, expected = fast_out.column("f0").to_numpy(), slow_out.column("f0").to_numpy()
    assert _identical(got, expected) and np.isnan(got[0])
    assert fast_out.column("f0").null_count == slow_out.column("f0").null_count == 0
