"""Numbers on the metric tiles: ordinary values as they always looked, huge and tiny ones short."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.core.text import format_number


@pytest.mark.parametrize(
    "value, shown",
    [
        (0.6931, "0.693"),
        (2.0, "2.000"),
        (0.0, "0.000"),
        (-0.25, "-0.250"),
        (0.01, "0.010"),
        (9999.9, "9999.900"),
        (1234.5678, "1234.568"),
    ],
)
def test_ordinary_values_keep_three_decimals(value, shown):
    assert format_number(value) == shown


@pytest.mark.parametrize(
    "value, shown",
    [
        (5456739420026773973823486164992.0, "5.46e+30"),  # a diverged run's loss
        (12345.6, "1.23e+4"),
        (-2.5e12, "-2.5e+12"),
        (1e300, "1e+300"),
        (1.2e-7, "1.2e-7"),
        (3.1e-5, "3.1e-5"),
        (0.0004, "0.0004"),
        (-1e-300, "-1e-300"),
    ],
)
def test_huge_and_tiny_values_are_short_with_a_short_exponent(value, shown):
    assert format_number(value) == shown


def test_a_value_that_rounds_up_to_ten_thousand_is_not_shown_with_five_digits():
    assert format_number(9999.9996) == "1e+4"


def test_numpy_scalars_read_like_floats():
    assert format_number(np.float32(5.4567e30)) == "5.46e+30"
    assert format_number(np.float64(0.5)) == "0.500"


def test_missing_and_blown_up_values_are_words():
    assert format_number(None) == "–"
    assert format_number(math.nan) == "not a number"
    assert format_number(math.inf) == "∞"
    assert format_number(-math.inf) == "−∞"


def test_percentages_keep_one_decimal():
    assert format_number(0.975, percent=True) == "97.5%"
    assert format_number(1.0, percent=True) == "100.0%"


@given(st.floats(min_value=-1e300, max_value=1e300))
def test_every_finite_value_fits_on_a_tile(value):
    shown = format_number(value)
    assert len(shown) <= 10, shown
    assert math.isclose(float(shown), value, rel_tol=0.05, abs_tol=0.0005), (value, shown)
