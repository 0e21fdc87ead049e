"""A clinic's recordings as a dataset: audio files beside a JSONL, scored like the built-in audio eval.

The recordings are made here with Piper (WAV) and espeak-ng (FLAC) and stored as files, as a
clinic would bring them; the built-in eval synthesises the same sentences itself. Same audio,
same recogniser, same scorers: the figures must be the same.
"""

from __future__ import annotations

import json

import pytest

from core_schema.settings import get_settings
from evals.audio_synth import encode, espeak_available, piper_available, synthesize, wav_bytes
from evals.dataset import load_dataset
from evals.solvers import AsrSolver, AudioSettings, RulesSolver
from evals.task import run_eval
from evals.text_scoring import load_rows
from evals.voice_eval import EvalOptions, run, verdicts
from voice.asr import Transcriber

# an audio suite: the speech model dominates it, the mode adds nothing (tests/conftest.py)
pytestmark = [pytest.mark.skipif(not (piper_available() and espeak_available()), reason="needs Piper and espeak-ng"),
              pytest.mark.ci_embedded_only]

# A handful of spoken rows of the built-in set (ASR on a small CPU is slow): voice -> ids.
VOICES = {"piper-joe": ("find-002", "find-009", "plan-001"), "espeak-us": ("find-001", "dx-004")}
FIGURES = ("n", "command_accuracy", "kind_accuracy", "slot_accuracy", "word_error_rate", "critical_term_error",
           "critical_terms")


@pytest.fixture(scope="module")
def transcriber():
    return Transcriber(model=get_settings().asr_model)  # the recogniser the CLI uses


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """clinic/dictations.jsonl with recordings/<id>.wav (Piper) and .flac (espeak-ng)."""
    folder = tmp_path_factory.mktemp("clinic")
    (folder / "recordings").mkdir()
    rows = {r["id"]: r for r in load_rows()}
    lines = []
    for voice, ids in VOICES.items():
        for row_id in ids:
            row = rows[row_id]
            samples = synthesize(row["text"], voice)
            name = f"recordings/{row_id}." + ("wav" if voice.startswith("piper") else "flac")
            (folder / name).write_bytes(wav_bytes(samples) if name.endswith(".wav") else encode(samples, "flac"))
            lines.append({"id": row_id, "audio": name, "text": row["text"], "notation": row["notation"],
                          **({"context": row["context"]} if row.get("context") else {}),
                          "expected": row["expected"], "tags": [*row["tags"], voice]})
    path = folder / "dictations.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


@pytest.fixture(scope="module")
def builtin(transcriber) -> dict[str, dict]:
    """The built-in audio eval (synthesising the sentences itself), once per voice."""
    return {voice: run(EvalOptions(audio=True, voice=voice, progress=False),
                       rows=[r for r in load_rows() if r["id"] in ids], transcriber=transcriber)
            for voice, ids in VOICES.items()}


def test_recordings_give_the_figures_of_the_builtin_audio_eval(clinic, transcriber, builtin) -> None:
    ds = load_dataset(clinic)
    assert ds.problems == [] and all(s.audio is not None and s.audio.is_file() for s in ds.samples)
    for voice, ids in VOICES.items():
        ref = builtin[voice]
        # The voice setting is irrelevant for rows with a recording: set it wrong on purpose.
        solver = AsrSolver(RulesSolver(), AudioSettings(voice="espeak-gb"), transcriber)
        report = run_eval(ds.subset(ids=list(ids)), [solver], progress=False)
        measures = report["solvers"]["asr"]["measures"]
        assert ref["n"] == len(ids) and ref["latency_ms"]["asr"]["p50"] > 0
        assert set(verdicts(ref)) == {"command_accuracy", "critical_term_error"}
        for figure in FIGURES:
            assert measures[figure] == ref[figure], (voice, figure)
        heard = {r["id"]: r["results"]["asr"]["transcript"] for r in report["rows"]}
        assert heard == {i: t["hypothesis"] for i, t in ref["transcripts"].items()}
        assert [r["results"]["asr"]["correct"] for r in report["rows"]] == [
            r["results"]["asr"]["correct"] for r in ref["rows"]]


def test_cli_runs_a_folder_of_recordings(platform, clinic, tmp_path, builtin) -> None:
    result = platform.cli("eval", "voice", "--dataset", str(clinic), "--report", str(tmp_path), timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "eval-dictations-asr.json").read_text())  # audio rows: the asr solver by default
    assert report["dataset"]["problems"] == [] and report["solvers"]["asr"]["models"]["asr"]
    by_id = {r["id"]: r for r in report["rows"]}
    assert by_id["find-002"]["audio"] == "recordings/find-002.wav" and by_id["dx-004"]["audio"] == "recordings/dx-004.flac"
    for voice in VOICES:
        for row_id, t in builtin[voice]["transcripts"].items():
            assert by_id[row_id]["results"]["asr"]["transcript"] == t["hypothesis"]
    measures = report["solvers"]["asr"]["measures"]
    assert measures["n"] == 5 and measures["word_error_rate"] is not None and measures["critical_term_error"] is not None
