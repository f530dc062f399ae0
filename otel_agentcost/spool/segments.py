"""The spool directory: one file per batch of spans, durable before it counts, deleted only once delivered.

A segment is written to a hidden temporary name, fsynced, renamed into place and the directory fsynced, so a file
with a segment name is always complete. Names sort by the time the batch was accepted, so delivery takes the oldest
first. A header (magic, payload length, CRC-32, span count) tells a complete segment from a damaged one.

Several processes may share a directory (agents started with the same settings). A process delivers a segment only
while it holds an exclusive `flock` on it, and checks after locking that the name still refers to the file it
locked: a process that found the file before another delivered and deleted it then sees it gone, so no segment is
delivered twice by the spool itself. The lock dies with its process, so a crashed agent's claims free themselves.
"""

from __future__ import annotations

import fcntl
import logging
import os
import struct
import zlib
from pathlib import Path

from otel_agentcost.durable import fsync_directory, write_durably
from otel_agentcost.spool.errors import CorruptSegmentError, SpoolFullError

_log = logging.getLogger(__name__)

SUFFIX = ".spans"
QUARANTINE = "quarantine"
_MAGIC = b"AGSPOOL1"
_HEADER = struct.Struct(">8sIII")  # magic, payload bytes, CRC-32 of the payload, span count


def segment_name(accepted_ns: int, pid: int, sequence: int) -> str:
    return f"{accepted_ns:020d}-{pid}-{sequence:09d}{SUFFIX}"


class Claim:
    """A segment this process holds the lock on: read it, then delete it (delivered) or release it (retry later)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    def read(self) -> tuple[bytes, int]:
        """(payload, span count); `CorruptSegmentError` when the file is not a whole segment."""
        with os.fdopen(os.dup(self._fd), "rb") as file:
            data = file.read()
        return _unframe(data, self.path)

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
        fsync_directory(self.path.parent)
        self.release()

    def quarantine(self, reason: str) -> Path:
        """Moves the file aside into `quarantine/` so that delivery goes on without it, and says so in the log."""
        target = self.path.parent / QUARANTINE / self.path.name
        target.parent.mkdir(exist_ok=True)
        os.replace(self.path, target)
        self.release()
        _log.error(
            "otel-agentcost spool: moved %s aside to %s (%s); its spans are not delivered",
            self.path,
            target,
            reason,
        )
        return target

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class SpoolDirectory:
    """The segments of one spool directory, capped at `max_bytes` in total."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        path.mkdir(parents=True, exist_ok=True)
        self._remove_orphaned_temporaries()

    def write(self, name: str, payload: bytes, span_count: int) -> Path:
        """Makes the batch durable under `name`; `SpoolFullError` when the cap or the disk leaves no room."""
        data = _HEADER.pack(_MAGIC, len(payload), zlib.crc32(payload), span_count) + payload
        temporary = self.path / f".{name}.{os.getpid()}.tmp"
        try:
            self.path.mkdir(parents=True, exist_ok=True)  # again, in case someone removed it
            used = self.size()
            if used + len(data) > self.max_bytes:
                raise SpoolFullError(
                    f"the spool {self.path} is full ({used} bytes; the cap is {self.max_bytes}, "
                    "AGENTCOST_SPOOL_MAX_BYTES)",
                    "spool_full",
                )
            final = self.path / name
            write_durably(temporary, final, data)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise SpoolFullError(f"cannot write to the spool {self.path}: {error.strerror}", "disk_error") from error
        return final

    def pending(self) -> list[Path]:
        """Segment files, oldest first (none when the directory was removed: the next write creates it again)."""
        try:
            return sorted(entry for entry in self.path.iterdir() if entry.name.endswith(SUFFIX))
        except FileNotFoundError:
            return []

    def size(self) -> int:
        total = 0
        for entry in os.scandir(self.path):
            if entry.name.endswith(SUFFIX):
                try:
                    total += entry.stat().st_size
                except FileNotFoundError:  # delivered by another process meanwhile
                    continue
        return total

    def span_count(self) -> int:
        """Spans waiting in the directory, from the headers (for the report at shutdown)."""
        total = 0
        for path in self.pending():
            try:
                with path.open("rb") as file:
                    header = file.read(_HEADER.size)
            except FileNotFoundError:
                continue
            if len(header) == _HEADER.size and header.startswith(_MAGIC):
                total += _HEADER.unpack(header)[3]
        return total

    def claim(self, path: Path) -> Claim | None:
        """The segment locked for this process, or None when another holds it or has already delivered it."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.stat(path).st_ino != os.fstat(fd).st_ino:
                raise FileNotFoundError(path)
        except (BlockingIOError, FileNotFoundError):
            os.close(fd)
            return None
        return Claim(path, fd)

    def claim_oldest(self, skip: Path | None = None) -> Claim | None:
        for path in self.pending():
            claim = None if path == skip else self.claim(path)
            if claim is not None:
                return claim
        return None

    def _remove_orphaned_temporaries(self) -> None:
        """Half-written segments of processes that died while writing: never acknowledged, never complete."""
        for entry in self.path.glob(".*.tmp"):
            pid = entry.name.rsplit(".", 2)[-2]
            if pid.isdigit() and not _alive(int(pid)):
                entry.unlink(missing_ok=True)


def _unframe(data: bytes, path: Path) -> tuple[bytes, int]:
    if len(data) < _HEADER.size:
        raise CorruptSegmentError(f"{path} is {len(data)} bytes, shorter than a segment header")
    magic, length, checksum, span_count = _HEADER.unpack_from(data)
    payload = data[_HEADER.size :]
    if magic != _MAGIC:
        raise CorruptSegmentError(f"{path} does not start with the spool's header")
    if len(payload) != length:
        raise CorruptSegmentError(f"{path} holds {len(payload)} bytes of spans, its header says {length}")
    if zlib.crc32(payload) != checksum:
        raise CorruptSegmentError(f"{path} fails its checksum")
    return payload, span_count


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
