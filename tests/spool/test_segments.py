"""The spool directory's files: durable, oldest first, checked when read, capped, and each delivered by one
process at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from otel_agentcost.spool.errors import CorruptSegmentError, SpoolFullError
from otel_agentcost.spool.segments import QUARANTINE, SpoolDirectory, segment_name


def test_segments_come_back_oldest_first_with_their_payload_and_span_count(tmp_path):
    spool = SpoolDirectory(tmp_path, max_bytes=10_000)
    for accepted, payload in [(30, b"third"), (10, b"first"), (20, b"second")]:
        spool.write(segment_name(accepted, 1, 0), payload, span_count=accepted)
    claims = [spool.claim(path) for path in spool.pending()]
    assert [claim.read() for claim in claims] == [(b"first", 10), (b"second", 20), (b"third", 30)]
    assert spool.span_count() == 60
    claims[0].delete()
    assert len(spool.pending()) == 2
    assert not list(tmp_path.glob(".*"))  # no temporary left behind


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:-1], "header says"),
        (lambda data: data[:-1] + bytes([data[-1] ^ 1]), "checksum"),
        (lambda data: b"garbage!" + data[8:], "header"),
        (lambda data: data[:5], "shorter than a segment header"),
    ],
)
def test_a_damaged_segment_is_reported_and_can_be_moved_aside(tmp_path, damage, message):
    spool = SpoolDirectory(tmp_path, max_bytes=10_000)
    path = spool.write(segment_name(1, 1, 0), b"payload bytes", span_count=3)
    path.write_bytes(damage(path.read_bytes()))
    claim = spool.claim(path)
    with pytest.raises(CorruptSegmentError, match=message):
        claim.read()
    moved = claim.quarantine("damaged")
    assert moved == tmp_path / QUARANTINE / path.name and moved.exists()
    assert spool.pending() == []


def test_the_cap_refuses_a_segment_that_would_pass_it(tmp_path):
    spool = SpoolDirectory(tmp_path, max_bytes=100)
    spool.write(segment_name(1, 1, 0), b"x" * 50, span_count=1)
    with pytest.raises(SpoolFullError, match="AGENTCOST_SPOOL_MAX_BYTES") as raised:
        spool.write(segment_name(2, 1, 1), b"x" * 50, span_count=1)
    assert raised.value.reason == "spool_full"
    assert len(spool.pending()) == 1


def test_a_segment_claimed_by_another_process_is_skipped_until_it_lets_go(tmp_path):
    spool = SpoolDirectory(tmp_path, max_bytes=10_000)
    first = spool.write(segment_name(1, 1, 0), b"first", span_count=1)
    second = spool.write(segment_name(2, 1, 1), b"second", span_count=1)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(
            """
            import sys
            from pathlib import Path
            from otel_agentcost.spool.segments import SpoolDirectory
            claim = SpoolDirectory(Path(sys.argv[1]), 10_000).claim_oldest()
            print(claim.path.name, flush=True)
            sys.stdin.read()
            claim.delete()
            """), str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == first.name
    stale = spool.claim(first)  # found before the other process deletes it
    claim = spool.claim_oldest()
    assert stale is None and claim.path == second
    holder.communicate("", timeout=60)
    assert spool.claim(first) is None and not first.exists()
    claim.release()


def test_a_name_reused_after_delivery_is_not_claimed_through_an_old_handle(tmp_path):
    spool = SpoolDirectory(tmp_path, max_bytes=10_000)
    path = spool.write(segment_name(1, 1, 0), b"first", span_count=1)
    fd = os.open(path, os.O_RDONLY)  # opened by a process just before another delivered and deleted the file
    spool.claim(path).delete()
    assert spool.claim(path) is None
    os.close(fd)


def test_half_written_segments_of_dead_processes_are_removed_at_start(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f".{segment_name(1, 1, 0)}.{dead.stdout.strip()}.tmp"
    mine = tmp_path / f".{segment_name(2, 1, 0)}.{os.getpid()}.tmp"
    orphan.write_bytes(b"half")
    mine.write_bytes(b"being written")
    SpoolDirectory(tmp_path, max_bytes=10_000)
    assert not orphan.exists() and mine.exists()
