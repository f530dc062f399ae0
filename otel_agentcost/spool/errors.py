"""What can go wrong with the spool's files, as exceptions the spool's threads handle without stopping."""

from __future__ import annotations


class CorruptSegmentError(ValueError):
    """A spool file that cannot be read back as a batch of spans (truncated, overwritten, not a spool file)."""


class SpoolFullError(Exception):
    """The spool has no room for a batch; `reason` is `spool_full` (its size cap) or `disk_error` (the disk
    refused the write: no space, a file size limit, an I/O error)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
