"""The time window every report reads: a half-open interval of UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TimeWindow:
    """The half-open interval [start, end), both UTC-aware."""

    start: datetime
    end: datetime

    def parameters(self) -> dict[str, datetime]:
        """As the `{from:DateTime64(9, 'UTC')}` and `{to:...}` parameters of the dashboards' SQL."""
        return {"from": self.start, "to": self.end}
