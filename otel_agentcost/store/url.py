"""Store URLs: which ClickHouse to use, as one string for `--store` and `AGENTCOST_STORE`.

Accepted forms:
- `chdb:PATH` (also `chdb:///abs/path`): the embedded engine (chDB) on a local directory, created if absent;
- `http://user:password@host:8123/?database=otel` or `https://...`: a ClickHouse server, through clickhouse-connect.
Both take `?database=NAME` (default `otel`). With no URL at all, `AGENTCOST_STORE` is used, else the embedded
default directory `<XDG_DATA_HOME or ~/.local/share>/otel-agentcost/chdb`.

A URL is checked whole before anything is opened, so that a typo is reported as a typo (naming the URL, with its
password masked, and the accepted forms) rather than as a connection failure later.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from otel_agentcost.store.errors import StoreURLError
from otel_agentcost.store.identifiers import IdentifierError, check_identifier

STORE_ENV = "AGENTCOST_STORE"
DEFAULT_DATABASE = "otel"
ACCEPTED_FORMS = "chdb:PATH, http://user:password@host:8123/?database=otel or https://user:password@host:8443/"
_DEFAULT_PORTS = {"http": 8123, "https": 8443}
_QUERY_KEYS = ("database",)
_SCHEMES = ("chdb", *_DEFAULT_PORTS)
# Schemes people reach for that mean one of ours: ClickHouse's native and driver URLs are served over HTTP here.
_SCHEME_ALIASES = {"clickhouse": "http", "ch": "http", "tcp": "http", "native": "http", "file": "chdb"}
_HOST_PORT = re.compile(r"[A-Za-z0-9.\-]+:\d+/?")
_NATIVE_PORT = re.compile(r":(?:9000|9440)\b")


@dataclass(frozen=True)
class StoreURL:
    """A parsed store URL. `path` is set for chdb, `host`/`port` for http(s); `str()` masks the password."""

    scheme: str  # chdb, http or https
    database: str = DEFAULT_DATABASE
    path: str | None = None
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None

    @property
    def embedded(self) -> bool:
        return self.scheme == "chdb"

    def __str__(self) -> str:
        query = "" if self.database == DEFAULT_DATABASE else f"?database={self.database}"
        if self.embedded:
            return f"chdb:{self.path}{query}"
        user = quote(self.username or "", safe="")
        credentials = f"{user}:***@" if self.password else (f"{user}@" if user else "")
        return f"{self.scheme}://{credentials}{self.host}:{self.port}/{query}"


def default_store_url() -> str:
    """`AGENTCOST_STORE` when set, else the embedded default directory."""
    from_env = os.environ.get(STORE_ENV, "").strip()
    if from_env:
        return from_env
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"chdb:{Path(data_home) / 'otel-agentcost' / 'chdb'}"


def parse_store_url(url: str | None = None) -> StoreURL:
    """The StoreURL for `url` (default: `default_store_url()`), or a StoreURLError naming what is wrong."""
    text = (url if url is not None else default_store_url()).strip()
    scheme, colon, _ = text.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in _SCHEMES:
        problem = f"unknown scheme {scheme!r}" if colon and "//" not in scheme else "no scheme"
        raise _error(text, problem, _respelled(text))
    if scheme == "chdb":
        return _parse_chdb(text)
    return _parse_server(text)


def _parse_chdb(text: str) -> StoreURL:
    location, _, query = text[len("chdb:") :].partition("?")
    if location.startswith("//"):
        if not location.startswith("///"):
            raise _error(text, "a chdb URL with // must be chdb:///absolute/path")
        location = location[2:]
    if not location:
        raise _error(text, "the chdb directory path is missing")
    path = os.path.abspath(os.path.expanduser(unquote(location)))
    return StoreURL(scheme="chdb", path=path, database=_database(text, query))


def _parse_server(text: str) -> StoreURL:
    parts = urlsplit(text)
    default_port = _DEFAULT_PORTS[parts.scheme.lower()]
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        problem = f"the port is not a number from 1 to 65535 (ClickHouse's {parts.scheme} port is {default_port})"
        raise _error(text, problem)
    if not parts.hostname:
        rest = text.partition(":")[2].lstrip("/")
        raise _error(text, "the host is missing", f"{parts.scheme}://{rest}" if rest else None)
    if parts.path not in ("", "/"):
        raise _error(text, f"unexpected path {parts.path!r}; name the database with ?database=NAME")
    if parts.fragment:
        raise _error(text, "unexpected #fragment")
    return StoreURL(
        scheme=parts.scheme.lower(),
        host=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        database=_database(text, parts.query),
    )


def _database(text: str, query: str) -> str:
    options = parse_qsl(query, keep_blank_values=True)
    unknown = sorted({key for key, _ in options if key not in _QUERY_KEYS})
    if unknown:
        raise _error(text, f"unknown option(s) {', '.join(unknown)}; the only option is ?database=NAME")
    database = dict(options).get("database", DEFAULT_DATABASE)
    try:
        return check_identifier("database", database)
    except IdentifierError as error:
        raise _error(text, str(error)) from None


def _respelled(text: str) -> str | None:
    """What a URL with a missing or misspelt scheme most likely meant: `chbd:x` -> `chdb:x`,
    `clickhouse//ch:8123` -> `http://ch:8123`, `ch:8123` -> `http://ch:8123`, `/var/lib/x` -> `chdb:/var/lib/x`."""
    if text.lower() in _SCHEMES:
        return "chdb:PATH" if text.lower() == "chdb" else f"{text.lower()}://host:{_DEFAULT_PORTS[text.lower()]}/"
    head, colon, rest = text.partition(":")
    if not colon or "//" in head:
        head, slashes, rest = text.partition("//")
        if not slashes:
            return f"chdb:{text}" if text.startswith(("/", "~", ".")) else None
        return _server_url(_scheme_for(head) or "http", rest)
    if _HOST_PORT.fullmatch(text):
        return f"http://{text}"
    scheme = _scheme_for(head)
    if scheme is None:
        return None
    if scheme == "chdb":
        return f"chdb:{rest.removeprefix('//')}" if rest.startswith("///") or not rest.startswith("//") else None
    return _server_url(scheme, rest.lstrip("/"))


def _server_url(scheme: str, rest: str) -> str:
    """`scheme://rest`, with ClickHouse's native-protocol ports (9000, 9440) swapped for its HTTP ones."""
    return f"{scheme}://{_NATIVE_PORT.sub(lambda found: f':{_DEFAULT_PORTS[scheme]}', rest)}"


def _scheme_for(word: str) -> str | None:
    word = word.lower()
    if word in _SCHEME_ALIASES:
        return _SCHEME_ALIASES[word]
    close = difflib.get_close_matches(word, _SCHEMES, n=1, cutoff=0.5)
    return close[0] if close else None


def _error(text: str, problem: str, suggestion: str | None = None) -> StoreURLError:
    meant = f" Did you mean {mask_password(suggestion)!r}?" if suggestion and suggestion != text else ""
    return StoreURLError(f"bad store URL {mask_password(text)!r}: {problem}.{meant} Accepted forms: {ACCEPTED_FORMS}")


def mask_password(text: str) -> str:
    """`text` with the password of a `scheme://user:password@host` URL replaced by ***, also when the scheme is
    misspelt or its colon missing (`clickhouse//user:password@host`), as in the URLs a typo error quotes."""
    scheme, sep, rest = text.partition("//")
    if not sep:
        return text
    head, question, query = rest.partition("?")
    credentials, at, location = head.rpartition("@")
    if not at or ":" not in credentials:
        return text
    user = credentials.partition(":")[0]
    return f"{scheme}//{user}:***@{location}{question}{query}"
