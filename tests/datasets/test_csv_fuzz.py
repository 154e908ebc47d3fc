"""load_points_csv on any input a student could upload: a DataError, or data a network can use.

Whatever the bytes, the loader either says in words what is wrong (a DataError) or returns
finite float32 features of shape (n, 2) and at least two classes, whose columns keep their
spread when standardised, so training starts from a usable set and never fails later for a
reason the file would have explained.
"""

import csv
import io
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlp.datasets import DataError, Standardizer, load_points_csv
from mlp.datasets.csv_points import MAX_CLASSES, MAX_LABEL_CHARS, MIN_ROWS
from playground.core.data import make_point_data

# Unicode categories that show nothing: controls, format characters and spaces.
INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_or_explain(data: bytes):
    """The loader's result after checking it is usable, or None after a DataError."""
    try:
        X, y, class_names = load_points_csv(data)
    except DataError as error:
        message = str(error)
        assert message.isprintable() and len(message) < 400, message
        return None
    assert X.dtype == np.float32 and X.ndim == 2 and X.shape[1] == 2
    assert len(X) >= MIN_ROWS and np.isfinite(X).all()
    assert y.dtype == np.int64 and y.shape == (len(X),)
    assert 2 <= len(class_names) <= MAX_CLASSES
    assert sorted(set(y.tolist())) == list(range(len(class_names)))
    for name in class_names:
        assert 0 < len(name) <= MAX_LABEL_CHARS and name == " ".join(name.split())
        assert any(unicodedata.category(c) not in INVISIBLE for c in name), name
    # Every column still varies after float32 and standardising: the network can learn from it.
    Z = Standardizer.fit(X).transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(Z.astype(np.float64).std(axis=0), 1.0, rtol=1e-3)
    # The playground standardises on the training split and lays a grid over every point. (Test
    # points may lie far outside the training spread, so only the training inputs are bounded.)
    with np.errstate(over="ignore"):
        data = make_point_data(X, y, class_names, train_share=0.7, seed=0, resolution=12)
    assert np.isfinite(data.inputs_train).all()
    assert np.isfinite([*data.x_range, *data.y_range]).all()
    assert len(np.unique(data.grid_x)) == 12 and len(np.unique(data.grid_y)) == 12
    return X, y, class_names


# --- any bytes ---------------------------------------------------------------------------------


@pytest.mark.filterwarnings("error")
@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_are_loaded_or_explained(data):
    load_or_explain(data)


# Characters that matter to a CSV reader, so the text often gets far into the checks.
CSV_ALPHABET = "0123456789.,;\t\"' \r\n-+eEnaifxyl\x00\x07\u00a0\u2028é"


@pytest.mark.filterwarnings("error")
@FUZZ
@given(st.lists(st.text(alphabet=CSV_ALPHABET, max_size=40), min_size=0, max_size=40))
def test_csv_like_text_is_loaded_or_explained(lines):
    load_or_explain("\n".join(lines).encode("utf-8"))


# --- well-formed CSV files ---------------------------------------------------------------------

# Numbers as people and programs write them: any float64 (huge, tiny, subnormal), numbers in
# units from 1e-40 to 1e36, huge integers. One file mostly keeps to one way of writing them.
any_float = st.floats(allow_nan=False, allow_infinity=False)
scaled_float = st.tuples(
    st.floats(-1.0, 1.0), st.sampled_from([1e-40, 1e-30, 1e-8, 1.0, 1e10, 1e30, 1e36])
).map(lambda pair: repr(pair[0] * pair[1]))
NUMBER_STYLES = [
    any_float.map(repr),
    any_float.map(lambda value: f"{value:e}"),
    st.floats(-1e3, 1e3).map(lambda value: f"{value:.3f}"),
    st.integers(-100, 100).map(str),
    st.integers(-(10**400), 10**400).map(str),
]
number_text = st.one_of(*NUMBER_STYLES, scaled_float)
any_label = st.text(st.characters(codec="utf-8"), max_size=80)
few_labels = st.sampled_from(["a", "b", "cat", "1", "2", "10", "<b>x</b>", "a, b", 'say "hi"'])
# Text without control characters gets further than the first check.
LABEL_STYLES = [
    any_label,
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=80),
    st.one_of(few_labels, any_label),
    few_labels,
]


@st.composite
def csv_files(draw, label_styles=LABEL_STYLES) -> bytes:
    """A CSV file as csv.writer writes it, with the choices a spreadsheet program makes."""
    numbers = draw(st.sampled_from([number_text, scaled_float, *NUMBER_STYLES]))
    labels = draw(st.sampled_from(label_styles))
    rows = draw(st.lists(st.tuples(numbers, numbers, labels), min_size=MIN_ROWS, max_size=40))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    trailing_empty_column = draw(st.booleans())
    text = io.StringIO()
    writer = csv.writer(text, delimiter=separator, lineterminator=line_end, quoting=quoting)
    if draw(st.booleans()):
        writer.writerow(["x", "y", "label"] + [""] * trailing_empty_column)
    for row in rows:
        writer.writerow(list(row) + [""] * trailing_empty_column)
    byte_order_mark = "\ufeff" if draw(st.booleans()) else ""
    return (byte_order_mark + text.getvalue()).encode("utf-8")


@pytest.mark.filterwarnings("error")
@FUZZ
@given(csv_files())
def test_well_formed_csv_files_are_loaded_or_explained(data):
    load_or_explain(data)


@pytest.mark.filterwarnings("error")
@FUZZ
@given(csv_files(label_styles=[few_labels]))
def test_well_formed_csv_files_with_few_labels_are_loaded_or_explained(data):
    load_or_explain(data)


# --- well-formed files that must load ----------------------------------------------------------

plain_label = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters=";\t"),
    min_size=1,
    max_size=MAX_LABEL_CHARS,
).filter(lambda label: any(unicodedata.category(c) not in INVISIBLE for c in label))


@FUZZ
@given(
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=8, max_size=60),
    st.lists(
        plain_label, min_size=2, max_size=MAX_CLASSES, unique_by=lambda s: " ".join(s.split())
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_a_good_file_loads_with_its_values_and_labels(points, names, separator, line_end, header):
    # Two points set far apart, so both columns vary by far more than float32's steps.
    points = [(-1e3, -1e3), (1e3, 1e3), *points]
    labels = [names[index % len(names)] for index in range(len(points))]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=separator, lineterminator=line_end)
    if header:
        writer.writerow(["x", "y", "label"])
    writer.writerows(
        [repr(x), repr(y), label] for (x, y), label in zip(points, labels, strict=True)
    )

    result = load_or_explain(text.getvalue().encode("utf-8"))

    assert result is not None
    X, y, class_names = result
    np.testing.assert_array_equal(X, np.array(points, dtype=np.float32))
    assert [class_names[k] for k in y] == [" ".join(label.split()) for label in labels]
