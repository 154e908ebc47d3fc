"""The one exception a user of the data sets can cause."""


class DataError(ValueError):
    """A data set could not be made, read or fetched.

    The message is a complete sentence meant for the person using the app: it says what is
    wrong and, where possible, what to do about it. The UI shows it as it is.
    """
