"""A person's own CSV of 2-D points: parsing, checks and their messages."""

import io

import numpy as np
import pytest

from mlp.datasets import DataError, Standardizer, load_points_csv, read_points_csv


def make_csv(n_rows=12, header="x,y,label", labels=("a", "b"), separator=","):
    lines = [header] if header else []
    for row in range(n_rows):
        label = labels[row % len(labels)]
        lines.append(separator.join([f"{row * 0.5}", f"{-row}", f"{label}"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_header_path_bytes_and_file_like_give_the_same_result(tmp_path):
    data = make_csv()
    path = tmp_path / "points.csv"
    path.write_bytes(data)
    results = [load_points_csv(path), load_points_csv(str(path)), load_points_csv(data)]
    uploaded = io.BytesIO(data)
    uploaded.read(5)  # a file-like already read from is read from the start
    results.append(load_points_csv(uploaded))
    for X, y, class_names in results:
        assert X.shape == (12, 2) and X.dtype == np.float32
        assert y.shape == (12,) and y.dtype == np.int64
        assert class_names == ["a", "b"]
        np.testing.assert_array_equal(X[:, 0], np.arange(12) * 0.5)
        np.testing.assert_array_equal(y, np.arange(12) % 2)


def test_no_header_reads_the_first_row_as_data():
    X, y, class_names = load_points_csv(make_csv(header=None, labels=("0", "1")))
    assert len(X) == 12 and X[0].tolist() == [0.0, 0.0]
    assert class_names == ["0", "1"]


def test_string_labels_are_sorted_alphabetically_into_classes():
    X, y, class_names = load_points_csv(make_csv(n_rows=12, labels=("dog", "cat", "emu")))
    assert class_names == ["cat", "dog", "emu"]
    assert y[:3].tolist() == [1, 0, 2]


def test_numeric_labels_are_sorted_by_value_not_text():
    _, y, class_names = load_points_csv(make_csv(labels=("10", "2", "1")))
    assert class_names == ["1", "2", "10"]
    assert y[:3].tolist() == [2, 1, 0]


def test_semicolons_spaces_blank_lines_and_bom_are_accepted():
    data = "\ufeffx; y; label\n\n" + "".join(f" {i}; {i % 3}; {'ab'[i % 2]}\n" for i in range(10))
    X, y, class_names = load_points_csv(data.encode("utf-8"))
    assert X.shape == (10, 2) and class_names == ["a", "b"]


def test_features_come_back_raw_and_the_standardizer_round_trips():
    X, _, _ = load_points_csv(make_csv())
    scaler = Standardizer.fit(X)
    Z = scaler.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-6, atol=1e-6)
    assert X[1, 0] == 0.5  # untouched


def test_standardizer_leaves_a_constant_column_finite():
    scaler = Standardizer.fit(np.array([[1.0, 3.0], [2.0, 3.0]]))
    assert np.isfinite(scaler.transform(np.array([[1.5, 3.0]]))).all()


def test_a_european_spreadsheet_export_is_read_with_a_note():
    """Semicolons between the cells, decimal commas in the numbers (Excel in Germany or
    France), saved in Windows-1252 with an accented label."""
    rows = ["x;y;Klasse"] + [f"{i},25;-0,{i}6;{'café' if i % 2 else 'thé'}" for i in range(12)]
    points = read_points_csv("\r\n".join(rows).encode("cp1252"))
    assert points.class_names == ["café", "thé"]
    assert points.X[1].tolist() == [np.float32(1.25), np.float32(-0.16)]
    assert points.X[0].tolist() == [np.float32(0.25), np.float32(-0.06)]
    encoding, commas = points.notes
    assert "not UTF-8" in encoding and "Windows-1252" in encoding
    assert "'0,25' as 0.25" in commas


def test_utf8_files_read_as_before_without_notes():
    assert read_points_csv(make_csv()).notes == ()
    points = read_points_csv(("x,y,label\n" + "1,2,café\n3,4,thé\n" * 6).encode("utf-8"))
    assert points.class_names == ["café", "thé"] and points.notes == ()


def test_a_constant_column_is_kept_with_a_note_when_the_other_separates():
    rows = ["x,y,label"] + [f"7,{i},{'ab'[i >= 6]}" for i in range(12)]
    points = read_points_csv("\n".join(rows).encode("utf-8"))
    assert points.X[:, 0].tolist() == [7.0] * 12
    (note,) = points.notes
    assert "same value (7)" in note and "column 1 ('x')" in note and "column 2 ('y')" in note
    # ... and the network's standardised inputs stay finite (the constant column becomes 0).
    inputs = Standardizer.fit(points.X).transform(points.X)
    assert np.isfinite(inputs).all() and inputs[:, 0].tolist() == [0.0] * 12


def bad(text):
    return text.encode("utf-8")


CASES = {
    "not numeric": (
        bad("x,y,label\n" + "1,2,a\n" * 5 + "1,two,b\n" + "3,4,b\n" * 5),
        ["'two'", "row 7", "column 2 ('y')", "not a number"],
    ),
    "not numeric, no header": (
        bad("1,2,a\n" * 5 + "abc,2,b\n" + "3,4,b\n" * 5),
        ["'abc'", "row 6", "column 1", "not a number"],
    ),
    "nan": (bad("1,2,a\n" * 5 + "nan,2,b\n" + "3,4,b\n" * 5), ["row 6", "NaN or infinity"]),
    "inf": (bad("1,2,a\n" * 5 + "1,-inf,b\n" + "3,4,b\n" * 5), ["row 6", "NaN or infinity"]),
    "empty cell": (bad("1,2,a\n" * 5 + "1,,b\n" + "3,4,b\n" * 5), ["row 6", "empty"]),
    "too few rows": (make_csv(n_rows=9), ["only 9 data rows", "at least 10"]),
    "too many rows": (make_csv(n_rows=50_001), ["50,001", "at most 50,000"]),
    "too many classes": (
        make_csv(n_rows=40, labels=[f"c{k}" for k in range(11)]),
        ["11 different", "at most 10 classes"],
    ),
    "single class": (make_csv(labels=("a",)), ["same label", "'a'", "two classes"]),
    "too few columns": (bad("x,y\n" + "1,2\n" * 12), ["Row 1 has 2 columns", "3 are needed"]),
    "missing label": (bad("1,2,a\n" * 5 + "1,2,\n" + "3,4,b\n" * 5), ["Row 6", "no label"]),
    "too many columns": (bad("1,2,3,a\n" * 12), ["4 columns", "exactly 3"]),
    "not utf-8, then a NUL": ("x,y,label\n1,2,caf\xe9\n\x00".encode("latin-1"), ["NUL"]),
    "excel workbook": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb1\xd8", ["UTF-8"]),
    "empty": (b"", ["empty"]),
    "only blanks": (b"\n  \n\n", ["empty"]),
    "too big": (b"1,2,a\n" * (900_000), ["larger than 5 MB"]),
    "both columns constant": (bad("x,y,label\n" + "1,5,a\n1,5,b\n" * 6), ["same two numbers"]),
    "a decimal comma in a comma-separated file": (
        bad("x,y,label\n" + '"0,5",1,a\n2,3,b\n' * 6),
        ["'0,5'", "with a dot as decimal mark"],
    ),
    # Found by trying the upload as a new user would: each gave a traceback or a wrong reason.
    "only commas": (b",,,\n,,,\n,,,\n", ["no values", "only separators (',')"]),
    "only semicolons": (b";;;\n;;;\n", ["no values", "only separators (';')"]),
    "a lone comma": (b"\n,\n", ["no values"]),
    "one line of 200 kB": (b"x" * 200_000, ["Line 1", "200,000 characters", "one row per line"]),
    "unclosed quote over 128 kB": (
        bad('x,y,label\n1,2,"a\n' + "3,4,b\n" * 30_000),
        ['quote (")', "line 2", "still open", "rest of the file", "remove the stray quote"],
    ),
    "stray quote swallows the rest into a label": (
        bad('x,y,label\n1,2,"a\n' + "3,4,b\n1,2,a\n" * 6),
        ['quote (")', "line 2", "ends in line 14", "one line"],
    ),
    "stray quote in a feature": (
        bad('1,2,a\n"1,2,a\n' + "3,4,b\n1,2,a\n" * 6),
        ['quote (")', "line 2", "lines 2 to 14"],
    ),
    "bell character": (bad("x,y,label\n" + "1,2,a\x07\n3,4,b\n" * 6), ["Line 2", "\\x07"]),
    "escape character": (bad("x,y,label\n1,2,a\n1,\x1b[31m2,b\n" + "3,4,b\n" * 9), ["Line 3"]),
    "nul": (
        bad("x,y,label\n" + "1,2,0\n3,4,0\x00\n" * 6),
        ["NUL", "line 3", "CSV UTF-8"],
    ),
    "utf-16 without byte-order mark": (
        ("x,y,label\n" + "1,2,a\n3,4,b\n" * 6).encode("utf-16-le"),
        ["NUL", "UTF-16"],
    ),
    "too large for float32": (
        bad("x,y,label\n" + "1,2,a\n3,4,b\n" * 6 + "1e308,2,a\n"),
        ["'1e308'", "row 14", "column 1 ('x')", "too large", "Divide"],
    ),
    "too large for float64": (
        bad("1,2,a\n3,4,b\n" * 6 + "1,-1e999,a\n"),
        ["'-1e999'", "row 13", "too large"],
    ),
    "spread lost in float32": (
        bad("x,y,label\n" + "".join(f"{1e10 + i},{i},{'ab'[i % 2]}\n" for i in range(12))),
        ["column 1 ('x')", "about 1e+10", "differ by at most 11", "steps of 1e+03", "Subtract"],
    ),
    "closer to zero than float32 holds": (
        bad("".join(f"{i * 1e-45},{i},{'ab'[i % 2]}\n" for i in range(12))),
        ["column 1", "closer to zero", "Multiply"],
    ),
    "label too long": (
        bad("x,y,label\n" + f"1,2,{'a' * 500}\n3,4,b\n" * 6),
        ["label in row 2", "too long", "(500 characters)", "at most 60"],
    ),
    "separated by spaces": (
        bad("x y label\n" + "1 2 a\n3 4 b\n" * 6),
        ["Row 1 has a single column ('x y label')", "commas, semicolons or tabs"],
    ),
    "stray carriage return in a line": (
        bad("x,y,label\n1,2\r,a\n" + "3,4,b\n1,2,a\n" * 6),
        ["Row 2 has 2 columns"],
    ),
    "a label that is not the last column": (
        bad("1,2,a,3\n" * 12),
        ["4 columns ('1', '2', 'a', '3')", "exactly 3"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_problem_is_explained_in_words(case):
    data, words = CASES[case]
    with pytest.raises(DataError) as error:
        load_points_csv(data)
    for word in words:
        assert word in str(error.value), (case, str(error.value))


def test_a_too_big_file_on_disk_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as file:
        file.truncate(6 * 1024 * 1024)
    with pytest.raises(DataError, match="larger than 5 MB"):
        load_points_csv(path)


def test_a_missing_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot be read"):
        load_points_csv(tmp_path / "nowhere.csv")


def test_every_problem_message_quotes_the_file_shortened():
    for case, (data, _) in CASES.items():
        with pytest.raises(DataError) as error:
            load_points_csv(data)
        message = str(error.value)
        assert len(message) < 400, (case, message)
        assert message.isprintable(), (case, message)


def test_a_long_cell_is_quoted_shortened():
    cell = "not-a-number-" * 50
    with pytest.raises(DataError) as error:
        load_points_csv(bad("1,2,a\n" * 5 + f"{cell},2,b\n" + "3,4,b\n" * 5))
    assert "'not-a-number-not-a-number-not-a-number-…' (650 characters)" in str(error.value)


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\n"])
def test_every_line_ending_loads_the_same(line_end):
    data = make_csv().decode("utf-8").replace("\n", line_end).encode("utf-8")
    X, y, class_names = load_points_csv(data)
    X_lf, y_lf, _ = load_points_csv(make_csv())
    np.testing.assert_array_equal(X, X_lf)
    np.testing.assert_array_equal(y, y_lf)
    assert class_names == ["a", "b"]


def test_trailing_empty_columns_are_ignored():
    data = make_csv().decode("utf-8").replace("\n", ",\n").replace("label,", "label,,,")
    X, y, class_names = load_points_csv(data.encode("utf-8"))
    assert X.shape == (12, 2) and class_names == ["a", "b"]


def test_quoted_cells_with_separators_are_one_cell():
    rows = "".join(f'"{i}","{i % 3}","big, {"ab"[i % 2]}"\n' for i in range(10))
    _, _, class_names = load_points_csv(bad("x,y,label\n" + rows))
    assert class_names == ["big, a", "big, b"]


def test_spaces_inside_a_label_count_once():
    rows = "".join(f"{i},{i % 3},{['big cat', 'big  cat', 'dog'][i % 3]}\n" for i in range(12))
    _, y, class_names = load_points_csv(bad(rows))
    assert class_names == ["big cat", "dog"]
    assert y[:3].tolist() == [0, 0, 1]


@pytest.mark.parametrize("scale", [1e-30, 1e-20, 1e20, 1e30, 1e35])
def test_huge_and_tiny_units_load_and_standardise(scale):
    rows = "".join(f"{i * scale!r},{-i * scale!r},{'ab'[i % 2]}\n" for i in range(12))
    X, _, _ = load_points_csv(bad(rows))
    assert np.isfinite(X).all()
    Z = Standardizer.fit(X).transform(X)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-5)


def test_a_large_offset_with_enough_spread_loads():
    # Near 1e6 float32 steps by 0.0625, far below the spread of the column.
    rows = "".join(f"{1e6 + 10 * i},{i},{'ab'[i % 2]}\n" for i in range(12))
    X, _, _ = load_points_csv(bad(rows))
    np.testing.assert_array_equal(X[:, 0], 1e6 + 10 * np.arange(12))
