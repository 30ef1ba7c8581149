"""Errors that reach the user as one ``Error: …`` line (exit code 1)."""


class LeadtoolError(Exception):
    """A data or runtime problem the user can fix; the message names the file and row."""


class NotLeadsError(LeadtoolError):
    """A table with no contact or name column to import. ``spend_profile`` names the spend
    report it is instead, if it is one: ``run`` reads such a table as spend (a team drops
    every export of the night into one folder), the other commands say where it belongs."""

    def __init__(self, message: str, spend_profile: str | None = None) -> None:
        super().__init__(message)
        self.spend_profile = spend_profile
