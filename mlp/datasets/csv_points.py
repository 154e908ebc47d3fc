"""A person's own 2-D data: a small CSV file of two numbers and a label per row.

The file format, as a student would write it::

    x,y,label          <- optional header
    1.5,-0.2,cat
    0.3,2.1,dog

- Exactly three columns: the first two are the features (numbers), the third the label.
  Empty cells after the label (a trailing separator, as spreadsheets sometimes write) are
  ignored.
- Comma-separated; a file whose first non-blank line has a semicolon (or else a tab) is read
  with that separator instead, as spreadsheet programs in many countries write it. Numbers use
  a dot as the decimal mark; in a file separated by semicolons or tabs, a decimal comma too
  (``-0,26``, as a European spreadsheet exports it), with a note.
- UTF-8 text (with or without a byte-order mark); a file that is not UTF-8 is read as
  Windows-1252 (the Western European encoding most spreadsheets on Windows still save in,
  a superset of Latin-1's printable characters), with a note.
- Lines may end as on Linux and macOS (LF), on Windows (CR LF) or on old Macs (CR only).
  A cell may be quoted ("big, red"), but every row is one line of at most ``MAX_LINE_CHARS``
  characters: a quote that runs on over several lines is almost always a stray one, and is
  reported.
- The first row is a header when neither of its first two cells is a number.
- Blank lines are skipped. Cells are stripped of surrounding spaces.
- Labels may be any text (``cat``, ``1``, ``yes``) of up to ``MAX_LABEL_CHARS`` characters;
  runs of spaces inside a label count as one. Classes are numbered in sorted order of their
  names: numerically when every label is a number (so ``2`` comes before ``10``),
  alphabetically otherwise. ``class_names[k]`` is the name of class ``k``.
- A label column of more than ``MAX_CLASSES`` different numbers (a price, a height) is read
  as a real-valued target to predict, a regression (``CsvPoints.task``), with a note.
- The file is text: control characters (NUL, bell, escape, ...) are refused, not dropped,
  since a file that holds them was usually saved in another format (UTF-16, a workbook).
- The network computes in float32, so the numbers are checked in float64 before they are
  rounded to it: at most ``MAX_FEATURE_MAGNITUDE`` in size, and each column's spread must
  survive the rounding (1e10 + 3 and 1e10 + 7 are the same float32 number).

Messages name rows by their line number in the file (the header, if any, is line 1), so a
student can find them in an editor, and quote the file's content shortened. Features come
back raw, in the file's units; fit a ``Standardizer`` on them for training. A file that is
read, but not quite as written (another encoding, decimal commas, a constant column), comes
back with notes saying so (``read_points_csv``).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from mlp.datasets.errors import DataError, quoted

MAX_FILE_BYTES = 5 * 1024 * 1024
MIN_ROWS = 10
MAX_ROWS = 50_000
MAX_CLASSES = 10
N_COLUMNS = 3
# Two numbers and a label fit in a few dozen characters; a longer line is not a row of points.
MAX_LINE_CHARS = 1000
# A class name is shown in the chart's legend, where a longer one would crowd out the plot.
MAX_LABEL_CHARS = 60
# Well inside float32's range (about 3.4e38), so the plot's margins around the points and the
# boundary grid stay finite too.
MAX_FEATURE_MAGNITUDE = 1e37
# float32's step between neighbouring numbers, near a column's largest one, may be at most
# this share of the column's standard deviation (then the boundary grid's steps are distinct).
MAX_STEP_SHARE = 0.01

CsvSource = str | os.PathLike | bytes | bytearray | BinaryIO

# A non-blank row of the file: its line number (1 = the first line) and its stripped cells.
_Row = tuple[int, list[str]]

# How lines end: LF, CR LF or CR alone (the csv module and Python's text files agree).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Control characters (C0, DEL and C1) other than tab, LF and CR.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A number written with a decimal comma, as European spreadsheets export it: -0,26 or 1,5e3.
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
# Unicode categories of characters that show nothing: controls, format characters (soft hyphen,
# zero-width space) and spaces. A label made only of these would be an invisible class name.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


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


def _decode(data: bytes) -> tuple[str, str | None]:
    """The file's text, and a note when it was not UTF-8 (with or without the byte-order mark
    spreadsheets write): then it is read as Windows-1252, or as Latin-1 where Windows-1252
    leaves a byte undefined (those come out as control characters, which are refused next)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        position = error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    note = (
        f"The file is not UTF-8 (byte {position + 1:,} is not), so it was read as Windows-1252 "
        "(Western European), as spreadsheets on Windows save it. If a label looks wrong, save "
        "the file as 'CSV UTF-8' and upload it again."
    )
    return text, note


def _line_number(text: str, position: int) -> int:
    """The line (1 = the first) that holds the character at ``position`` of ``text``."""
    return len(_LINE_BREAK.findall(text, 0, position)) + 1


def _check_characters(text: str) -> None:
    """The text holds no control characters; else a DataError naming the first one's line."""
    found = _CONTROL_CHARACTER.search(text)
    if found is None:
        return
    line_number = _line_number(text, found.start())
    if found.group() == "\x00":
        raise DataError(
            f"The file holds NUL characters (the first in line {line_number}), so it is not "
            "plain text: it was probably saved as 'Unicode text' (UTF-16) or in a program's "
            "own format. Save it as 'CSV UTF-8' and upload it again."
        )
    code = found.group().encode("unicode_escape").decode("ascii")
    raise DataError(
        f"Line {line_number} holds a control character ({code}), which does not belong in a "
        "CSV file of numbers and labels. Remove it, or save the file again as 'CSV UTF-8'."
    )


def _check_line_lengths(lines: list[str]) -> None:
    """No line is longer than ``MAX_LINE_CHARS``; else a DataError naming the first."""
    for line_number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise DataError(
                f"Line {line_number} is {len(line):,} characters long; a row of two numbers "
                f"and a label needs far fewer (at most {MAX_LINE_CHARS:,} are read). Is this a "
                "CSV file of points, with one row per line?"
            )


def _separator(lines: list[str]) -> str:
    """The cell separator: ";" or a tab when the first non-blank line has one, else ","."""
    first_line = next((line for line in lines if line.strip()), "")
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
        return f"column {index + 1} ({quoted(header[index])})"
    return f"column {index + 1}"


def _plural_s(count: int) -> str:
    """The plural ending for ``count`` things: "" for one, "s" otherwise."""
    return "s" if count != 1 else ""


def _stray_quote(first_line: int, last_line: int, closed: bool = True) -> DataError:
    """The error for a quoted cell that runs on from ``first_line`` to (or past) ``last_line``."""
    if closed:
        runs_on = f"only ends in line {last_line:,}, so lines {first_line:,} to {last_line:,} read"
    else:
        runs_on = f"is still open in line {last_line:,}, so the rest of the file reads"
    return DataError(
        f'A quote (") in line {first_line:,} starts a cell that {runs_on} as one cell. '
        "Every row must fit on one line: remove the stray quote, or close it on the same line."
    )


def _nonblank_rows(text: str, separator: str) -> list[_Row]:
    """The rows of ``text`` that have a non-blank cell, with the line each is on.

    Empty cells after the third are dropped: "1,2,a," is the row "1,2,a".

    Raises
    ------
    DataError
        A quoted cell runs on over several lines (a stray quote).
    """
    # newline="" hands the csv module the line endings as they are, so it ends rows at CR,
    # LF or CR LF alike, and a line break inside a quoted cell stays visible in the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[_Row] = []
    first_line = 1
    try:
        for cells in reader:
            if reader.line_num > first_line:
                raise _stray_quote(first_line, reader.line_num)
            cells = [cell.strip() for cell in cells]
            while len(cells) > N_COLUMNS and not cells[-1]:
                cells.pop()
            if any(cells):
                rows.append((first_line, cells))
            first_line = reader.line_num + 1
    except csv.Error:
        # Lines are short (checked before), so only a quoted cell over many lines gets here:
        # it outgrew the csv module's limit on the length of one cell.
        raise _stray_quote(first_line, reader.line_num, closed=False) from None
    return rows


def _check_column_counts(rows: list[_Row], separator: str) -> None:
    """Every row has exactly ``N_COLUMNS`` cells; else a DataError naming the first that has not."""
    for line_number, cells in rows:
        if len(cells) == 1:
            raise DataError(
                f"Row {line_number} has a single column ({quoted(cells[0])}), but {N_COLUMNS} "
                "are needed: two numbers (the features) and a label, separated by commas, "
                "semicolons or tabs."
            )
        if len(cells) < N_COLUMNS:
            raise DataError(
                f"Row {line_number} has {len(cells)} column{_plural_s(len(cells))}, "
                f"but {N_COLUMNS} are needed: two numbers (the features) and a label."
            )
        if len(cells) > N_COLUMNS:
            shown = ", ".join(quoted(cell, 20) for cell in cells[:5])
            more = ", …" if len(cells) > 5 else ""
            raise DataError(
                f"Row {line_number} has {len(cells)} columns ({shown}{more}), but exactly "
                f"{N_COLUMNS} are expected: two numbers (the features) and a label. Remove the "
                f"other columns, or quote a label that contains {quoted(separator)}."
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


def _feature_value(cell: str, where: str, comma_decimals: bool = False) -> float:
    """A feature cell as a float of size at most ``MAX_FEATURE_MAGNITUDE``; else a DataError.

    ``where`` names the cell's row and column in the message. With ``comma_decimals`` (a file
    not separated by commas) a decimal comma counts as a decimal point.
    """
    if not cell:
        raise DataError(f"The cell in {where} is empty; it should be a number.")
    value = _as_number(cell)
    if value is None and comma_decimals and _DECIMAL_COMMA.fullmatch(cell):
        value = _as_number(cell.replace(",", "."))
    if value is None:
        marks = "a dot or a comma" if comma_decimals else "a dot"
        raise DataError(
            f"The value {quoted(cell)} in {where} is not a number. Both feature "
            f"columns must hold numbers such as 1.5 or -2 (with {marks} as decimal mark)."
        )
    if math.isnan(value) or (math.isinf(value) and "inf" in cell.lower()):
        raise DataError(
            f"The value {quoted(cell)} in {where} is not a finite number "
            "(NaN or infinity). Remove or fix that row."
        )
    if not abs(value) <= MAX_FEATURE_MAGNITUDE:  # also a number too large for float64 (1e999)
        raise DataError(
            f"The value {quoted(cell)} in {where} is too large: the network computes with "
            f"32-bit numbers, so features must lie between -{MAX_FEATURE_MAGNITUDE:.0e} and "
            f"{MAX_FEATURE_MAGNITUDE:.0e}. Divide that column by a power of ten (use larger "
            "units)."
        )
    return value


def _label(cell: str, line_number: int, header: list[str] | None) -> str:
    """The label cell as a class name, spaces inside it collapsed; else a DataError.

    A label that shows nothing (only spaces, or a soft hyphen) counts as missing.
    """
    label = " ".join(cell.split())
    if not any(unicodedata.category(c) not in _INVISIBLE_CATEGORIES for c in label):
        raise DataError(
            f"Row {line_number} has no label in {_column_name(2, header)}; every row needs one."
        )
    if len(label) > MAX_LABEL_CHARS:
        raise DataError(
            f"The label in row {line_number}, {quoted(label)}, is too long: at most "
            f"{MAX_LABEL_CHARS} characters fit in the chart's legend. Is the third column "
            "really the label?"
        )
    return label


def _parse_rows(
    rows: list[_Row], header: list[str] | None, separator: str = ","
) -> tuple[np.ndarray, list[str], str | None]:
    """The features and the labels of the data rows, checked row by row.

    Returns
    -------
    features : np.ndarray, shape (n, 2), float64
        The first two cells of each row.
    labels : list[str]
        The third cell of each row as a class name (see ``_label``).
    comma_example : str or None
        The first feature cell written with a decimal comma, if any (only in a file not
        separated by commas).
    """
    features = np.empty((len(rows), 2), dtype=np.float64)
    labels: list[str] = []
    feature_columns = [_column_name(column, header) for column in range(2)]
    comma_decimals = separator != ","
    comma_example = None
    for row_index, (line_number, cells) in enumerate(rows):
        for column, column_name in enumerate(feature_columns):
            where = f"row {line_number}, {column_name}"
            cell = cells[column]
            features[row_index, column] = _feature_value(cell, where, comma_decimals)
            if comma_example is None and comma_decimals and "," in cell:
                comma_example = cell
        labels.append(_label(cells[2], line_number, header))
    return features, labels, comma_example


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
            f"Every row has the same label ({quoted(class_names[0])}). A classifier needs at "
            "least two classes to tell apart."
        )
    if len(class_names) > MAX_CLASSES:
        raise DataError(
            f"The label column has {len(class_names)} different values; at most "
            f"{MAX_CLASSES} classes are supported. Is the third column really the label?"
        )


def _check_features_vary(features: np.ndarray, header: list[str] | None) -> str | None:
    """A feature column of ``features`` (n, 2) takes at least two values: a DataError if
    neither does, a note if only one does (the other then tells the classes apart alone)."""
    constant = [column for column in range(2) if np.ptp(features[:, column]) == 0.0]
    if len(constant) == 2:
        raise DataError(
            "Every row has the same two numbers in the feature columns, so nothing tells the "
            "classes apart. The first two columns should hold each point's coordinates."
        )
    if not constant:
        return None
    (column,) = constant
    value = features[0, column]
    return (
        f"Every row has the same value ({value:g}) in {_column_name(column, header)}, so only "
        f"{_column_name(1 - column, header)} can tell the classes apart; the chart draws the "
        "points on a line."
    )


def _check_float32_keeps_spread(features: np.ndarray, header: list[str] | None) -> None:
    """float32 tells the numbers of each column of ``features`` (n, 2, float64) apart.

    float32 holds about 7 significant digits: near 1e10 it steps by 1,024, so 1e10 + 3 and
    1e10 + 7 are the same number, and below about 1e-38 it steps by 1.4e-45. A column is
    refused when that step, near its largest number, is more than ``MAX_STEP_SHARE`` of its
    standard deviation: the network, and the plot's grid, would see a blurred or constant
    column.
    """
    for column in range(2):
        values = features[:, column]
        if np.ptp(values) == 0.0:
            continue  # a constant column (see _check_features_vary): nothing to blur
        spread = values.std()
        step = float(np.spacing(np.float32(np.abs(values).max())))
        if step <= MAX_STEP_SHARE * spread:
            continue
        name = _column_name(column, header)
        if np.abs(values).max() < np.finfo(np.float32).tiny:
            raise DataError(
                f"The numbers in {name} are all closer to zero than 1e-38, too small for the "
                "32-bit numbers the network computes with. Multiply every number in that "
                "column by the same power of ten (use smaller units)."
            )
        middle = values.mean()
        raise DataError(
            f"The numbers in {name} are about {middle:.6g} but differ by at most "
            f"{np.ptp(values):.2g}. The network computes with 32-bit numbers, which near "
            f"{middle:.2g} go in steps of {step:.2g}, so it would see them as nearly the same "
            f"number. Subtract a common value, such as {middle:.6g}, from every number in "
            "that column."
        )


@dataclass(frozen=True)
class CsvPoints:
    """A CSV of points as read: ``X`` (n, 2) float32 raw features, ``y`` (n,) int64 class
    indices, ``class_names``, and ``notes``: sentences for the student about how the file was
    read where it was not quite as the format says (its encoding, decimal commas, a constant
    column)."""

    X: np.ndarray
    y: np.ndarray
    class_names: list[str]
    notes: tuple[str, ...] = ()
    task: str = "classification"  # or "regression": y (n,) float32 targets, one name


def load_points_csv(path_or_file: CsvSource) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``read_points_csv`` without the notes: (X, y, class_names)."""
    points = read_points_csv(path_or_file)
    return points.X, points.y, points.class_names


def read_points_csv(path_or_file: CsvSource) -> CsvPoints:
    """Read and check a CSV of 2-D points with labels (format in the module docstring).

    Parameters
    ----------
    path_or_file : str | os.PathLike | bytes | binary file-like
        A path, the file's bytes, or an open binary file such as Streamlit's UploadedFile.

    Returns
    -------
    CsvPoints
        ``X`` (n, 2) float32: the two feature columns, raw (not standardised), finite, at
        least one varying, each with a spread that float32 keeps; ``y`` (n,) int64: the class
        index of each row, 0 .. len(class_names) - 1; ``class_names``: the label text of each
        class, sorted (numerically if all labels are numbers); ``notes``.

    Raises
    ------
    DataError
        With a sentence for the student: empty or too big file, control
        characters, a very long line, a stray quote, other than three columns, a cell that
        is not a number (naming its row and column), NaN, infinity or a number too large,
        a column whose numbers float32 cannot tell apart, a label too long, fewer than 10 or
        more than 50,000 rows, a single class or more than 10 classes.
    """
    text, encoding_note = _decode(_read_bytes(path_or_file))
    notes = [encoding_note] if encoding_note else []
    if not text.strip():
        raise DataError("The file is empty. It needs rows of two numbers and a label.")
    _check_characters(text)
    lines = _LINE_BREAK.split(text)
    _check_line_lengths(lines)
    separator = _separator(lines)

    rows = _nonblank_rows(text, separator)
    if not rows:
        raise DataError(
            f"The file holds no values, only separators ({quoted(separator)}) and spaces. "
            "It needs rows of two numbers and a label."
        )
    _check_column_counts(rows, separator)
    header, rows = _split_header(rows)
    _check_row_count(rows)
    features, labels, comma_example = _parse_rows(rows, header, separator)
    if comma_example is not None:
        notes.append(
            f"Numbers with a decimal comma were read as decimals: {quoted(comma_example)} as "
            f"{_as_number(comma_example.replace(',', '.')):g}."
        )

    class_names = _class_names(labels)
    targets = _numeric_targets(labels, class_names, comma_decimals=separator != ",")
    if targets is None:
        _check_class_count(class_names)
    else:
        notes.append(
            f"The label column holds {len(class_names):,} different numbers, more than the "
            f"{MAX_CLASSES} classes a classifier here tells apart: it is read as a number to "
            "predict at each point (a regression), with the mean squared error and R²."
        )
    constant_note = _check_features_vary(features, header)
    if constant_note:
        notes.append(constant_note)
    _check_float32_keeps_spread(features, header)

    if targets is not None:
        named = header is not None and header[2].strip()
        name = " ".join(header[2].split())[:MAX_LABEL_CHARS] if named else "y"
        return CsvPoints(features.astype(np.float32), targets, [name], tuple(notes),
                         task="regression")  # fmt: skip
    class_of_name = {name: index for index, name in enumerate(class_names)}
    y = np.array([class_of_name[label] for label in labels], dtype=np.int64)
    return CsvPoints(features.astype(np.float32), y, class_names, tuple(notes))


def _numeric_targets(
    labels: list[str], class_names: list[str], comma_decimals: bool
) -> np.ndarray | None:
    """The labels as real-valued targets, (n,) float32, when they are too many different
    numbers to be classes (more than ``MAX_CLASSES``, every one a finite number); else None.
    In a file not separated by commas a decimal comma counts as a point."""
    if len(class_names) <= MAX_CLASSES:
        return None
    values = [_as_number(label.replace(",", ".") if comma_decimals else label) for label in labels]
    if any(value is None for value in values):
        return None  # words among them: too many classes, which the class check says
    for label, value in zip(labels, values, strict=True):
        if not math.isfinite(value) or abs(value) > MAX_FEATURE_MAGNITUDE:
            raise DataError(
                f"The label column holds {len(class_names):,} different numbers, read as a "
                f"number to predict at each point (a regression), but {quoted(label)} is not "
                f"a finite number of at most {MAX_FEATURE_MAGNITUDE:.0e} in size. Fix or "
                "remove that row."
            )
    return np.array(values, dtype=np.float32)
