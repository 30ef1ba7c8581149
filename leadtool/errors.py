"""Errors that reach the user as one ``Error: …`` line (exit code 1)."""


class LeadtoolError(Exception):
    """A data or runtime problem the user can fix; the message names the file and row."""
