"""Files written whole or not at all, and names that survive a crash: what the agent's spool and `serve`'s journal
rely on before they call spans safe.

A file's own fsync makes its bytes durable but not its name: a rename or an unlink is durable only once the
directory holding it is fsynced too. Writing under a temporary name first means a crash leaves either nothing or
the whole file under its final name, never a torn one.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """Makes the renames and unlinks done in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(temporary: Path, final: Path, data: bytes) -> None:
    """Writes `data` to `temporary` (created, private to the user, fsynced), renames it to `final` and fsyncs the
    directory. Raises OSError as the disk does; the caller removes `temporary` if it wants to."""
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, final)
    fsync_directory(final.parent)
