"""A small fleet whose page is known by hand (prices from tests/report_data.py: acme-large $3/$15, acme-small
$0.25/$1.25 per million input/output tokens), and the helpers the page tests share.

Day 1 (2026-03-02): an idle session `s-idle` with 48 heartbeats every 30 minutes on acme-small (20,000 input and
400 output tokens: $0.0055 each, so $0.264 a day, $7.92 a month); a chat session `s-chat` of 1,200 user calls on
acme-small (400/40 tokens: $0.00015 each, $0.18); task T-1 of `s-work` on acme-large (100,000/10,000: $0.45),
blocked ("claim denied"). Day 2: nothing. Day 3: task T-2 of `s-work` on acme-large (20,000/2,000: $0.09), of
which 1,500 input tokens inherited from T-1, a success.
So by model: acme-large 2 calls $0.54 (54.9% of $0.984), acme-small 1,248 calls $0.444 (45.1%); one unit in each
output-token band (T-2 2,000 <5k; T-1 10,000 5k-15k; s-idle 19,200 15k-30k; s-chat 48,000 >30k).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from report_data import BASE, PRICES, Call, Outcome, every, rows

from otel_agentcost.pricing import PriceTable
from otel_agentcost.reports import REPORTS, ReportResult, TimeWindow, run_report
from otel_agentcost.store import Store, open_store
from otel_agentcost.store.schema import init_schema
from otel_agentcost.web import render_page

WINDOW = TimeWindow(BASE, BASE + timedelta(days=3))
EMPTY_WINDOW = TimeWindow(BASE - timedelta(days=30), BASE - timedelta(days=20))
GENERATED_AT = datetime.fromisoformat("2026-03-05T08:00:00+00:00")

FLEET = [
    *(
        Call(at, session="s-idle", trigger="heartbeat", model="acme-small", input_tokens=20_000, output_tokens=400,
             role="pm", agent="pm-1")
        for at in every(BASE, timedelta(minutes=30), 48)
    ),
    *(
        Call(at, session="s-chat", trigger="user", model="acme-small", input_tokens=400, output_tokens=40,
             agent="helper")
        for at in every(BASE + timedelta(hours=1), timedelta(seconds=30), 1_200)
    ),
    Call(BASE + timedelta(hours=2), session="s-work", task="T-1", trigger="user", input_tokens=100_000,
         output_tokens=10_000, role="coder", agent="coder-1"),
    Outcome(BASE + timedelta(hours=3), "blocked", session="s-work", task="T-1", grade=0.4, reason="claim denied"),
    Call(BASE + timedelta(days=2, hours=2), session="s-work", task="T-2", trigger="user", input_tokens=20_000,
         output_tokens=2_000, inherited_tokens=1_500, role="coder", agent="coder-1"),
    Outcome(BASE + timedelta(days=2, hours=3), "success", session="s-work", task="T-2", grade=0.9),
]  # fmt: skip


def fill(directory: Path, prices: Path) -> None:
    """A chDB store in `directory` with the schema, the test prices and FLEET; closed again (serve opens it)."""
    prices.write_text(PRICES)
    with open_store(f"chdb:{directory}") as store:
        init_schema(store, prices=PriceTable.load(prices))
        store.insert_spans(rows(FLEET, "agentcost"))


def results(store: Store, window: TimeWindow) -> list[ReportResult]:
    return [run_report(store, report, window) for report in REPORTS.values()]


def page(store: Store, window: TimeWindow) -> str:
    return render_page(
        results(store, window), title="Agent fleet", store_label=str(store.url), generated_at=GENERATED_AT
    )
