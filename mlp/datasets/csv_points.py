"""A person's own 2-D data: a small CSV file of two numbers and a label per row.

The file format, as a student would write it::

    x,y,label          <- optional header
    1.5,-0.2,cat
    0.3,2.1,dog

- Exactly three columns: the first two are the features (numbers), the third the label.
- Comma-separated; a file whose first line has a semicolon (or else a tab) is read with that
  separator instead, as spreadsheet programs in many countries write it. Numbers always use
  a dot as the decimal mark.
- The first row is a header when neither of its first two cells is a number.
- Blank lines are skipped. Cells are stripped of surrounding spaces.
- Labels may be any text (``cat``, ``1``, ``yes``). Classes are numbered in sorted order
  of their names: numerically when every label is a number (so ``2`` comes before ``10``),
  alphabetically otherwise. ``class_names[k]`` is the name of class ``k``.

Messages name rows by their line number in the file (the header, if any, is line 1), so a
student can find them in an editor. Features come back raw, in the file's units; fit a
``Standardizer`` on them for training.
"""

from __future__ import annotations

import csv
import io
import math
import os
from typing import BinaryIO

import numpy as np

from mlp.datasets.errors import DataError

MAX_FILE_BYTES = 5 * 1024 * 1024
MIN_ROWS = 10
MAX_ROWS = 50_000
MAX_CLASSES = 10
N_COLUMNS = 3

CsvSource = str | os.PathLike | bytes | bytearray | BinaryIO

# A non-blank row of the file: its line number (1 = the first line) and its stripped cells.
_Row = tuple[int, list[str]]


def _read_bytes(source: CsvSource) -> bytes:
    """The file's bytes, from a path, the bytes themselves or an open binary file.

    Raises
    ------
    DataError
        The file is larger than ``MAX_FILE_BYTES``, cannot be read, or the source is of a
        type that holds no file.
    """
    too_big = (
        f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Use at most "
        f"{MAX_ROWS:,} rows of two numbers and a label."
    )
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        try:
            if os.path.getsize(source) > MAX_FILE_BYTES:
                raise DataError(too_big)
            with open(source, "rb") as file:
                data = file.read()
        except OSError as error:
            raise DataError(
                f"The file {os.fspath(source)!r} cannot be read: {error.strerror}."
            ) from None
    elif hasattr(source, "read"):
        # A file-like may have been read from already; the whole file is wanted.
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_FILE_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise DataError(f"Cannot read a CSV from a {type(source).__name__}.")
    if len(data) > MAX_FILE_BYTES:
        raise DataError(too_big)
    return data


def _decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without the byte-order mark spreadsheets write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "Save it as 'CSV UTF-8' (not as an Excel workbook) and upload it again."
        ) from None


def _separator(text: str) -> str:
    """The cell separator: ";" or a tab when the first line has one, else ","."""
    first_line = text.lstrip().split("\n", 1)[0]
    for candidate in (";", "\t"):
        if candidate in first_line:
            return candidate
    return ","


def _as_number(cell: str) -> float | None:
    """The cell as a float, or None when it is not a number."""
    try:
        return float(cell)
    except ValueError:
        return None


def _column_name(index: int, header: list[str] | None) -> str:
    """How messages name a column: "column 2", or "column 2 ('y')" when the header names it."""
    if header and header[index]:
        return f"column {index + 1} ('{header[index]}')"
    return f"column {index + 1}"


def _plural_s(count: int) -> str:
    """The plural ending for ``count`` things: "" for one, "s" otherwise."""
    return "s" if count != 1 else ""


def _nonblank_rows(text: str) -> list[_Row]:
    """The rows of ``text`` that have a non-blank cell, with their line numbers."""
    return [
        (line_number, [cell.strip() for cell in cells])
        for line_number, cells in enumerate(
            csv.reader(io.StringIO(text), delimiter=_separator(text)), start=1
        )
        if any(cell.strip() for cell in cells)
    ]


def _check_column_counts(rows: list[_Row]) -> None:
    """Every row has exactly ``N_COLUMNS`` cells; else a DataError naming the first that has not."""
    for line_number, cells in rows:
        if len(cells) < N_COLUMNS:
            raise DataError(
                f"Row {line_number} has {len(cells)} column{_plural_s(len(cells))}, "
                f"but {N_COLUMNS} are needed: two numbers (the features) and a label."
            )
        if len(cells) > N_COLUMNS:
            raise DataError(
                f"Row {line_number} has {len(cells)} columns, but exactly {N_COLUMNS} are "
                "expected: two numbers (the features) and a label. Remove the other columns."
            )


def _split_header(rows: list[_Row]) -> tuple[list[str] | None, list[_Row]]:
    """The header (the first row, when neither of its first two cells is a number) and the rest.

    Returns
    -------
    header : list[str] or None
        The header's cells, or None when the first row is data.
    data_rows : list[_Row]
        The rows after the header, or all rows when there is none.
    """
    first_cells = rows[0][1]
    if _as_number(first_cells[0]) is None and _as_number(first_cells[1]) is None:
        return first_cells, rows[1:]
    return None, rows


def _check_row_count(rows: list[_Row]) -> None:
    """Between ``MIN_ROWS`` and ``MAX_ROWS`` data rows; else a DataError."""
    if len(rows) < MIN_ROWS:
        raise DataError(
            f"The file has only {len(rows)} data row{_plural_s(len(rows))}; "
            f"at least {MIN_ROWS} are needed to train and test."
        )
    if len(rows) > MAX_ROWS:
        raise DataError(
            f"The file has {len(rows):,} data rows; at most {MAX_ROWS:,} are supported. "
            "Use a random sample of your rows."
        )


def _feature_value(cell: str, where: str) -> float:
    """A feature cell as a finite float; else a DataError naming ``where`` (row and column)."""
    if not cell:
        raise DataError(f"The cell in {where} is empty; it should be a number.")
    value = _as_number(cell)
    if value is None:
        raise DataError(
            f"The value '{cell}' in {where} is not a number. Both feature "
            "columns must hold numbers such as 1.5 or -2 (with a dot as decimal mark)."
        )
    if not math.isfinite(value):
        raise DataError(
            f"The value '{cell}' in {where} is not a finite number "
            "(NaN or infinity). Remove or fix that row."
        )
    return value


def _parse_rows(rows: list[_Row], header: list[str] | None) -> tuple[np.ndarray, list[str]]:
    """The features and the label text of the data rows, checked row by row.

    Returns
    -------
    features : np.ndarray, shape (n, 2), float64
        The first two cells of each row.
    labels : list[str]
        The third cell of each row, never empty.
    """
    features = np.empty((len(rows), 2), dtype=np.float64)
    labels: list[str] = []
    for row_index, (line_number, cells) in enumerate(rows):
        for column in range(2):
            where = f"row {line_number}, {_column_name(column, header)}"
            features[row_index, column] = _feature_value(cells[column], where)
        if not cells[2]:
            raise DataError(
                f"Row {line_number} has no label in {_column_name(2, header)}; every row needs one."
            )
        labels.append(cells[2])
    return features, labels


def _class_names(labels: list[str]) -> list[str]:
    """The distinct labels, sorted numerically when all are numbers, else alphabetically."""
    distinct = set(labels)
    numbers = {label: _as_number(label) for label in distinct}
    if all(value is not None and math.isfinite(value) for value in numbers.values()):
        return sorted(distinct, key=lambda label: (numbers[label], label))
    return sorted(distinct)


def _check_class_count(class_names: list[str]) -> None:
    """Between 2 and ``MAX_CLASSES`` classes; else a DataError."""
    if len(class_names) < 2:
        raise DataError(
            f"Every row has the same label ('{class_names[0]}'). A classifier needs at least "
            "two classes to tell apart."
        )
    if len(class_names) > MAX_CLASSES:
        raise DataError(
            f"The label column has {len(class_names)} different values; at most "
            f"{MAX_CLASSES} classes are supported. Is the third column really the label?"
        )


def _check_features_vary(features: np.ndarray, header: list[str] | None) -> None:
    """Each feature column of ``features`` (n, 2) takes at least two values; else a DataError."""
    for column in range(2):
        if np.ptp(features[:, column]) == 0.0:
            raise DataError(
                f"Every row has the same value in {_column_name(column, header)}, so it "
                "cannot help tell the classes apart."
            )


def load_points_csv(path_or_file: CsvSource) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read and check a CSV of 2-D points with labels (format in the module docstring).

    Parameters
    ----------
    path_or_file : str | os.PathLike | bytes | binary file-like
        A path, the file's bytes, or an open binary file such as Streamlit's UploadedFile.

    Returns
    -------
    X : np.ndarray, shape (n, 2), float32
        The two feature columns, raw (not standardised).
    y : np.ndarray, shape (n,), int64
        Class index of each row, 0 .. len(class_names) - 1.
    class_names : list[str]
        Label text of each class, sorted (numerically if all labels are numbers).

    Raises
    ------
    DataError
        With a sentence for the student: empty or too big file, not UTF-8, fewer than three
        columns, a cell that is not a number (naming its row and column), NaN or infinity,
        fewer than 10 or more than 50,000 rows, a single class or more than 10 classes.
    """
    text = _decode(_read_bytes(path_or_file))
    if not text.strip():
        raise DataError("The file is empty. It needs rows of two numbers and a label.")

    rows = _nonblank_rows(text)
    _check_column_counts(rows)
    header, rows = _split_header(rows)
    _check_row_count(rows)
    features, labels = _parse_rows(rows, header)

    class_names = _class_names(labels)
    _check_class_count(class_names)
    _check_features_vary(features, header)

    class_of_name = {name: index for index, name in enumerate(class_names)}
    y = np.array([class_of_name[label] for label in labels], dtype=np.int64)
    return features.astype(np.float32), y, class_names
