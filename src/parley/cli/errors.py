"""Exit codes and one-line messages that scripts can rely on."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from pydantic import ValidationError

from parley.errors import ErrorCode, Misconfigured, ParleyError

EXIT_FAILURE = 1
EXIT_USAGE = 2  # what click uses for a bad command line
EXIT_INVALID_INPUT = 3
EXIT_NOT_FOUND = 4
EXIT_UNAVAILABLE = 5

_EXIT_CODES = {
    ErrorCode.INVALID_ARGUMENT: EXIT_INVALID_INPUT,
    ErrorCode.NOT_FOUND: EXIT_NOT_FOUND,
    ErrorCode.FAILED_PRECONDITION: EXIT_UNAVAILABLE,
}


def exit_code(error: ParleyError) -> int:
    if isinstance(error, Misconfigured):
        return EXIT_USAGE
    return _EXIT_CODES.get(error.code, EXIT_FAILURE)


def report(error: ParleyError | OSError, subject: str | None = None) -> int:
    """Print `parley: error: [subject: ]message` on stderr; return the exit code."""
    message = error.message if isinstance(error, ParleyError) else (error.strerror or str(error))
    prefix = f"{subject}: " if subject else ""
    print(f"parley: error: {prefix}{message}", file=sys.stderr)
    if isinstance(error, ParleyError):
        return exit_code(error)
    return (
        EXIT_INVALID_INPUT
        if isinstance(error, FileNotFoundError | IsADirectoryError)
        else EXIT_FAILURE
    )


def fail(error: ParleyError | OSError, subject: str | None = None) -> NoReturn:
    raise typer.Exit(report(error, subject))


def settings_error(error: ValidationError) -> NoReturn:
    """A setting from the environment that does not parse: one line per setting."""
    for problem in error.errors():
        name = "PARLEY_" + "_".join(str(part) for part in problem["loc"]).upper()
        value = problem.get("input")
        shown = f"={value}" if isinstance(value, str) else ""
        print(f"parley: error: {name}{shown}: {problem['msg']}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def usage(message: str) -> NoReturn:
    """A command line that cannot be run as given (exit 2)."""
    print(f"parley: error: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)
