"""The dashboards' SQL: one query per file in `dashboards/`, each with a header that says what it computes.

A query reads only the normalizing views (`agentcost_llm_calls`, `agentcost_work_units(...)`, `agentcost_outcomes`)
and takes ClickHouse `{name:Type}` parameters, always bound, never spliced into the text. Every query may use the
standard parameters, which the runner always supplies:

- `{from:DateTime64(9, 'UTC')}`, `{to:DateTime64(9, 'UTC')}`: the half-open time window;
- `{service:String}`, `{agent:String}` (an agent name or a role), `{model:String}`: filters, where `'*'` means all.

A query's own parameters are declared in its header, one per line, with a JSON default the runner uses when the
user gives none: `-- @param band_edges = [5000,15000,30000] output-token band edges, ascending`. The Grafana
generator reads the same header, so a default lives in one place.

The files ship inside the wheel as `otel_agentcost/dashboards` (see pyproject.toml); in a source checkout (and an
editable install) they are read from the repository's `dashboards/` directory.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

STANDARD_PARAMETERS = ("from", "to", "service", "agent", "model")
ALL = "*"  # the value of a filter parameter that keeps every row

_PLACEHOLDER = re.compile(r"\{(\w+):([^{}]+)\}")
_DECLARATION = re.compile(r"^--\s*@param\s+(\w+)\s*=\s*(\S+)\s*(.*)$")
_PACKAGED = Path(__file__).resolve().parent.parent / "dashboards"
_CHECKOUT = Path(__file__).resolve().parents[2] / "dashboards"


class QueryDefinitionError(ValueError):
    """A dashboards/*.sql file whose header or parameters do not hold together (a bug in the file)."""


@dataclass(frozen=True)
class Parameter:
    """A query's own parameter: its ClickHouse type (from the placeholder) and declared default."""

    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    header: str  # the leading comment, without the `-- ` markers
    placeholders: dict[str, str]  # every `{name:Type}` in the text
    parameters: dict[str, Parameter]  # the declared ones (not the standard ones)

    def bind(self, standard: dict[str, Any], values: dict[str, Any] | None = None) -> dict[str, Any]:
        """The parameters to send: the standard ones and each declared one (its default unless `values` has it),
        limited to the placeholders this query uses (ClickHouse rejects unknown ones on some interfaces)."""
        given = values or {}
        merged = {**{name: p.default for name, p in self.parameters.items()}, **given, **standard}
        return {name: merged[name] for name in self.placeholders}


def dashboards_dir() -> Path:
    """Where the SQL files are: inside the installed package, else the source checkout."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def query_names() -> list[str]:
    return sorted(path.stem for path in dashboards_dir().glob("*.sql"))


@cache
def load_query(name: str) -> Query:
    """The query in `dashboards/<name>.sql`, checked: every placeholder is standard or declared, and back."""
    path = dashboards_dir() / f"{name}.sql"
    if not path.is_file():
        raise QueryDefinitionError(f"no dashboard query {name!r}: {path} does not exist")
    sql = path.read_text(encoding="utf-8")
    header = _header(sql)
    placeholders = {match.group(1): match.group(2).strip() for match in _PLACEHOLDER.finditer(sql)}
    parameters = _declared(path, header, placeholders)
    undeclared = set(placeholders) - set(parameters) - set(STANDARD_PARAMETERS)
    if undeclared:
        raise QueryDefinitionError(f"{path}: parameters {sorted(undeclared)} need an `-- @param NAME = DEFAULT` line")
    text = "\n".join(re.sub(r"^--\s?", "", line) for line in header)
    return Query(name, sql, text, placeholders, parameters)


def _header(sql: str) -> list[str]:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return lines


def _declared(path: Path, header: list[str], placeholders: dict[str, str]) -> dict[str, Parameter]:
    declared = {}
    for line in header:
        match = _DECLARATION.match(line)
        if not match:
            continue
        name, default, description = match.groups()
        if name not in placeholders:
            raise QueryDefinitionError(f"{path}: @param {name} is declared but the query has no {{{name}:Type}}")
        try:
            value = json.loads(default)
        except json.JSONDecodeError:
            raise QueryDefinitionError(f"{path}: the default of @param {name} is not JSON: {default}") from None
        declared[name] = Parameter(name, placeholders[name], value, description)
    return declared
