"""The LLM price table: what a call cost, from the model name and its token counts.

The table ships inside the package (`data/prices.csv`) so that costs are known offline, on the machine the agent
runs on, with no network access. Prices go stale and contracts differ, so a user file (`--prices FILE` or
`AGENTCOST_PRICES`) overrides bundled rows and adds models; a broken file is refused whole, with every problem
listed, rather than half-applied, because a silently wrong price corrupts every dashboard downstream.

Model names arrive in many spellings for one price (dated snapshots, Bedrock and Vertex ids, gateway prefixes), so
`PriceTable.lookup` resolves them by stripping only well-known decorations, never by prefix matching: `gpt-4o`
must never price `gpt-4o-mini`.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

PRICES_ENV = "AGENTCOST_PRICES"

_log = logging.getLogger(__name__)

MODEL = "model"
PROVIDER = "provider"
INPUT = "input_per_mtok"
OUTPUT = "output_per_mtok"
CACHE_READ = "cache_read_per_mtok"
CACHE_WRITE = "cache_write_per_mtok"
SOURCE = "source"
AS_OF = "as_of"

COLUMNS = (MODEL, PROVIDER, INPUT, OUTPUT, CACHE_READ, CACHE_WRITE, SOURCE, AS_OF)
PRICE_COLUMNS = (INPUT, OUTPUT, CACHE_READ, CACHE_WRITE)
USER_REQUIRED = (MODEL, INPUT, OUTPUT)
# The bundled file is held to more than a user file: every row must say where its price came from and when.
BUNDLED_REQUIRED = (MODEL, PROVIDER, INPUT, OUTPUT, SOURCE, AS_OF)

_TOKENS_PER_MTOK = 1_000_000
_LOOKUP_CACHE_SIZE = 4096

# Namespaces that gateways and SDKs put before a model id ("openai/gpt-4o", "models/gemini-2.5-pro",
# "openrouter/anthropic/claude-sonnet-4"). `meta-llama/` and `qwen/` are absent on purpose: they are part of the
# hosted ids the table itself uses.
_PREFIX_NAMESPACES = frozenset(
    {
        "openai",
        "anthropic",
        "models",
        "google",
        "publishers",
        "mistralai",
        "mistral",
        "deepseek",
        "deepseek-ai",
        "openrouter",
        "azure",
        "bedrock",
        "vertex_ai",
        "gemini",
        "groq",
        "together_ai",
    }
)
# Bedrock: an optional cross-region inference profile ("us.", "global.", "us-gov.") and the vendor.
_BEDROCK_PREFIX = re.compile(r"^(?:[a-z]{2,6}(?:-[a-z]+)?\.)?(?:anthropic|meta|mistral|deepseek|openai|qwen)\.", re.I)
_VERSION_SUFFIXES = (
    re.compile(r"(?:-v\d+)?@\d{8}$", re.I),  # Vertex: claude-3-5-sonnet-v2@20241022
    re.compile(r"-v?\d+:\d+$", re.I),  # Bedrock: -v2:0, gpt-oss-120b-1:0
    re.compile(r"-\d{4}-\d{2}-\d{2}$"),  # gpt-4o-2024-08-06
    re.compile(r"-\d{8}$"),  # claude-3-5-sonnet-20241022
    re.compile(r"-latest$", re.I),
    re.compile(r"-\d{3,4}$"),  # gpt-3.5-turbo-0125, mistral-large-2411, gemini-2.0-flash-001
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Undated aliases the vendor publishes that no suffix rule can derive.
_VENDOR_ALIASES = {"claude-opus-4-0": "claude-opus-4", "claude-sonnet-4-0": "claude-sonnet-4"}


@dataclass(frozen=True)
class ModelPrice:
    """One model's list price, in USD per million tokens; a `None` cache price means "the input price"."""

    model: str
    provider: str
    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float | None
    cache_write_per_mtok: float | None
    source: str
    as_of: str

    def cost(
        self, *, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0, cache_write_tokens: int = 0
    ) -> float:
        """USD for one call; `input_tokens` includes cached input, as the GenAI conventions count it."""
        if input_tokens < 0 or output_tokens < 0 or cache_read_tokens < 0 or cache_write_tokens < 0:
            # The error names the bad counts; the check itself builds nothing, since it runs on every call.
            counts = {
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "cache_read_tokens": cache_read_tokens,
                "cache_write_tokens": cache_write_tokens,
            }
            negative = {name: value for name, value in counts.items() if value < 0}
            raise ValueError(f"token counts must be zero or more, got {negative}")
        uncached = max(input_tokens - cache_read_tokens - cache_write_tokens, 0)
        read_price = self.input_per_mtok if self.cache_read_per_mtok is None else self.cache_read_per_mtok
        write_price = self.input_per_mtok if self.cache_write_per_mtok is None else self.cache_write_per_mtok
        usd_mtok = (
            uncached * self.input_per_mtok
            + cache_read_tokens * read_price
            + cache_write_tokens * write_price
            + output_tokens * self.output_per_mtok
        )
        return usd_mtok / _TOKENS_PER_MTOK


class PriceFileError(ValueError):
    """A price file that cannot be used; `problems` lists every bad line, each naming file, line and column."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        super().__init__(f"price file {file} was not loaded ({count}):\n" + "\n".join(f"  {p}" for p in problems))


class PriceTable:
    """Model prices keyed by model id, with alias resolution cached per spelling (lookups run on every call)."""

    def __init__(self, prices: Iterable[ModelPrice]) -> None:
        self._prices = {price.model: price for price in prices}
        self._folded = {model.casefold(): price for model, price in self._prices.items()}
        self._lookup = lru_cache(maxsize=_LOOKUP_CACHE_SIZE)(self._resolve)

    @classmethod
    def bundled(cls) -> PriceTable:
        """The table packaged with otel-agentcost, parsed once per process."""
        return _bundled_table()

    @classmethod
    def load(cls, user_file: str | os.PathLike[str] | None = None) -> PriceTable:
        """The bundled table with a user file's rows applied; the file defaults to `AGENTCOST_PRICES`."""
        if user_file is None:
            user_file = os.environ.get(PRICES_ENV) or None
        if user_file is None:
            return cls.bundled()
        return cls.bundled().with_overrides(_read_user_file(user_file))

    @classmethod
    def for_agent(cls, user_file: str | os.PathLike[str] | None = None) -> PriceTable:
        """`load()`, except that a bad user file is logged and the bundled prices used: an agent must not stop, or
        go untraced, over a price file. Nothing is lost meanwhile: spans keep their token counts, and
        `otel-agentcost prices` names every problem of the file."""
        try:
            return cls.load(user_file)
        except PriceFileError as error:
            _log.error(
                "agentcost: %s\ncosts use the bundled prices until it is fixed; check it with: "
                "otel-agentcost prices --prices %s",
                error,
                error.file,
            )
            return cls.bundled()

    def with_overrides(self, prices: Iterable[ModelPrice]) -> PriceTable:
        """A new table where each given price replaces the row of the same model (any case) or is added."""
        merged = {price.model.casefold(): price for price in self._prices.values()}
        for price in prices:
            kept = merged.get(price.model.casefold())
            merged[price.model.casefold()] = replace(price, provider=price.provider or (kept.provider if kept else ""))
        return PriceTable(merged.values())

    def lookup(self, model: str) -> ModelPrice | None:
        """The price for a model id as an SDK, gateway or cloud reports it; `None` when the table lacks it."""
        return self._lookup(model)

    def cost(
        self,
        model: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> float | None:
        """USD for one call of `model`, or `None` when the model has no price."""
        price = self.lookup(model)
        if price is None:
            return None
        return price.cost(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
        )

    def rows(self) -> list[ModelPrice]:
        """Every price, ordered by provider then model, as `otel-agentcost prices` shows and `db init` stores."""
        return sorted(self._prices.values(), key=lambda price: (price.provider, price.model))

    def _resolve(self, model: str) -> ModelPrice | None:
        for candidate in _spellings(model.strip()):
            price = self._prices.get(candidate) or self._folded.get(candidate.casefold())
            if price is not None:
                return price
        return None


def _spellings(model: str) -> Iterator[str]:
    """The id itself, then ever more general forms: each decoration is removed only if the decorated form misses."""
    for unprefixed in _without_prefixes(model):
        for form in _without_suffixes(unprefixed):
            yield form
            alias = _VENDOR_ALIASES.get(form.casefold())
            if alias is not None:
                yield alias


def _without_prefixes(model: str) -> Iterator[str]:
    yield model
    while True:
        bedrock = _BEDROCK_PREFIX.match(model)
        namespace, slash, rest = model.partition("/")
        if bedrock:
            model = model[bedrock.end() :]
        elif slash and rest and namespace.casefold() in _PREFIX_NAMESPACES:
            model = rest
        else:
            return
        yield model


def _without_suffixes(model: str) -> Iterator[str]:
    yield model
    while True:
        for suffix in _VERSION_SUFFIXES:
            shorter = suffix.sub("", model)
            if shorter and shorter != model:
                model = shorter
                break
        else:
            return
        yield model


@cache
def _bundled_table() -> PriceTable:
    text = (resources.files(__package__) / "data" / "prices.csv").read_text(encoding="utf-8")
    return PriceTable(_parse(text, "prices.csv (bundled with otel-agentcost)", BUNDLED_REQUIRED, default_source=""))


def _read_user_file(user_file: str | os.PathLike[str]) -> list[ModelPrice]:
    label = os.fspath(user_file)
    try:
        text = Path(user_file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PriceFileError(label, [f"{label}: no such file; point --prices / {PRICES_ENV} at a CSV file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PriceFileError(label, [f"{label}: cannot be read as UTF-8 text ({error})"]) from None
    return _parse(text, label, USER_REQUIRED, default_source=label)


def _parse(text: str, label: str, required: tuple[str, ...], *, default_source: str) -> list[ModelPrice]:
    """Every row of a price file, or a PriceFileError carrying all of its problems at once."""
    records = _records(text)
    header = next(records, None)
    if header is None:
        raise PriceFileError(label, [f"{label}: has no header line; the first line must be: {','.join(COLUMNS)}"])
    header_line, columns = header
    problems = _header_problems(label, header_line, columns, required)
    if problems:
        raise PriceFileError(label, problems)
    prices: list[ModelPrice] = []
    first_line: dict[str, int] = {}
    for line, cells in records:
        where = f"{label} line {line}"
        if len(cells) > len(columns):
            problems.append(
                f"{where}: has {len(cells)} fields but the header has {len(columns)}; quote values containing commas"
            )
            continue
        values = dict(zip(columns, cells, strict=False))  # a short row leaves its last columns blank
        row_problems = _duplicate_problems(where, values.get(MODEL, ""), line, first_line)
        price = _row(where, values, required, default_source, row_problems)
        problems.extend(row_problems)
        if price is not None and not row_problems:
            prices.append(price)
    if problems:
        raise PriceFileError(label, problems)
    return prices


def _duplicate_problems(where: str, model: str, line: int, first_line: dict[str, int]) -> list[str]:
    """Model ids match case-insensitively in lookups, so two spellings of one id would make one of them unreachable."""
    if not model:
        return []
    earlier = first_line.setdefault(model.casefold(), line)
    if earlier == line:
        return []
    return [f"{where}: model '{model}' is already priced on line {earlier}; keep one row per model"]


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each line, skipping blank ones and '#' comments.

    Lines are parsed one at a time, not as one CSV stream, so that a stray quote in a comment cannot swallow the
    rows after it and every problem is reported on the line the user sees in an editor.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, [cell.strip() for cell in next(csv.reader([line]))]


def _header_problems(label: str, line: int, columns: list[str], required: tuple[str, ...]) -> list[str]:
    where = f"{label} line {line} (header)"
    problems = [
        f"{where}: column '{name}' is not a price file column; columns are {', '.join(COLUMNS)}"
        for name in columns
        if name not in COLUMNS
    ]
    problems += [
        f"{where}: column '{name}' appears more than once"
        for name in sorted({c for c in columns if columns.count(c) > 1})
    ]
    problems += [f"{where}: required column '{name}' is missing" for name in required if name not in columns]
    return problems


def _row(
    where: str, values: dict[str, str], required: tuple[str, ...], default_source: str, problems: list[str]
) -> ModelPrice | None:
    """One row as a ModelPrice, appending what is wrong with it to `problems` instead of stopping at the first."""
    for name in required:
        if not values.get(name):
            problems.append(f"{where}: {name} is empty; every row needs a value there")
    prices = {name: _price(where, name, values.get(name, ""), problems) for name in PRICE_COLUMNS}
    as_of = values.get(AS_OF, "")
    if as_of and not _is_iso_date(as_of):
        problems.append(f"{where}: {AS_OF} '{as_of}' is not a date; write it as YYYY-MM-DD")
    input_price, output_price = prices[INPUT], prices[OUTPUT]
    if problems or input_price is None or output_price is None:
        return None
    return ModelPrice(
        model=values[MODEL],
        provider=values.get(PROVIDER, ""),
        input_per_mtok=input_price,
        output_per_mtok=output_price,
        cache_read_per_mtok=prices[CACHE_READ],
        cache_write_per_mtok=prices[CACHE_WRITE],
        source=values.get(SOURCE) or default_source,
        as_of=as_of,
    )


def _price(where: str, column: str, text: str, problems: list[str]) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(
            f"{where}: {column} '{text}' is not a number of USD per million tokens; write a plain decimal like 2.50"
        )
        return None
    if value < 0:
        problems.append(f"{where}: {column} '{text}' is negative; prices are USD per million tokens, zero or more")
        return None
    return value


def _is_iso_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
