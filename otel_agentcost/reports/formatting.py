"""Numbers as a person reads them, chosen by the column's name, for the terminal table and the web page alike.

The dashboards' SQL names its columns by convention (see dashboards/README.md): `*_usd` is money, `*_share` a
fraction shown as a percentage, `*_tokens`, `calls`, `units` and other integers are counts with thousands
separators, `*grade` a score in [0, 1], `*_minutes` a duration in minutes, `*_at` a UTC time. JSON and CSV keep the
raw values; only people get the rounding.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Headers people know from the design's tables; other columns get their name with spaces.
_TITLES = {
    "noop_blocked": "NOOP + blocked",
    "avg_grade": "Avg grade",
    "session_id": "Session",
    "task_id": "Task",
    "unit_id": "Unit",
    "idle": "Idle",
}


def column_title(column: str) -> str:
    """`wasted_cost_usd` -> `Wasted cost USD`."""
    if column in _TITLES:
        return _TITLES[column]
    words = column.split("_")
    if words[-1] == "usd":
        words[-1] = "USD"
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def is_numeric(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_value(column: str, value: Any) -> str:
    """One cell: `$1,234.56`, `12,345`, `42.1%`, `0.613`, `30.0`, `2026-03-02 09:30`, `yes`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if not is_numeric(value):
        return str(value)
    return _number(column, float(value) if isinstance(value, Decimal) else value)


def _number(column: str, value: float) -> str:
    if column.endswith("_usd"):
        return _money(value)
    if column.endswith("_share"):
        return f"{value:.1%}"
    if column.endswith("grade"):
        return f"{value:.3f}"
    if column.endswith("_minutes"):
        return f"{value:,.1f}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _money(value: float) -> str:
    """Cents for amounts a budget cares about; enough digits to see a per-call cost below a cent."""
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount == 0 or amount >= 0.01:
        return f"{sign}${amount:,.2f}"
    return f"{sign}${amount:.4f}" if amount >= 0.0001 else f"{sign}${amount:.2g}"
