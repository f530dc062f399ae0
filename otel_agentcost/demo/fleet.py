"""The simulated fleet: who does what, when, and how it ends, built as data from a start, a number of days and a seed.

Every session exists to put one pattern from the design into the data, so that each report (and each finding)
has something to show:
- `ops-watch`: an idle persistent session whose heartbeats, every 30 minutes, each re-write a 190k-token prompt
  cache that has expired since the last one: about $34 a day with no user call (the design's $35/day case);
- `coder-1`: five sequential tasks in one conversation, each request carrying the earlier tasks' messages, with
  cheap heartbeats in between (a heartbeat session that is not idle);
- `deploy-watch`: hourly polls that nobody tagged as heartbeats (no trigger), as a zero-code agent would send;
- `pm-1`: project monitoring in a trivial lane (one-call gate/dispatch/status units on an expensive model) and a
  heavy lane (multi-step units), cleanly bimodal;
- `coder-2-dayN` / `coder-3-dayN`: coding tasks in every output band ending success, noop, blocked or failed, the
  5k-15k band bailing most (claim denied, blocked on review, lane contention), clustered in the `repo-api` lane;
- six parallel sessions through one gateway, two of which receive another session's messages (cross-session bleed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from otel_agentcost.demo.plan import Call, Fleet, Item, Outcome, SessionPlan, Unit
from otel_agentcost.demo.text import filler

HEARTBEAT_EVERY = timedelta(minutes=30)
HEARTBEAT_PROMPT = "# Heartbeat Checks\nRead HEARTBEAT.md. If nothing needs attention, reply HEARTBEAT_OK."
BAND_EDGES = (5_000, 15_000, 30_000)
BANDS = ("<5k", "5k-15k", "15k-30k", ">30k")
MAX_DAYS = 7  # the session units of heartbeats stay under 5k output tokens up to a week
# Total output tokens of a unit in each band, kept off the edges, and the calls it takes to spend them.
_BAND_OUTPUT = {"<5k": (1_200, 4_400), "5k-15k": (6_000, 14_000), "15k-30k": (16_500, 28_500), ">30k": (32_000, 46_000)}
_BAND_CALLS = {"<5k": 2, "5k-15k": 3, "15k-30k": 5, ">30k": 8}
_SUCCESS_GRADES = {"<5k": (0.55, 0.72), "5k-15k": (0.55, 0.70), "15k-30k": (0.58, 0.74), ">30k": (0.62, 0.78)}
_BAIL_GRADES = (0.20, 0.40)
_FAILED_GRADES = (0.10, 0.25)

SONNET, OPUS, HAIKU = "claude-sonnet-4-6", "claude-opus-4-1", "claude-haiku-4-5"
GPT, GPT_MINI, GPT_SMALL = "gpt-5.4", "gpt-5-mini", "gpt-5.4-mini"

# (band, outcome, reason) of one day's coding tasks in each lane; success when the reason is None.
_API_TASKS = (
    ("<5k", "success", None), ("<5k", "success", None), ("<5k", "success", None),
    ("<5k", "noop", "already fixed upstream"),
    ("5k-15k", "success", None), ("5k-15k", "blocked", "claim denied"), ("5k-15k", "blocked", "blocked on review"),
    ("5k-15k", "noop", "lane contention"),
    ("15k-30k", "success", None), ("15k-30k", "failed", "tests failed"),
    (">30k", "success", None),
)  # fmt: skip
_WEB_TASKS = (
    ("<5k", "success", None), ("<5k", "success", None),
    ("5k-15k", "success", None), ("5k-15k", "blocked", "claim denied"),
    ("15k-30k", "success", None), ("15k-30k", "success", None),
    (">30k", "success", None),
)  # fmt: skip
# The five tasks of coder-1's day: total output tokens, outcome, grade, reason.
_CODER_ONE_TASKS = (
    (3_200, "success", 0.82, None),
    (8_400, "success", 0.74, None),
    (4_400, "success", 0.78, None),
    (17_600, "success", 0.70, None),
    (6_800, "blocked", 0.35, "blocked on review"),
)
# The parallel sessions: id, provider, model, total output tokens, whose messages bleed into it, outcome.
_PARALLEL = (
    ("mail-triage", "openai", GPT, 3_000, None, Outcome("success", 0.82)),
    ("codegen-7", "openai", GPT, 11_000, "mail-triage", Outcome("failed", 0.20, "context from another workflow")),
    ("legal-acme", "anthropic", SONNET, 9_000, None, Outcome("success", 0.72)),
    ("legal-birch", "anthropic", SONNET, 8_000, "legal-acme", Outcome("blocked", 0.30, "ambiguous instructions")),
    ("research-2", "anthropic", SONNET, 20_000, None, Outcome("success", 0.70)),
    ("support-9", "openai", GPT_SMALL, 2_000, None, Outcome("success", 0.85)),
)
_PARALLEL_ROUNDS = 5


def band_of(output_tokens: int) -> str:
    """The band of a unit's total output tokens, as the band-waste report assigns it with the default edges."""
    return BANDS[sum(output_tokens >= edge for edge in BAND_EDGES)]


def build_fleet(start: datetime, days: int, seed: int) -> Fleet:
    """The fleet for `days` simulated days from `start` (timezone-aware); the same arguments give the same fleet."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days={days}: the demo fleet is built for 1 to {MAX_DAYS} simulated days")
    if start.tzinfo is None:
        raise ValueError(f"start={start.isoformat()} must be timezone-aware")
    rng = random.Random(seed)
    end = start + timedelta(days=days)
    sessions = [
        _ops_watch(start, end),
        _coder_one(start, end, rng),
        _deploy_watch(start, end),
        _pm(start, days, rng),
        *_coders(start, days, rng),
        *_parallel(start + timedelta(days=min(1, days - 1), hours=10), rng),
    ]
    return Fleet(start=start, end=end, seed=seed, sessions=tuple(sessions))


def _every(first: datetime, step: timedelta, end: datetime) -> Iterator[datetime]:
    at = first
    while at < end:
        yield at
        at += step


def _ops_watch(start: datetime, end: datetime) -> SessionPlan:
    beats = tuple(
        Call(
            at, "anthropic", SONNET, output_tokens=12, prompt=HEARTBEAT_PROMPT, reply="HEARTBEAT_OK",
            input_tokens=190_200, cache_write_tokens=190_000, trigger="heartbeat", standalone=True,
        )
        for at in _every(start + timedelta(minutes=5), HEARTBEAT_EVERY, end)
    )  # fmt: skip
    return SessionPlan(
        "ops-watch", "ops-1", "ops", "idle: 30-min heartbeats re-write a 190k-token prompt cache, no user call", beats
    )


def _coder_one(start: datetime, end: datetime, rng: random.Random) -> SessionPlan:
    units = tuple(
        _coder_one_task(number, start + timedelta(hours=9 + 1.5 * number), rng, *task)
        for number, task in enumerate(_CODER_ONE_TASKS)
    )
    beats = tuple(
        Call(
            at, "anthropic", HAIKU, output_tokens=12, prompt=HEARTBEAT_PROMPT, reply="HEARTBEAT_OK",
            input_tokens=24_000, cached_tokens=22_000, trigger="heartbeat", standalone=True,
        )
        for at in _every(start + timedelta(minutes=20), HEARTBEAT_EVERY, end)
        if not any(unit.starts_at <= at <= unit.ends_at for unit in units)
    )  # fmt: skip
    items: list[Item] = sorted([*units, *beats], key=_item_start)
    return SessionPlan(
        "coder-1", "coder-1", "coder", "five sequential tasks in one conversation, heartbeats between",
        tuple(items), carry_context=True,
    )  # fmt: skip


def _coder_one_task(
    number: int, at: datetime, rng: random.Random, output: int, outcome: str, grade: float, reason: str | None
) -> Unit:
    task_id = f"T-{101 + number}"
    calls = tuple(
        Call(
            at + timedelta(minutes=4 * step), "anthropic", SONNET, output_tokens=tokens,
            prompt=filler(rng, 1_500, f"{task_id} step {step + 1}: tool output"), reply=f"{task_id}: step done",
            trigger="user",
        )
        for step, tokens in enumerate(_split(output, 4, rng))
    )  # fmt: skip
    return Unit(task_id, "code", None, calls, calls[-1].at + timedelta(minutes=3), Outcome(outcome, grade, reason))


def _deploy_watch(start: datetime, end: datetime) -> SessionPlan:
    polls = tuple(
        Call(at, "openai", GPT_MINI, output_tokens=25, prompt="Any failed deploys since the last check?",
             reply="No failed deploys.", input_tokens=3_000, standalone=True)
        for at in _every(start + timedelta(minutes=45), timedelta(hours=1), end)
    )  # fmt: skip
    return SessionPlan("deploy-watch", "deploy-bot", None, "hourly polls nobody tagged: suspected heartbeats", polls)


def _pm(start: datetime, days: int, rng: random.Random) -> SessionPlan:
    units: list[Item] = []
    kinds = ("gate", "dispatch", "status")
    for day in range(days):
        slots = list(
            _every(start + timedelta(days=day, hours=8), timedelta(minutes=30), start + timedelta(days=day, hours=20))
        )
        heavy = {slots[6]: ("replan", "15k-30k"), slots[15]: ("incident", ">30k")}
        noop_slot = rng.choice(
            [at for index, at in enumerate(slots) if at not in heavy and kinds[index % 3] == "dispatch"]
        )
        for index, at in enumerate(slots):
            number = len(units) + 1
            if at in heavy:
                kind, band = heavy[at]
                blocked = day == 1 and kind == "incident"
                outcome = Outcome("blocked", _grade(rng, _BAIL_GRADES), "blocked on review") if blocked else None
                units.append(_pm_heavy(f"PM-{number}", kind, band, at, rng, outcome))
            else:
                outcome = Outcome("noop", 0.45, "nothing to dispatch") if at == noop_slot else None
                units.append(_pm_trivial(f"PM-{number}", kinds[index % 3], at, rng, outcome))
    return SessionPlan(
        "pm-1", "pm-1", "pm", f"PM lanes on {OPUS}: one-call trivial units, multi-step heavy ones", tuple(units)
    )


def _pm_trivial(task_id: str, kind: str, at: datetime, rng: random.Random, outcome: Outcome | None) -> Unit:
    call = Call(
        at, "anthropic", OPUS, output_tokens=rng.randint(150, 700), prompt=f"{task_id}: {kind} check",
        reply=f"{kind}: done", input_tokens=rng.randint(4_000, 9_000), trigger="schedule",
    )  # fmt: skip
    ending = outcome or Outcome("success", _grade(rng, _SUCCESS_GRADES["<5k"]))
    return Unit(task_id, kind, "pm-trivial", (call,), at + timedelta(minutes=2), ending)


def _pm_heavy(task_id: str, kind: str, band: str, at: datetime, rng: random.Random, outcome: Outcome | None) -> Unit:
    calls = _growing_calls(task_id, at, timedelta(minutes=3), band, rng, "anthropic", OPUS, "reactive", stream=True)
    ending = outcome or Outcome("success", _grade(rng, (0.66, 0.80)))
    return Unit(task_id, kind, "pm-heavy", calls, calls[-1].at + timedelta(minutes=3), ending)


def _coders(start: datetime, days: int, rng: random.Random) -> list[SessionPlan]:
    lanes = (
        ("coder-2", "repo-api", "API", "openai", GPT, _API_TASKS),
        ("coder-3", "repo-web", "WEB", "anthropic", SONNET, _WEB_TASKS),
    )
    sessions = []
    for agent, lane, prefix, provider, model, tasks in lanes:
        number = 0
        for day in range(days):
            at = start + timedelta(days=day, hours=9, minutes=rng.randint(0, 20))
            units = []
            for band, outcome, reason in rng.sample(tasks, len(tasks)):
                number += 1
                task_id = f"{prefix}-{number}"
                calls = _growing_calls(task_id, at, timedelta(minutes=4), band, rng, provider, model, "user")
                ending = Outcome(outcome, _outcome_grade(rng, band, outcome), reason)
                units.append(Unit(task_id, rng.choice(("feature", "bugfix", "refactor")), lane, calls,
                                  calls[-1].at + timedelta(minutes=3), ending))  # fmt: skip
                at = units[-1].ends_at + timedelta(minutes=rng.randint(5, 20))
            shows = "coding tasks in every band; the 5k-15k ones bail most (claims, review, contention)"
            sessions.append(SessionPlan(f"{agent}-day{day + 1}", agent, "coder", shows, tuple(units)))
    return sessions


def _growing_calls(
    task_id: str,
    at: datetime,
    step: timedelta,
    band: str,
    rng: random.Random,
    provider: str,
    model: str,
    trigger: str,
    stream: bool = False,
) -> tuple[Call, ...]:
    """The calls of one multi-step unit: each request is the previous one plus the last step's work, so all but
    the newest part of it is a prompt-cache read."""
    low, high = _BAND_OUTPUT[band]
    input_tokens = rng.randint(12_000, 30_000)
    cached = 0
    calls = []
    for index, tokens in enumerate(_split(rng.randint(low, high), _BAND_CALLS[band], rng)):
        calls.append(Call(
            at + step * index, provider, model, output_tokens=tokens, prompt=f"{task_id}: step {index + 1}",
            reply=f"{task_id}: step {index + 1} done", input_tokens=input_tokens, cached_tokens=cached,
            trigger=trigger, stream=stream,
        ))  # fmt: skip
        cached = input_tokens
        input_tokens += tokens + rng.randint(1_000, 4_000)
    return tuple(calls)


def _parallel(at: datetime, rng: random.Random) -> list[SessionPlan]:
    sessions = []
    for session_id, provider, model, output, bleed_from, outcome in _PARALLEL:
        calls = tuple(
            Call(
                at + timedelta(minutes=3 * round_), provider, model, output_tokens=tokens,
                prompt=filler(rng, 1_000, f"{session_id} round {round_ + 1}"), reply=f"{session_id}: noted",
                trigger="user", borrow_from=bleed_from if round_ else None,
            )
            for round_, tokens in enumerate(_split(output, _PARALLEL_ROUNDS, rng))
        )  # fmt: skip
        shows = "six parallel sessions; two receive another session's messages (bleed)"
        sessions.append(SessionPlan(
            session_id, "assistant-1", "assistant", shows, calls, carry_context=True, outcome=outcome,
            ends_at=calls[-1].at + timedelta(minutes=2),
        ))  # fmt: skip
    return sessions


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` in `parts` positive pieces within 15% of an even share, summing exactly to `total`."""
    weights = [rng.uniform(0.85, 1.15) for _ in range(parts)]
    pieces = [int(total * weight / sum(weights)) for weight in weights]
    pieces[-1] += total - sum(pieces)
    return pieces


def _grade(rng: random.Random, bounds: tuple[float, float]) -> float:
    return round(rng.uniform(*bounds), 2)


def _outcome_grade(rng: random.Random, band: str, outcome: str) -> float:
    if outcome == "success":
        return _grade(rng, _SUCCESS_GRADES[band])
    return _grade(rng, _FAILED_GRADES if outcome == "failed" else _BAIL_GRADES)


def _item_start(item: Item) -> datetime:
    return item.starts_at if isinstance(item, Unit) else item.at
