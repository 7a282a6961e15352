"""One exception family; each member carries its exit code (docs/exit-codes.md)."""

from __future__ import annotations


class DiscueError(Exception):
    """Base error: a one-line message, an optional HTTP status, an optional hint."""

    exit_code = 1

    def __init__(self, title: str, status: int | None = None, hint: str | None = None):
        super().__init__(title)
        self.title = title
        self.status = status
        self.hint = hint


class ApiError(DiscueError):
    """An API error with no more specific meaning, or an unexpected reply."""

    exit_code = 1


class UsageError(DiscueError):
    """Bad arguments or invalid local input: nothing was sent."""

    exit_code = 2


class AuthError(DiscueError):
    """No API key, 401 or 403."""

    exit_code = 3


class NotFoundError(DiscueError):
    """404, or a name that matches nothing."""

    exit_code = 4


class ConflictError(DiscueError):
    """409 or 422: the resource exists already, or the state forbids the change."""

    exit_code = 5


class RateLimitedError(DiscueError):
    """429 after the retries ran out."""

    exit_code = 6


class NoResponseError(DiscueError):
    """Connection refused, DNS, TLS, timeout, dropped connection."""

    exit_code = 7


class OutcomeUnknownError(NoResponseError):
    """No usable reply to a request that may have reached the server (its head began to leave):
    a reply that timed out, was cut off or broke HTTP. Never sent again by itself."""


class SilentExit(DiscueError):
    """The command has said all it had to say; exit with this code and print nothing more."""

    def __init__(self, exit_code: int):
        super().__init__("")
        self.exit_code = exit_code


class Interrupted(DiscueError):
    """Ctrl-C (exit 130) or SIGTERM (exit 143): the run stopped cleanly before it was done."""

    exit_code = 130

    def __init__(self, title: str = "Interrupted.", exit_code: int = 130):
        super().__init__(title)
        self.exit_code = exit_code


def for_status(status: int) -> type[DiscueError]:
    """The error class for an HTTP error status."""
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status in (409, 422):
        return ConflictError
    if status == 429:
        return RateLimitedError
    return ApiError


class Stopped(BaseException):
    """SIGTERM (exit 143) or SIGHUP (129) where no event loop turns it into a cancel: start-up, a prompt.

    A BaseException, as KeyboardInterrupt is, so that no `except Exception` on its way swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.exit_code = 128 + signum
