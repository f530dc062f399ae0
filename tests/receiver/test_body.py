"""Request bodies: size limits before and after decompression, and the content codings OTLP exporters send."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator

import pytest

from otel_agentcost.receiver.body import BodyTooLarge, CorruptBody, UnsupportedEncoding, decompress, read_limited

PAYLOAD = b"otlp " * 1000
MIB = 1024 * 1024


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _never() -> AsyncIterator[bytes]:
    raise AssertionError("the body was read although its declared length is over the limit")
    yield b""  # pragma: no cover


def _read(declared: str | None, chunks: AsyncIterator[bytes], limit: int) -> bytes:
    return asyncio.run(read_limited(declared, chunks, limit))


def test_a_body_within_the_limit_is_read_whole():
    assert _read(None, _chunks(b"ab", b"cd"), 4) == b"abcd"


def test_a_declared_length_over_the_limit_is_refused_without_reading():
    with pytest.raises(BodyTooLarge, match="5 bytes, over the limit of 4 bytes"):
        _read("5", _never(), 4)


def test_a_body_that_grows_past_the_limit_while_read_is_refused():
    with pytest.raises(BodyTooLarge, match="over the limit of 4 bytes"):
        _read(None, _chunks(b"abc", b"de"), 4)


@pytest.mark.parametrize(
    ("coding", "compress"),
    [("gzip", gzip.compress), ("x-gzip", gzip.compress), ("deflate", zlib.compress), ("identity", bytes)],
)
def test_supported_codings_decompress(coding, compress):
    assert decompress(compress(PAYLOAD), coding, MIB) == PAYLOAD


def test_concatenated_gzip_members_decompress_whole():
    assert decompress(gzip.compress(b"one ") + gzip.compress(b"two"), "gzip", MIB) == b"one two"


def test_an_unknown_coding_is_refused_naming_the_supported_ones():
    with pytest.raises(UnsupportedEncoding, match="'br' is not supported; send gzip, deflate or identity"):
        decompress(b"...", "br", MIB)


@pytest.mark.parametrize(
    ("body", "coding", "problem"),
    [
        (b"definitely not gzip", "gzip", "cannot be decompressed"),
        (gzip.compress(PAYLOAD)[:-12], "gzip", "truncated"),
        (zlib.compress(PAYLOAD) + b"junk", "deflate", "trailing data"),
    ],
    ids=["garbage", "truncated", "trailing-data"],
)
def test_a_corrupt_compressed_body_is_refused(body, coding, problem):
    with pytest.raises(CorruptBody, match=problem):
        decompress(body, coding, MIB)


def test_a_gzip_bomb_is_stopped_at_the_limit():
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    bomb = b"".join(compressor.compress(zeros) for _ in range(64)) + compressor.flush()  # 64 MiB of zeros
    assert len(bomb) < MIB / 2
    with pytest.raises(BodyTooLarge, match=f"decompresses to over the limit of {MIB} bytes"):
        decompress(bomb, "gzip", MIB)


def test_a_body_exactly_at_the_limit_is_accepted():
    assert decompress(gzip.compress(bytes(1000)), "gzip", 1000) == bytes(1000)
