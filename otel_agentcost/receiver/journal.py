"""The receiver's write-ahead journal: a request is acknowledged only once its payload is on disk.

Each group of requests made durable together is one segment file: written as `<name>.tmp`, fsynced, renamed to
`<name>.seg` and the directory fsynced. Only then are its requests answered 200, so an acknowledged request survives
SIGKILL or a power cut. Segments are stored by batches: one insert each, whose deduplication token names the batch,
after which its segments are deleted; a crash between the insert and the deletion replays the batch with the same
token, which ClickHouse drops. A batch of one segment is named by the segment; a batch of several is first recorded
durably in a `<first segment>.batch` file listing them, so that a replay groups them exactly as the insert did.

Format: the magic line, then records of `length (u32) | crc32 (u32) | kind (u8) | payload`, big-endian; the payload
is the request body as decompressed (OTLP protobuf or OTLP/JSON), so a replay decodes it exactly as the request was.
At startup a `.tmp` file (never acknowledged) is deleted, and a `.seg` that fails its checks is moved to
`quarantine/` with a log line naming it; the rest are replayed in order. A `.batch` file some of whose segments are
gone was stored (deletions follow the insert): the rest of it is deleted. One process owns a journal directory
(an flock on `lock`), so two receivers never replay the same segment.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import struct
import threading
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from otel_agentcost.durable import write_durably
from otel_agentcost.store.url import StoreURL

_log = logging.getLogger(__name__)

MAGIC = b"otel-agentcost journal 1\n"
KIND_PROTOBUF = 1
KIND_JSON = 2
_KINDS = (KIND_PROTOBUF, KIND_JSON)
_HEADER = struct.Struct(">IIB")
_SEGMENT = ".seg"
_PARTIAL = ".tmp"
_BATCH = ".batch"
QUARANTINE = "quarantine"


class JournalError(Exception):
    """The journal cannot be used: its directory is unusable or owned by another process."""


class CorruptSegment(Exception):
    """A segment file does not read back as written (truncated, altered, or not a segment at all)."""


@dataclass(frozen=True)
class Record:
    """One acknowledged request: its decompressed body and how it is encoded."""

    kind: int
    payload: bytes


@dataclass(frozen=True)
class Segment:
    path: Path
    size: int

    @property
    def token(self) -> str:
        """The deduplication token of the segment's insert: its name, the same on every replay."""
        return f"agentcost-journal-{self.path.stem}"


@dataclass(frozen=True)
class Batch:
    """Segments stored by one insert; `listing` is the durable record of a batch of several (None for one)."""

    segments: tuple[Segment, ...]
    listing: Path | None = None

    @property
    def token(self) -> str:
        if self.listing is None:
            return self.segments[0].token
        return f"agentcost-journal-batch-{self.listing.stem}-{len(self.segments)}"


def default_journal_dir(url: StoreURL) -> Path:
    """Inside the chDB directory for an embedded store (the journal goes where the store goes, and is deleted with
    it); under the user's state directory, keyed by the store's address, for a ClickHouse server."""
    if url.embedded:
        return Path(url.path or ".") / "agentcost-journal" / url.database
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    key = hashlib.sha256(str(url).encode()).hexdigest()[:16]
    return Path(state_home) / "otel-agentcost" / "journal" / key


class Journal:
    """Segment files in one directory, owned by this process until `close()`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # spans may hold captured content
            self._lock_fd = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise JournalError(f"cannot use the journal directory {directory}: {error.strerror}") from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise JournalError(
                f"the journal directory {directory} is in use by another otel-agentcost serve; stop it, or give "
                "this one another --journal"
            ) from None
        self._run = uuid.uuid4().hex[:12]
        self._sequence = 0
        self._bytes = 0
        self._mutex = threading.Lock()

    @property
    def size_bytes(self) -> int:
        """Bytes held by segments not yet stored."""
        with self._mutex:
            return self._bytes

    def recover(self) -> list[Batch]:
        """The batches a previous run left unstored, oldest first, after setting aside what cannot be replayed."""
        for partial in sorted(self.directory.glob(f"*{_PARTIAL}")):
            _log.info("journal: deleting %s, never completed (nothing in it was acknowledged or stored)", partial)
            partial.unlink()
        segments = {path.name: path for path in self.directory.glob(f"*{_SEGMENT}")}
        for path in segments.values():
            self._sequence = max(self._sequence, _sequence_of(path) + 1)
        batches = [batch for listing in self.directory.glob(f"*{_BATCH}") if (batch := self._listed(listing, segments))]
        batches += [Batch((segment,)) for path in segments.values() if (segment := self._readable(path))]
        batches.sort(key=lambda batch: batch.segments[0].path.name)
        with self._mutex:
            self._bytes += sum(segment.size for batch in batches for segment in batch.segments)
        if batches:
            _log.info("journal: replaying %d batch(es) a previous run acknowledged but had not stored", len(batches))
        return batches

    def _listed(self, listing: Path, segments: dict[str, Path]) -> Batch | None:
        """The batch `listing` records, taking its segments out of `segments`; None when it was stored already."""
        names = listing.read_text().split()
        if not all(name in segments for name in names):
            _log.info("journal: batch %s was stored before the stop; deleting what is left of it", listing.name)
            for name in names:
                if name in segments:
                    segments.pop(name).unlink()
            listing.unlink()
            return None
        readable = [segment for name in names if (segment := self._readable(segments.pop(name)))]
        return Batch(tuple(readable), listing) if readable else None

    def _readable(self, path: Path) -> Segment | None:
        try:
            read_records(path)
        except CorruptSegment as error:
            self._move_aside(path, str(error))
            return None
        return Segment(path, path.stat().st_size)

    def batch(self, segments: Sequence[Segment]) -> Batch:
        """The batch that stores `segments` in one insert, recorded durably first when there are several."""
        if len(segments) == 1:
            return Batch(tuple(segments))
        listing = self.directory / f"{segments[0].path.stem}{_BATCH}"
        listed = "".join(f"{segment.path.name}\n" for segment in segments).encode()
        write_durably(listing.with_suffix(_PARTIAL), listing, listed)
        return Batch(tuple(segments), listing)

    def remove(self, batch: Batch) -> None:
        """The batch is stored: forget it, segments first. (Should a deletion be lost, the replay is deduplicated.)"""
        for segment in batch.segments:
            if segment.path.exists():  # not set aside
                segment.path.unlink()
                with self._mutex:
                    self._bytes -= segment.size
        if batch.listing is not None:
            batch.listing.unlink(missing_ok=True)

    def write(self, records: Sequence[Record]) -> Segment:
        """Make `records` durable as one new segment (fsynced file and directory) and return it."""
        with self._mutex:
            name = f"{self._sequence:020d}-{self._run}"
            self._sequence += 1
        data = b"".join([MAGIC, *(_encoded(record) for record in records)])
        path = self.directory / f"{name}{_SEGMENT}"
        write_durably(path.with_suffix(_PARTIAL), path, data)
        with self._mutex:
            self._bytes += len(data)
        return Segment(path, len(data))

    def set_aside(self, segment: Segment, reason: str) -> None:
        """A segment found unreadable when its turn came: out of the way, like a corrupt one at startup."""
        self._move_aside(segment.path, reason)
        with self._mutex:
            self._bytes -= segment.size

    def _move_aside(self, path: Path, reason: str) -> None:
        """Keep a segment that cannot be replayed for inspection, where it is never replayed."""
        aside = self.directory / QUARANTINE
        aside.mkdir(exist_ok=True)
        target = aside / path.name
        path.rename(target)
        _log.error("journal: segment %s cannot be replayed (%s); moved it to %s, replaying the others",
                   path.name, reason, target)  # fmt: skip

    def close(self) -> None:
        os.close(self._lock_fd)


def read_records(path: Path) -> list[Record]:
    """The records of a segment, checked against their lengths and checksums."""
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise CorruptSegment("it does not start with the journal's header")
    records = []
    offset = len(MAGIC)
    while offset < len(data):
        if offset + _HEADER.size > len(data):
            raise CorruptSegment(f"a record header is cut short at byte {offset}")
        length, checksum, kind = _HEADER.unpack_from(data, offset)
        payload = data[offset + _HEADER.size : offset + _HEADER.size + length]
        if len(payload) != length:
            raise CorruptSegment(f"the record at byte {offset} is cut short ({len(payload)} of {length} bytes)")
        if zlib.crc32(payload) != checksum or kind not in _KINDS:
            raise CorruptSegment(f"the record at byte {offset} fails its checksum")
        records.append(Record(kind, payload))
        offset += _HEADER.size + length
    return records


def _encoded(record: Record) -> bytes:
    return _HEADER.pack(len(record.payload), zlib.crc32(record.payload), record.kind) + record.payload


def _sequence_of(path: Path) -> int:
    head = path.stem.split("-", 1)[0]
    return int(head) if head.isdigit() else 0
