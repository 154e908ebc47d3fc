import numpy as np
import pytest

from playground.core.history import CompactSeries


def test_short_series_is_kept_exactly():
    series = CompactSeries(capacity=8)
    for step in range(5):
        series.append(step, step * 10.0)
    np.testing.assert_array_equal(series.x, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(series.y, [0, 10, 20, 30, 40])


def test_long_series_stays_bounded_and_holds_bucket_means():
    series = CompactSeries(capacity=8)
    values = np.arange(1000, dtype=float)
    for value in values:
        series.append(value, 2 * value)
    assert len(series) <= 8 + 1
    assert series.total == 1000
    stride = series.stride
    assert stride >= 1000 // 8
    # Every full bucket is the mean of `stride` consecutive raw values.
    full = len(series) - (1 if 1000 % stride else 0)
    expected = values[: full * stride].reshape(full, stride).mean(axis=1)
    np.testing.assert_allclose(series.x[:full], expected)
    np.testing.assert_allclose(series.y[:full], 2 * expected)
    assert series.last_x == 999.0


def test_odd_capacity_is_refused():
    with pytest.raises(ValueError):
        CompactSeries(capacity=7)
