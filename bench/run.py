"""The one bench command: runs every bench script in its own process and writes bench/RESULTS.md.

    python bench/run.py [--quick] [--only NAME ...] [--results FILE]

Each script (`bench/<name>.py`) takes `--quick` and `--out FILE` and writes JSON
{"title", "columns", "rows", "notes"}; this turns each into a table, under the command that produced it, the date
and the machine (cores, Python, the versions of the packages measured). A script that is missing, fails or writes
no valid JSON is shown as failed with its error, never left out. With `--only`, the other scripts' sections of the
existing results file are kept, each under the date it was run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = ("overhead", "memory", "attribution", "ingest", "engine", "queries", "spool")
PACKAGES = ("otel-agentcost", "openai", "anthropic", "opentelemetry-sdk", "chdb", "clickhouse-connect", "wrapt")
PEER_PACKAGES = (
    "opentelemetry-instrumentation-openai",
    "opentelemetry-instrumentation-anthropic",
    "opentelemetry-instrumentation-openai-v2",
    "openlit",
    "opentelemetry-sdk",
)
TIMEOUT_S = 3600


def run_script(name: str, quick: bool) -> tuple[dict[str, Any] | None, str, float]:
    """(the script's JSON or None, the error when it failed, seconds taken)."""
    script = HERE / f"{name}.py"
    if not script.exists():
        return None, f"missing: {script.relative_to(HERE.parent)} does not exist", 0.0
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / f"{name}.json"
        command = [sys.executable, str(script), *(["--quick"] if quick else []), "--out", str(out)]
        start = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {TIMEOUT_S} s", time.monotonic() - start
        seconds = time.monotonic() - start
        if done.returncode != 0:
            return None, _last_lines(done.stderr or done.stdout, f"exited with {done.returncode}"), seconds
        try:
            found = json.loads(out.read_text())
        except (OSError, ValueError) as error:
            return None, f"wrote no valid JSON to --out ({error})", seconds
    problem = _contract_problem(found)
    return (None, problem, seconds) if problem else (found, "", seconds)


def _last_lines(text: str, fallback: str, count: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-count:])[:600] if lines else fallback


def _contract_problem(found: Any) -> str:
    if not isinstance(found, dict):
        return "its JSON is not an object"
    for key, kind in (("title", str), ("columns", list), ("rows", list), ("notes", list)):
        if not isinstance(found.get(key), kind):
            return f"its JSON lacks {key!r} ({kind.__name__})"
    return ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: list[Any], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _peer_versions() -> str:
    freeze = HERE / ".venv-peers" / "freeze.txt"
    if not freeze.exists():
        return "bench/.venv-peers not set up (bench/peers/setup.sh)"
    pins = dict(line.split("==", 1) for line in freeze.read_text().splitlines() if "==" in line)
    return ", ".join(f"{name} {pins.get(name, 'not installed')}" for name in PEER_PACKAGES)


def machine() -> list[str]:
    versions = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
    return [
        f"- machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- packages: {versions}",
        f"- peers' venv: {_peer_versions()}",
    ]


def section(name: str, found: dict[str, Any] | None, error: str, seconds: float, how: str) -> list[str]:
    title = found["title"] if found else name
    lines = [f"## {name}: {title}", "", f"`python bench/{name}.py{how}` ({seconds:.0f} s, {_now()})", ""]
    if found is None:
        return [*lines, f"**FAILED**: {error}", ""]
    lines += markdown_table(found["columns"], found["rows"])
    notes = [f"- {note}" for note in found["notes"]]
    return [*lines, "", *notes, ""] if notes else [*lines, ""]


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def earlier_sections(results: Path) -> dict[str, list[str]]:
    """The sections of an existing results file by script name, to keep those a partial run (`--only`) left out."""
    if not results.exists():
        return {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in results.read_text().splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].split(":", 1)[0], [])
        if current is not None:
            current.append(line)
    return sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="each script's small run: a smoke check")
    parser.add_argument("--only", nargs="+", choices=SCRIPTS, help="run these scripts only")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    options = parser.parse_args()
    names = options.only or list(SCRIPTS)
    command = "python bench/run.py" + (" --quick" if options.quick else "")
    command += f" --only {' '.join(names)}" if options.only else ""
    kept = {} if options.only is None else earlier_sections(options.results)
    lines = ["# Bench results", "", f"Command: `{command}`", "", f"- date: {_now()}", *machine()]
    if kept:
        lines.append("- sections this command did not run are kept from earlier runs, each under its own date")
    lines.append("")
    failed = []
    sections: dict[str, list[str]] = {}
    for name in names:
        print(f"bench: running {name}", file=sys.stderr)
        found, error, seconds = run_script(name, options.quick)
        if found is None:
            failed.append(name)
            print(f"bench: {name} FAILED: {error}", file=sys.stderr)
        sections[name] = section(name, found, error, seconds, " --quick" if options.quick else "")
    for name in SCRIPTS:
        lines += sections.get(name) or kept.get(name, [])
    options.results.write_text("\n".join(lines))
    print(f"bench: wrote {options.results}" + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
