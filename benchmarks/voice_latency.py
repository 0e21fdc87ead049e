"""Voice latency: end of speech -> approval request queued, per stage; perio exam: end of speech ->
value in the pending grid; plus interpreter throughput.

Each synthesised utterance (Piper neural voice, under 6 s) is dictated as a finished audio
file, so the clock starts at the end of speech. Stages come from the run's own step rows:
ASR (transcribe), interpret, resolve, persist and queue (gate + request_approval), and the
rest (audio validation, voice records, run start). One run measures both pipelines on the same
sentences, interleaved dictation by dictation so that load drifts hit both alike: "baseline"
is today's decode (faster-whisper ``transcribe``, 30 s window, beam 5: ``decoder="legacy"``)
and "new" the clinic transcriber's own settings (short decoder unless overridden).

With ``--model`` (default ``tiny.en-dental``) a third pipeline runs the new settings with that
recogniser, so the chosen recogniser and tiny.en are reported from one run.

Usage: python -m benchmarks.voice_latency [--runs 2] [--beam N] [--window S] [--model NAME]
"""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any

SENTENCES = [
    "Tooth sixteen occlusal caries",
    "Mark seventeen as missing",
    "Irreversible pulpitis on forty six",
    "Plan a root canal on thirty six",
    "Fracture on twenty one",
    "Caries on the mesial and occlusal of forty six",
    "Add a crown on fourteen",
    "Pocket depths three two four on twenty six",
    "Apical abscess on eleven",
    "Plan an extraction of thirty eight",
    "Forty seven is missing and forty six occlusal caries",
    "Watch on fifteen distal",
]
STAGES = ("transcribe", "interpret", "resolve", "persist_and_queue")


Timings = tuple[list[float], dict[str, list[float]], list[float], int]


def measure(settings: dict[str, dict[str, Any]], runs: int) -> dict[str, Timings]:
    """Per label: (totals, per-stage ms, audio seconds, misheard count) for its Transcriber settings."""
    from sqlalchemy import select

    from core_schema.directory import find_actor
    from core_schema.models import AgentStep
    from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID
    from evals.audio_synth import synthesize_wav
    from runtime.process import get_engine
    from voice import brains as voice
    from voice.service import run_dictation as dictate

    engine = get_engine()
    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        transcriber = voice.transcriber_for(s, DEMO_TENANT_ID)
    audio = [synthesize_wav(text) for text in SENTENCES]
    out: dict[str, Timings] = {label: ([], {k: [] for k in (*STAGES, "other")}, [], 0) for label in settings}
    missed = dict.fromkeys(settings, 0)  # dictations that did not reach the queue (misheard): counted, not timed
    for r in range(runs + 1):
        for i, wav in enumerate(audio):
            for label, fields in settings.items():
                for name, value in fields.items():  # the workflow's own transcriber, switched in place
                    setattr(transcriber, name, value)
                t0 = time.perf_counter()
                result = dictate(engine, dentist, DEMO_PATIENT_IDS[i % 3], audio=wav)
                total = (time.perf_counter() - t0) * 1000
                if r == 0:
                    continue  # warm-up round
                if not result["approval_ids"]:
                    missed[label] += 1
                    continue
                totals, stages, durations, _ = out[label]
                totals.append(total)
                durations.append(result["asr"]["duration_s"])
                with engine.db.tenant_session(DEMO_TENANT_ID) as s:
                    steps = s.execute(select(AgentStep.node_name, AgentStep.duration_ms)
                                      .where(AgentStep.execution_id == uuid.UUID(result["run_id"]))).all()
                by_node: dict[str, Any] = {name: ms for name, ms in steps}  # ms (None: a step still waiting)
                parts = {
                    "transcribe": by_node.get("transcribe", 0), "interpret": by_node.get("interpret", 0),
                    "resolve": by_node.get("resolve", 0),
                    "persist_and_queue": by_node.get("gate", 0) + by_node.get("request_approval", 0),
                }
                for k, v in parts.items():
                    stages[k].append(float(v))
                stages["other"].append(total - sum(parts.values()))
    return {label: (*out[label][:3], missed[label]) for label in settings}


PERIO_UTTERANCES = ["three two four", "two two three", "bleeding on the distal", "four three three", "three three two",
                    "two three four", "scratch that", "three two three", "go to thirty six", "four four five"]


def exam_grid_latency(settings: dict[str, dict[str, Any]], runs: int) -> dict[str, list[float]]:
    """Per label: end of speech -> the perio exam's grid holds what was heard (ms), one perio exam per round."""
    from core_schema.directory import find_actor
    from core_schema.seed.demo import DEMO_TENANT_ID
    from evals.audio_synth import synthesize_wav
    from runtime.process import get_engine
    from voice import brains as voice
    from voice.exam import service as exams
    from voice.service import run_dictation as dictate

    engine = get_engine()
    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        transcriber = voice.transcriber_for(s, DEMO_TENANT_ID)
        patient = _bench_patient(s, DEMO_TENANT_ID)
    audio = [synthesize_wav(text) for text in PERIO_UTTERANCES]
    out: dict[str, list[float]] = {label: [] for label in settings}
    for r in range(runs + 1):
        for label, fields in settings.items():
            for name, value in fields.items():
                setattr(transcriber, name, value)
            session = uuid.UUID(exams.start(engine, dentist, patient, "perio")["session_id"])
            for wav in audio:
                t0 = time.perf_counter()
                dictate(engine, dentist, patient, audio=wav, session_id=session)
                if r:  # the first round warms up
                    out[label].append((time.perf_counter() - t0) * 1000)
            exams.finish(engine, dentist, session)
    return out


def _bench_patient(s: Any, tenant_id: uuid.UUID) -> uuid.UUID:
    from core_schema.models import Patient

    row = Patient(tenant_id=tenant_id, first_name="Bench", last_name="Perio")
    s.add(row)
    s.flush()
    return row.id


def interpreter_throughput(seconds: float = 2.0) -> float:
    from evals.text_scoring import load_rows
    from voice.interpreter import interpret

    texts = [r["text"] for r in load_rows()]
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        interpret(texts[n % len(texts)], "FDI")
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="rounds over the sentence set (after one warm-up)")
    parser.add_argument("--beam", type=int, default=None, help="the new pipeline's beam size (default: the transcriber's)")
    parser.add_argument("--window", type=float, default=None, help="the new pipeline's encoder window in seconds")
    parser.add_argument("--model", default="tiny.en-dental",
                        help="a recogniser measured beside tiny.en with the new pipeline's settings (tiny.en: none)")
    args = parser.parse_args()

    from benchmarks._platform import bench_platform
    from core_schema.stats import percentile

    with bench_platform():
        from runtime.process import get_engine
        from voice.asr import Transcriber
        from voice.asr.model import load_model, model_name

        defaults = Transcriber.__dataclass_fields__
        new = {"decoder": "short", "beam_size": args.beam or defaults["beam_size"].default,
               "window_s": args.window or defaults["window_s"].default}
        tiny, tiny_path, _, _ = load_model("tiny.en")
        new_label = f"short decode, {new['window_s']:g} s window, beam {new['beam_size']}"
        settings = {"baseline (tiny.en, legacy decode, 30 s window, beam 5)":
                    {"decoder": "legacy", "beam_size": 5, "_whisper": tiny, "_name": model_name(tiny_path)},
                    f"new (tiny.en, {new_label})": {**new, "_whisper": tiny, "_name": model_name(tiny_path)}}
        if args.model != "tiny.en":  # the same transcriber, its model switched in place like its other settings
            other, other_path, _, _ = load_model(args.model)
            settings[f"new ({model_name(other_path)}, {new_label})"] = {
                **new, "_whisper": other, "_name": model_name(other_path)}
        for label, (totals, stages, durations, missed) in measure(settings, args.runs).items():
            if not totals:
                print(f"{label}: no dictation reached the queue ({missed} misheard)")
                continue
            print(f"{label}: end of speech -> approval request queued, {len(totals)} dictations "
                  f"({min(durations):.1f}-{max(durations):.1f} s of speech; {missed} misheard, not queued)")
            print(f"  total                p50 {percentile(totals, 50):8.1f} ms  p95 {percentile(totals, 95):8.1f} ms")
            for name, values in stages.items():
                print(f"  {name:20s} p50 {percentile(values, 50):8.1f} ms  p95 {percentile(values, 95):8.1f} ms")
        for label, values in exam_grid_latency(settings, args.runs).items():
            print(f"{label}: perio exam, end of speech -> value in the pending grid, {len(values)} utterances")
            print(f"  total                p50 {percentile(values, 50):8.1f} ms  p95 {percentile(values, 95):8.1f} ms")
        print(f"interpreter throughput: {interpreter_throughput():.0f} utterances/s (one core)")
        get_engine().close()


if __name__ == "__main__":
    main()
