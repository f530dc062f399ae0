"""The `otel-agentcost` entry point: commands, help, and usage errors."""

from __future__ import annotations

import importlib.metadata

from otel_agentcost.cli import main
from otel_agentcost.version import __version__


def test_the_console_script_is_main():
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="otel-agentcost")
    assert script.load() is main


def test_help_lists_every_command_and_exits_0(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert [name for name in ("db", "serve", "prices") if f"    {name} " in out] == ["db", "serve", "prices"]


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"otel-agentcost {__version__}\n"


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def test_an_unknown_command_is_a_usage_error(capsys):
    assert main(["report-everything"]) == 2
    assert "invalid choice: 'report-everything'" in capsys.readouterr().err


def test_db_without_an_action_is_a_usage_error(capsys):
    assert main(["db"]) == 2
    assert "the following arguments are required: ACTION" in capsys.readouterr().err
