"""Each dashboard query's latency over generated fleets of 1M and 10M LLM calls in chDB, and its growth.

    python bench/queries.py [--quick] [--out FILE] [--sizes 1000000,10000000] [--runs 3]

Every query in dashboards/ runs through the report runner (the SQL and parameters `otel-agentcost report` sends)
over the fleets of `bench/data.py` (made, or reused from /tmp/agentcost-bench), with the window covering all 30 days
of the fleet and no filter: the worst case of the default `--since 30d`, where every span is read. A query's figure
is the median wall time of `--runs` runs after `--warmups` unmeasured ones (1); growth is the largest fleet's time
over the smallest's (10 = linear in the number of calls).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

from data import BASE, DAYS, ROOT, fleet

from otel_agentcost.reports.queries import query_names
from otel_agentcost.reports.runner import run_query
from otel_agentcost.reports.window import TimeWindow
from otel_agentcost.store import Store

SIZES = (1_000_000, 10_000_000)
QUICK_SIZES = (20_000, 200_000)
WINDOW = TimeWindow(BASE, BASE + timedelta(days=DAYS + 1))


def latency(store: Store, name: str, runs: int, warmups: int) -> tuple[float, int]:
    """The median seconds of `runs` runs of dashboards/<name>.sql after `warmups` runs, and its row count."""
    for _ in range(warmups):
        run_query(store, name, WINDOW)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run_query(store, name, WINDOW)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(rows)


def measure(
    sizes: tuple[int, ...], runs: int, warmups: int, root: Path, names: list[str]
) -> dict[str, dict[int, float]]:
    """Seconds per query and fleet size; the row counts are printed as they come (a sanity check)."""
    seconds: dict[str, dict[int, float]] = {name: {} for name in names}
    for size in sizes:
        with fleet(size, root) as store:
            for name in names:
                seconds[name][size], rows = latency(store, name, runs, warmups)
                print(f"{size:>10,} calls  {name:<22} {seconds[name][size]:8.3f} s  {rows} rows", flush=True)
    return seconds


def table(seconds: dict[str, dict[int, float]], sizes: tuple[int, ...]) -> dict:
    small, large = sizes[0], sizes[-1]
    rows = [
        [name, *(round(by_size[size], 3) for size in sizes), round(by_size[large] / by_size[small], 1)]
        for name, by_size in seconds.items()
    ]
    return {
        "title": "Dashboard queries over generated LLM-call spans (chDB)",
        "columns": ["query", *(f"{_label(size)} calls s" for size in sizes), f"growth {_label(large)}/{_label(small)}"],
        "rows": rows,
        "notes": [
            f"median of the measured runs; window = the fleet's {DAYS} days, no filter (every span read)",
            f"growth: time at {_label(large)} over time at {_label(small)}; {large // small} = linear",
            "fleets from bench/data.py: ~100 calls a session, tasks of 8 calls, 30% heartbeats, 2% duplicate spans",
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end",
        ],
    }


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small fleets (20k, 200k calls), one run each")
    parser.add_argument("--out", type=Path, help="write the JSON table here")
    parser.add_argument("--sizes", help="comma-separated fleet sizes in calls, smallest first")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=1, help="unmeasured runs before the measured ones")
    parser.add_argument("--only", help="comma-separated query names (default: every dashboard query)")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(",")) if args.sizes else QUICK_SIZES if args.quick else SIZES
    names = args.only.split(",") if args.only else query_names()
    seconds = measure(sizes, 1 if args.quick else args.runs, args.warmups, args.root, names)
    result = table(seconds, sizes)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    for row in result["rows"]:
        print(*row, sep="\t")


if __name__ == "__main__":
    main()
