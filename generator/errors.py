"""Errors a user can act on.

Every exception that reaches the CLI as a `UserError` is printed as one line
(no traceback) and ends the process with exit code 2.
"""


class UserError(Exception):
    """A problem with the user's input or set-up; the message says what to do."""

    exit_code = 2


class IngestError(UserError):
    """A document could not be read or holds nothing usable."""


class ModelError(UserError):
    """A model could not be resolved, verified or loaded."""
