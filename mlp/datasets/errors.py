"""The one exception a user of the data sets can cause, and how its messages quote a file."""

QUOTE_LIMIT = 40  # characters of a file's content quoted in a message; longer text is cut


class DataError(ValueError):
    """A data set could not be made, read or fetched.

    The message is a complete sentence meant for the person using the app: it says what is
    wrong and, where possible, what to do about it. The UI shows it as it is.
    """


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` from a file as a short quote for a message, on one line.

    Characters that do not print (line breaks, tabs, NUL) appear as escapes such as ``\\n``,
    so the quote shows what is really there; text longer than ``limit`` is cut.

    >>> quoted("two")
    "'two'"
    >>> quoted("a" * 100, 10)
    "'aaaaaaaaa…' (100 characters)"
    """
    printable = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    if len(printable) <= limit:
        return f"'{printable}'"
    return f"'{printable[: limit - 1]}…' ({len(text):,} characters)"
