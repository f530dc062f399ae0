"""Specification of the price table: what an LLM call costs, which spellings of a model share a price, and how a
user's price file extends or overrides the bundled one.

Expected costs are computed here by hand from the bundled CSV row, read with the csv module rather than through
the code under test, so a wrong row or a wrong formula both show up as a failure.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from otel_agentcost.pricing import PRICES_ENV, PriceFileError, PriceTable

BUNDLED_COLUMNS = [
    "model",
    "provider",
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "source",
    "as_of",
]


def bundled_text() -> str:
    return (resources.files("otel_agentcost") / "data" / "prices.csv").read_text(encoding="utf-8")


def bundled_rows() -> list[dict[str, str]]:
    lines = [line for line in bundled_text().splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def csv_row(model: str) -> dict[str, str]:
    matches = [row for row in bundled_rows() if row["model"] == model]
    assert len(matches) == 1, f"the bundled CSV should have exactly one row for {model}"
    return matches[0]


def usd(row: dict[str, str], column: str) -> float:
    """A per-million-token price from a CSV row; a blank cache price is the input price."""
    return float(row[column] or row["input_per_mtok"])


def write_prices(tmp_path: Path, text: str, name: str = "my-prices.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- arithmetic -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o",
        "gpt-5-mini",
        "claude-sonnet-4-5",
        "gemini-2.5-pro",
        "deepseek-chat",
        "meta-llama/llama-3.3-70b-instruct",
    ],
)
def test_a_call_without_caching_costs_input_and_output_tokens_at_list_price(model):
    row = csv_row(model)
    expected = (1_200 * float(row["input_per_mtok"]) + 350 * float(row["output_per_mtok"])) / 1_000_000

    cost = PriceTable.bundled().cost(model, input_tokens=1_200, output_tokens=350)

    assert cost == pytest.approx(expected, rel=1e-12)


def test_cached_input_is_priced_at_the_cache_read_rate_and_not_again_as_input():
    row = csv_row("gpt-4o")
    assert row["cache_read_per_mtok"], "gpt-4o has a cached-input price on OpenAI's page"
    # 10,000 input tokens of which 8,000 were served from the cache: only 2,000 pay the full input price.
    expected = (
        2_000 * float(row["input_per_mtok"])
        + 8_000 * float(row["cache_read_per_mtok"])
        + 500 * float(row["output_per_mtok"])
    ) / 1_000_000
    table = PriceTable.bundled()

    cached = table.cost("gpt-4o", input_tokens=10_000, output_tokens=500, cache_read_tokens=8_000)

    assert cached == pytest.approx(expected, rel=1e-12)
    assert cached < table.cost("gpt-4o", input_tokens=10_000, output_tokens=500)


def test_anthropic_cache_writes_and_reads_each_cost_their_own_rate():
    row = csv_row("claude-sonnet-4-5")
    # input_tokens counts reads and writes too (GenAI conventions): 12,000 = 2,000 fresh + 6,000 read + 4,000 written.
    expected = (
        2_000 * float(row["input_per_mtok"])
        + 6_000 * float(row["cache_read_per_mtok"])
        + 4_000 * float(row["cache_write_per_mtok"])
        + 700 * float(row["output_per_mtok"])
    ) / 1_000_000

    cost = PriceTable.bundled().cost(
        "claude-sonnet-4-5", input_tokens=12_000, output_tokens=700, cache_read_tokens=6_000, cache_write_tokens=4_000
    )

    assert cost == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("model", ["mistral-large", "gpt-4o"])
def test_cache_tokens_without_a_separate_vendor_price_cost_the_input_price(model):
    row = csv_row(model)
    expected = (
        1_000 * float(row["input_per_mtok"])
        + 3_000 * usd(row, "cache_read_per_mtok")
        + 2_000 * usd(row, "cache_write_per_mtok")
        + 100 * float(row["output_per_mtok"])
    ) / 1_000_000

    cost = PriceTable.bundled().cost(
        model, input_tokens=6_000, output_tokens=100, cache_read_tokens=3_000, cache_write_tokens=2_000
    )

    assert cost == pytest.approx(expected, rel=1e-12)


def test_cache_counts_larger_than_the_input_count_never_make_uncached_input_negative():
    row = csv_row("claude-haiku-4-5")
    expected = 150 * float(row["cache_read_per_mtok"]) / 1_000_000

    cost = PriceTable.bundled().cost("claude-haiku-4-5", input_tokens=100, output_tokens=0, cache_read_tokens=150)

    assert cost == pytest.approx(expected, rel=1e-12)


def test_negative_token_counts_are_refused_with_the_offending_count_named():
    with pytest.raises(ValueError, match="cache_read_tokens"):
        PriceTable.bundled().cost("gpt-4o", input_tokens=10, output_tokens=1, cache_read_tokens=-5)


def test_an_unknown_model_has_no_price_and_no_cost():
    table = PriceTable.bundled()

    assert table.lookup("acme-llm-9000") is None
    assert table.cost("acme-llm-9000", input_tokens=1_000, output_tokens=1_000) is None


# --- model name resolution --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "priced_as"),
    [
        # dated snapshots and vendor aliases
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("o3-2025-04-16", "o3"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5"),
        ("claude-sonnet-4-0", "claude-sonnet-4"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("mistral-large-latest", "mistral-large"),
        # gateway and SDK prefixes
        ("anthropic/claude-sonnet-4", "claude-sonnet-4"),
        ("openrouter/anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
        ("openai/gpt-4o", "gpt-4o"),
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("google/gemini-2.5-flash", "gemini-2.5-flash"),
        ("mistralai/mistral-large", "mistral-large"),
        ("deepseek/deepseek-chat", "deepseek-chat"),
        ("openai/gpt-oss-120b", "gpt-oss-120b"),
        ("meta-llama/Llama-3.3-70B-Instruct", "meta-llama/llama-3.3-70b-instruct"),
        # Vertex AI versions
        ("claude-sonnet-4@20250514", "claude-sonnet-4"),
        ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),
        ("claude-3-5-haiku@20241022", "claude-3-5-haiku"),
        # Bedrock model ids and cross-region inference profiles
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku"),
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),
        ("global.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5"),
        ("openai.gpt-oss-120b-1:0", "gpt-oss-120b"),
    ],
)
def test_sdk_gateway_vertex_and_bedrock_spellings_resolve_to_the_canonical_row(reported, priced_as):
    assert PriceTable.bundled().lookup(reported).model == priced_as


def test_lookup_ignores_case_and_surrounding_whitespace():
    table = PriceTable.bundled()

    assert table.lookup("GPT-4o-Mini").model == "gpt-4o-mini"
    assert table.lookup("  claude-haiku-4-5\n").model == "claude-haiku-4-5"


@pytest.mark.parametrize(
    ("reported", "priced_as"),
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("openai/gpt-4o", "gpt-4o"),
    ],
)
def test_gpt_4o_and_gpt_4o_mini_are_never_confused(reported, priced_as):
    table = PriceTable.bundled()
    assert table.lookup("gpt-4o").input_per_mtok != table.lookup("gpt-4o-mini").input_per_mtok

    assert table.lookup(reported).model == priced_as


@pytest.mark.parametrize("unpriced", ["gpt-4o-mini-search-preview", "gpt-4", "claude-sonnet-4-5-turbo", "gpt-5-codex"])
def test_a_longer_or_shorter_name_is_never_priced_by_a_prefix_match(unpriced):
    assert PriceTable.bundled().lookup(unpriced) is None


def test_a_dated_snapshot_with_its_own_price_is_not_priced_as_its_alias():
    table = PriceTable.bundled()
    row = csv_row("gpt-4o-2024-05-13")

    snapshot = table.lookup("gpt-4o-2024-05-13")

    assert snapshot.model == "gpt-4o-2024-05-13"
    assert snapshot.input_per_mtok == float(row["input_per_mtok"]) != table.lookup("gpt-4o").input_per_mtok


def test_a_provider_prefix_is_kept_when_the_prefixed_id_has_its_own_price(tmp_path):
    path = write_prices(tmp_path, "model,input_per_mtok,output_per_mtok\nopenai/gpt-4o,9,99\n")
    table = PriceTable.load(path)

    assert table.lookup("openai/gpt-4o").input_per_mtok == 9
    assert table.lookup("gpt-4o").input_per_mtok == float(csv_row("gpt-4o")["input_per_mtok"])


def test_the_bundled_table_is_parsed_once_per_process():
    assert PriceTable.bundled() is PriceTable.bundled()


# --- user price files -------------------------------------------------------------------------------------------


def test_a_user_file_replaces_bundled_rows_and_adds_new_models(tmp_path):
    path = write_prices(
        tmp_path,
        "# negotiated rates\n"
        "model,input_per_mtok,output_per_mtok,cache_read_per_mtok,as_of\n"
        "gpt-4o,2.00,8.00,0.20,2026-11-01\n"
        "acme/finetune-7b,0.05,0.10,,\n",
    )

    table = PriceTable.load(path)

    override = table.lookup("gpt-4o")
    assert (override.input_per_mtok, override.output_per_mtok, override.cache_read_per_mtok) == (2.0, 8.0, 0.2)
    assert override.provider == csv_row("gpt-4o")["provider"]
    assert (override.source, override.as_of) == (str(path), "2026-11-01")
    added = table.lookup("acme/finetune-7b")
    assert (added.input_per_mtok, added.output_per_mtok, added.cache_read_per_mtok) == (0.05, 0.10, None)
    assert table.lookup("gpt-4o-mini") == PriceTable.bundled().lookup("gpt-4o-mini")
    assert len(table.rows()) == len(PriceTable.bundled().rows()) + 1


def test_a_user_row_in_other_letter_case_replaces_the_bundled_row_instead_of_shadowing_it(tmp_path):
    path = write_prices(tmp_path, "model,input_per_mtok,output_per_mtok\nGPT-4O,1,2\n")

    table = PriceTable.load(path)

    assert table.lookup("gpt-4o").input_per_mtok == 1
    assert [row.model for row in table.rows() if row.model.casefold() == "gpt-4o"] == ["GPT-4O"]


def test_agentcost_prices_variable_names_the_user_file(tmp_path, monkeypatch):
    path = write_prices(tmp_path, "model,input_per_mtok,output_per_mtok\ngpt-4o,7,70\n")
    monkeypatch.setenv(PRICES_ENV, str(path))

    assert PriceTable.load().lookup("gpt-4o").input_per_mtok == 7


def test_an_explicit_file_wins_over_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(PRICES_ENV, str(write_prices(tmp_path, "model,input_per_mtok,output_per_mtok\ngpt-4o,7,70\n")))
    explicit = write_prices(tmp_path, "model,input_per_mtok,output_per_mtok\ngpt-4o,3,30\n", name="explicit.csv")

    assert PriceTable.load(explicit).lookup("gpt-4o").input_per_mtok == 3


def test_without_a_user_file_load_gives_the_bundled_table(monkeypatch):
    monkeypatch.delenv(PRICES_ENV, raising=False)
    assert PriceTable.load() is PriceTable.bundled()
    monkeypatch.setenv(PRICES_ENV, "")
    assert PriceTable.load() is PriceTable.bundled()


def test_a_quote_inside_a_comment_does_not_swallow_the_rows_after_it(tmp_path):
    path = write_prices(tmp_path, "# the \"team rate\nmodel,input_per_mtok,output_per_mtok\n# it's new\nx-model,1,2\n")

    assert PriceTable.load(path).lookup("x-model").output_per_mtok == 2


HEADER = "model,input_per_mtok,output_per_mtok,cache_read_per_mtok,cache_write_per_mtok,as_of\n"


@pytest.mark.parametrize(
    ("rows", "line", "fragments"),
    [
        ("gpt-4o,2.5,abc,,,\n", 3, ["output_per_mtok", "'abc'", "not a number of USD per million tokens"]),
        ("gpt-4o,-1,10,,,\n", 3, ["input_per_mtok", "'-1'", "negative"]),
        ("gpt-4o,2.5,10,nan,,\n", 3, ["cache_read_per_mtok", "'nan'", "not a number"]),
        ("gpt-4o,2.5,10,,-0.5,\n", 3, ["cache_write_per_mtok", "'-0.5'", "negative"]),
        (",2.5,10,,,\n", 3, ["model is empty"]),
        ("gpt-4o,2.5,,,,\n", 3, ["output_per_mtok is empty"]),
        ("gpt-4o,2.5,10,,,\nGPT-4o,3,12,,,\n", 4, ["model 'GPT-4o'", "already priced on line 3"]),
        ("gpt-4o,2.5,10,,,2026/11/01\n", 3, ["as_of", "'2026/11/01'", "YYYY-MM-DD"]),
        ("gpt-4o,2.5,10,,,,extra\n", 3, ["has 7 fields but the header has 6"]),
    ],
)
def test_every_kind_of_bad_row_is_refused_naming_file_line_column_and_value(tmp_path, rows, line, fragments):
    path = write_prices(tmp_path, "# team prices\n" + HEADER + rows)

    with pytest.raises(PriceFileError) as refused:
        PriceTable.load(path)

    problem = next(p for p in refused.value.problems if p.startswith(f"{path} line {line}:"))
    for fragment in fragments:
        assert fragment in problem


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("model,input_per_mtok\ngpt-4o,1\n", ["line 1 (header)", "required column 'output_per_mtok' is missing"]),
        (
            "model,input_per_mtoken,output_per_mtok\n",
            ["line 1 (header)", "'input_per_mtoken' is not a price file column"],
        ),
        ("model,model,input_per_mtok,output_per_mtok\n", ["line 1 (header)", "'model' appears more than once"]),
        ("# only a comment\n\n", ["has no header line"]),
    ],
)
def test_a_bad_header_is_refused_with_the_fix(tmp_path, text, fragments):
    path = write_prices(tmp_path, text)

    with pytest.raises(PriceFileError) as refused:
        PriceTable.load(path)

    assert all(any(fragment in problem for problem in refused.value.problems) for fragment in fragments)
    assert str(path) in str(refused.value)


def test_a_missing_file_is_refused_and_the_variable_named_as_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(PRICES_ENV, str(tmp_path / "absent.csv"))

    with pytest.raises(PriceFileError, match=rf"absent\.csv: no such file.*{PRICES_ENV}"):
        PriceTable.load()


def test_all_problems_of_a_file_are_listed_at_once_and_nothing_of_it_is_applied(tmp_path):
    path = write_prices(tmp_path, HEADER + "gpt-4o,1,2,,,\nbad-a,x,2,,,\nbad-b,1,-2,,,\nbad-c,1,2,,,soon\n")

    with pytest.raises(PriceFileError) as refused:
        PriceTable.load(path)

    assert [problem.split(":")[0] for problem in refused.value.problems] == [f"{path} line {n}" for n in (3, 4, 5)]
    assert "3 problems" in str(refused.value)
    assert PriceTable.bundled().lookup("gpt-4o").input_per_mtok == float(csv_row("gpt-4o")["input_per_mtok"])


def test_an_agent_with_a_bad_price_file_keeps_going_on_the_bundled_prices_and_logs_every_problem(
    tmp_path, monkeypatch, caplog
):
    path = write_prices(tmp_path, HEADER + "gpt-4o,1,2,,,\nbad-a,x,2,,,\n")
    monkeypatch.setenv(PRICES_ENV, str(path))

    with caplog.at_level("ERROR", logger="otel_agentcost.pricing"):
        table = PriceTable.for_agent()

    assert table is PriceTable.bundled()
    assert f"{path} line 3: input_per_mtok 'x'" in caplog.text
    assert f"otel-agentcost prices --prices {path}" in caplog.text


def test_an_agent_with_a_good_price_file_gets_its_prices(tmp_path):
    path = write_prices(tmp_path, HEADER + "house-model,1,2,,,\n")

    assert PriceTable.for_agent(path).lookup("house-model").output_per_mtok == 2


def test_instrumenting_with_a_bad_price_file_still_instruments(tmp_path, monkeypatch):
    from opentelemetry.sdk.trace import TracerProvider

    from otel_agentcost import AgentCostInstrumentor

    monkeypatch.setenv(PRICES_ENV, str(write_prices(tmp_path, HEADER + "bad,1,-2,,,\n")))
    instrumentor = AgentCostInstrumentor()

    instrumentor.instrument(tracer_provider=TracerProvider())
    try:
        assert instrumentor.is_instrumented_by_opentelemetry
    finally:
        instrumentor.uninstrument()


# --- the bundled file -------------------------------------------------------------------------------------------


def test_the_bundled_file_starts_with_comments_saying_what_it_is_and_how_to_override_it():
    text = bundled_text()
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))

    assert text.startswith("#")
    for fragment in ("USD per million tokens", "AGENTCOST_PRICES", "--prices"):
        assert fragment in comments


def test_the_bundled_file_has_exactly_the_documented_columns():
    header = next(line for line in bundled_text().splitlines() if not line.startswith("#"))
    assert header.split(",") == BUNDLED_COLUMNS


def test_every_bundled_row_is_a_usable_price_with_a_source_page_and_a_date():
    for row in bundled_rows():
        for column in ("input_per_mtok", "output_per_mtok"):
            assert math.isfinite(float(row[column])) and float(row[column]) >= 0, (row["model"], column)
        for column in ("cache_read_per_mtok", "cache_write_per_mtok"):
            assert row[column] == "" or float(row[column]) >= 0, (row["model"], column)
        assert row["provider"], row["model"]
        assert re.fullmatch(r"https://[^\s,]+", row["source"]), row["model"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["as_of"]) and date.fromisoformat(row["as_of"]), row["model"]


def test_no_model_appears_twice_in_the_bundled_file():
    models = [row["model"].casefold() for row in bundled_rows()]
    assert len(models) == len(set(models))


# Anthropic lists Haiku 3's 5-minute cache write at $0.30, not the $0.3125 its 1.25x rule would give.
ANTHROPIC_LISTED_WRITE = {"claude-3-haiku": 0.30}


def test_anthropic_rows_price_cache_writes_at_one_and_a_quarter_times_input():
    rows = [row for row in bundled_rows() if row["provider"] == "anthropic"]
    assert rows
    for row in rows:
        expected = ANTHROPIC_LISTED_WRITE.get(row["model"], 1.25 * float(row["input_per_mtok"]))
        assert float(row["cache_write_per_mtok"]) == pytest.approx(expected), row["model"]
        assert float(row["cache_read_per_mtok"]) < float(row["input_per_mtok"]), row["model"]


@pytest.mark.parametrize(
    "model",
    [
        *("gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini"),
        *("o1", "o3", "o3-mini", "o4-mini", "text-embedding-3-small", "text-embedding-3-large"),
        *("claude-opus-4-5", "claude-opus-4-1", "claude-opus-4", "claude-sonnet-4-5", "claude-sonnet-4"),
        *("claude-haiku-4-5", "claude-3-7-sonnet", "claude-3-5-sonnet", "claude-3-5-haiku", "claude-3-haiku"),
        *("claude-3-opus", "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash"),
        *("mistral-large", "mistral-medium", "mistral-small", "codestral", "deepseek-chat", "deepseek-reasoner"),
        *("meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.1-8b-instruct", "meta-llama/llama-4-maverick"),
        *("qwen/qwen3-coder", "gpt-oss-120b", "gpt-oss-20b"),
    ],
)
def test_the_bundled_table_prices_the_models_agents_commonly_call(model):
    assert PriceTable.bundled().lookup(model).model == model


def test_rows_are_every_bundled_price_ordered_by_provider_then_model():
    rows = PriceTable.bundled().rows()

    assert [(row.provider, row.model) for row in rows] == sorted((r["provider"], r["model"]) for r in bundled_rows())


def test_a_price_cannot_be_changed_after_loading():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PriceTable.bundled().lookup("gpt-4o").input_per_mtok = 0.0
