"""Over-long or hostile dictations are refused before anything is written; too many commands
in one dictation queue nothing to approve."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core_schema.models import AgentApprovalRequest, VoiceSession, VoiceUtterance
from core_schema.seed.demo import DEMO_PATIENT_IDS
from core_schema.settings import get_settings

# an audio suite: the speech model dominates it, the mode adds nothing (tests/conftest.py)
pytestmark = pytest.mark.ci_embedded_only

# Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN): 120 000 characters is as long as
# `dictate --text` can be given, 30x the default limit.
HUGE = ("sixteen occlusal caries and seventeen is missing. " * 2400)[:120_000]


def _counts(platform) -> tuple[int, int, int]:
    with platform.db.system_session() as s:
        return (s.scalar(select(func.count()).select_from(VoiceSession)),
                s.scalar(select(func.count()).select_from(VoiceUtterance)),
                s.scalar(select(func.count()).select_from(AgentApprovalRequest)))


def _dictate(platform, text: str):
    return platform.cli("dictate", "--text", text, "--patient", str(DEMO_PATIENT_IDS[0]),
                        "--as", "dentist@demo.clinic", "--json", timeout=300)


def test_huge_dictation_is_refused_with_a_clear_error_and_nothing_written(platform) -> None:
    before = _counts(platform)
    result = _dictate(platform, HUGE)
    assert result.returncode == 2, result.stderr
    error = json.loads(result.stdout)["error"]
    assert f"the limit is {get_settings().max_dictation_chars}" in error and "internal error" not in error
    assert "Traceback" not in result.stderr
    assert _counts(platform) == before


def test_escape_codes_only_is_an_empty_dictation(platform) -> None:
    before = _counts(platform)
    result = _dictate(platform, "\x1b[31m\x1b[0m")
    assert result.returncode == 2 and "empty" in json.loads(result.stdout)["error"]
    assert _counts(platform) == before


def test_more_commands_than_the_cap_queue_no_approvals(platform, engine) -> None:
    cap = get_settings().max_proposals_per_dictation
    text = ", ".join(f"{t} is missing" for t in [*range(11, 19), *range(21, 29), *range(31, 39), *range(41, 49)] * 2)
    before = _counts(platform)
    result = _dictate(platform, text)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["kind"] == "clarify" and out["proposals"] == [] and out["approval_ids"] == []
    assert f"at most {cap}" in out["clarify"]["question"]
    assert _counts(platform)[2] == before[2]
