"""Request bodies read under a size limit, before and after decompression.

The limit applies to the bytes received and again to the decompressed bytes, so a small gzip bomb is stopped after
`limit` bytes of output instead of filling memory. Decompression is incremental with a bounded output per step.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

_GZIP_WBITS = 31  # gzip header and trailer
_ZLIB_WBITS = 15  # HTTP "deflate" is the zlib format (RFC 9110)
_CODINGS = {"gzip": _GZIP_WBITS, "x-gzip": _GZIP_WBITS, "deflate": _ZLIB_WBITS}


class BodyTooLarge(Exception):
    """The body, or what it decompresses to, is larger than the receiver's limit."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding the receiver does not decode."""


class CorruptBody(Exception):
    """The compressed body cannot be decompressed."""


async def read_limited(declared_length: str | None, chunks: AsyncIterator[bytes], limit: int) -> bytes:
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        raise BodyTooLarge(f"the body is {declared_length} bytes, over the limit of {limit} bytes")
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"the body is over the limit of {limit} bytes")
    return bytes(body)


def decompress(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    coding = (content_encoding or "identity").strip().lower()
    if coding in ("", "identity", "none"):
        return body
    if coding not in _CODINGS:
        raise UnsupportedEncoding(f"Content-Encoding {coding!r} is not supported; send gzip, deflate or identity")
    try:
        return _inflate(body, _CODINGS[coding], limit)
    except zlib.error as error:
        raise CorruptBody(f"the {coding} body cannot be decompressed: {error}") from None


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    """Decompress every member (gzip allows several, concatenated), never producing more than limit + 1 bytes."""
    out = bytearray()
    while True:
        inflater = zlib.decompressobj(wbits)
        while True:
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise BodyTooLarge(f"the body decompresses to over the limit of {limit} bytes")
            data = inflater.unconsumed_tail
            if inflater.eof or not data:
                break
        if not inflater.eof:
            raise CorruptBody("the compressed body is truncated")
        data = inflater.unused_data
        if not data:
            return bytes(out)
        if wbits != _GZIP_WBITS:
            raise CorruptBody("the compressed body has trailing data after its end")
