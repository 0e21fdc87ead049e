"""Numeric CLI options are bounded: a bad number is a usage error (exit 2), never an internal error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args", [
    ("runs", "list", "--limit", "-1"),
    ("runs", "list", "--limit", "0"),
    ("runs", "list", "--limit", "100000"),
    ("eval", "voice", "--limit", "0"),
    ("eval", "voice", "--seed", "-1"),
    ("eval", "voice", "--audio", "--snr", "1e9"),
    ("serve", "--port", "70000"),
    ("worker", "--interval-s", "0"),
])
def test_out_of_range_number_is_a_usage_error(platform, args: tuple[str, ...]) -> None:
    result = platform.cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Invalid value" in result.stderr and "internal error" not in result.stdout + result.stderr


def test_runs_list_accepts_a_limit_in_range(platform) -> None:
    result = platform.cli("runs", "list", "--limit", "1", "--json")
    assert result.returncode == 0, result.stderr
