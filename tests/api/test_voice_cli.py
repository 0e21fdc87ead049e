"""The voice command line of voice-contract.md: interpret, interpret --jsonl, transcribe."""

from __future__ import annotations

import json

import pytest

from evals.audio_synth import piper_available, synthesize_wav

# an audio suite: the speech model dominates it, the mode adds nothing (tests/conftest.py)
pytestmark = pytest.mark.ci_embedded_only

CONTRACT_KEYS = {"kind", "proposals", "clarify", "transcript", "interpreter", "latency_ms"}


def test_interpret_text_prints_the_contract_object(platform) -> None:
    result = platform.cli("interpret", "--text", "Caries on the mesial and occlusal of forty six", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == CONTRACT_KEYS and out["interpreter"] == "rules"
    assert out["proposals"][0]["tooth"] == "46" and out["proposals"][0]["surfaces"] == ["M", "O"]


def test_interpret_universal_and_focus(platform) -> None:
    out = json.loads(platform.cli("interpret", "--text", "sixteen is missing", "--notation", "UNIVERSAL", "--json").stdout)
    assert out["proposals"][0]["tooth"] == "28"
    focus = json.loads(platform.cli("interpret", "--text", "distal caries", "--tooth-in-focus", "36", "--json").stdout)
    assert focus["proposals"][0]["tooth"] == "36" and focus["proposals"][0]["from_context"] == ["tooth"]


def test_interpret_jsonl_echoes_ids_one_line_each(platform, tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in [
        {"id": "a", "text": "sixteen occlusal caries"},
        {"id": "b", "text": "sixteen is missing", "notation": "UNIVERSAL"},
        {"id": "c", "text": "pocket depths three two four", "context": {"tooth": "16"}},
    ]) + "\nnot json\n")
    result = platform.cli("interpret", "--jsonl", str(src))
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x.get("id") for x in lines[:3]] == ["a", "b", "c"]
    assert lines[1]["proposals"][0]["tooth"] == "28" and lines[2]["proposals"][0]["tooth"] == "16"
    assert "error" in lines[3]


def test_interpret_needs_exactly_one_input(platform) -> None:
    result = platform.cli("interpret", "--json")
    assert result.returncode != 0 and json.loads(result.stdout) == {"error": "give exactly one of --text, --jsonl or --audio"}


@pytest.mark.skipif(not piper_available(), reason="piper-tts voice not installed")
def test_transcribe_and_interpret_audio(platform, tmp_path) -> None:
    wav = tmp_path / "d.wav"
    wav.write_bytes(synthesize_wav("Mark seventeen as missing"))
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF nonsense")
    result = platform.cli("transcribe", str(wav), str(bad), "--json")
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert result.returncode == 2
    assert set(rows[0]) == {"file", "text", "duration_s", "latency_ms", "model"} and "17" in rows[0]["text"]
    assert rows[1]["file"] == str(bad) and rows[1]["error"]
    out = json.loads(platform.cli("interpret", "--audio", str(wav), "--json").stdout)
    assert out["proposals"][0]["tooth"] == "17" and out["asr"]["model"] == "tiny.en-dental"
