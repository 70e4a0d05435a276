"""The project's own error hierarchy.

The CLI (and later the UI) catches `DashboardError` and shows its message as one line; anything
else is a bug and is allowed to surface with a traceback.
"""

from __future__ import annotations


class DashboardError(Exception):
    """Base class for every error we expect users to see and act on."""


class PolicyError(DashboardError):
    """The policy file is missing, unreadable or invalid; the message names the key and value."""


class CalendarRangeError(DashboardError):
    """An instant falls outside the years the business calendar (and its holiday list) covers."""


class UnusableFileError(DashboardError):
    """An input file cannot be used at all (not CSV, empty, a required column missing)."""


class DashboardWarning(UserWarning):
    """Something users should know that did not stop the command (shown as one line)."""
