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


def os_reason(exc: OSError) -> str:
    """What a file system error means for the path it names, in words a user acts on (the
    path is shown with it, never the data)."""
    import errno

    reasons = {
        errno.EEXIST: "a file stands where a folder is needed",
        errno.ENOTDIR: "a file stands where a folder is needed",
        errno.EISDIR: "is a folder, not a file",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "read-only file system",
        errno.ENOENT: "no such file or folder",
    }
    return reasons.get(exc.errno or 0, exc.strerror or "cannot access")
