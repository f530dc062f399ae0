"""Attribute values in the collector's stored form: pdata's AsString, checked against values Go itself writes
(ES6 float formatting, json.Marshal for arrays and maps)."""

from __future__ import annotations

import pytest

from otel_agentcost.store.values import attribute_string, format_float


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (1.0, "1"),
        (0.1, "0.1"),
        (2.5e-05, "0.000025"),
        (1e-06, "0.000001"),
        (1e-07, "1e-7"),
        (1.5e-07, "1.5e-7"),
        (1e-100, "1e-100"),
        (123456789.5, "123456789.5"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (-0.0, "-0"),
        (float("nan"), "json: unsupported value: NaN"),
        (float("inf"), "json: unsupported value: +Inf"),
    ],
)
def test_doubles_are_written_as_es6_numbers(value, stored):
    assert format_float(value) == stored


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, "true"),
        (42, "42"),
        (b"\x00\x01", "AAE="),
        (("stop", "length"), '["stop","length"]'),
        ([1.0, 2.5, 1e-5, 1e-7], "[1,2.5,0.00001,1e-7]"),
        (["<tag> & co"], '["\\u003ctag\\u003e \\u0026 co"]'),
        ({"b": 1, "a": [True, None]}, '{"a":[true,null],"b":1}'),
        ([float("nan")], ""),
    ],
)
def test_other_values_follow_pdata(value, stored):
    assert attribute_string(value) == stored
