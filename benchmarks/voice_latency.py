"""Voice latency: end of speech -> approval request queued, per stage, plus interpreter throughput.

Each synthesised utterance (Piper neural voice, under 6 s) is dictated as a finished audio
file, so the clock starts at the end of speech. Stages come from the run's own step rows:
ASR (transcribe), interpret, resolve, persist and queue (gate + request_approval), and the
rest (audio validation, voice records, run start). The baseline in the same run is the same
pipeline with faster-whisper's default decoding (beam 5); ours uses the configured beam.

Usage: python -m benchmarks.voice_latency [--runs 2] [--beam 1]
"""

from __future__ import annotations

import argparse
import time
import uuid

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


def measure(beam: int, runs: int) -> tuple[list[float], dict[str, list[float]], list[float], int]:
    from sqlalchemy import select

    from core_schema.directory import find_actor
    from core_schema.models import AgentStep
    from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID
    from evals.audio_synth import synthesize_wav
    from workflows import voice
    from workflows.dictation import dictate
    from workflows.runtime import get_engine

    engine = get_engine()
    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        voice.transcriber_for(s, DEMO_TENANT_ID).beam_size = beam
    audio = [synthesize_wav(text) for text in SENTENCES]
    totals: list[float] = []
    stages: dict[str, list[float]] = {k: [] for k in (*STAGES, "other")}
    durations: list[float] = []
    missed = 0  # dictations that did not reach the queue (misheard): counted, not timed
    for r in range(runs + 1):
        for i, wav in enumerate(audio):
            t0 = time.perf_counter()
            out = dictate(engine, dentist, DEMO_PATIENT_IDS[i % 3], audio=wav)
            total = (time.perf_counter() - t0) * 1000
            if r == 0:
                continue  # warm-up round
            if not out["approval_ids"]:
                missed += 1
                continue
            totals.append(total)
            durations.append(out["asr"]["duration_s"])
            with engine.db.tenant_session(DEMO_TENANT_ID) as s:
                steps = s.execute(select(AgentStep.node_name, AgentStep.duration_ms)
                                  .where(AgentStep.execution_id == uuid.UUID(out["run_id"]))).all()
            by_node = {name: ms for name, ms in steps}
            parts = {
                "transcribe": by_node.get("transcribe", 0), "interpret": by_node.get("interpret", 0),
                "resolve": by_node.get("resolve", 0),
                "persist_and_queue": by_node.get("gate", 0) + by_node.get("request_approval", 0),
            }
            for k, v in parts.items():
                stages[k].append(float(v))
            stages["other"].append(total - sum(parts.values()))
    return totals, stages, durations, missed


def interpreter_throughput(seconds: float = 2.0) -> float:
    from agents.interpreter import interpret
    from evals.text_scoring import load_rows

    texts = [r["text"] for r in load_rows()]
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        interpret(texts[n % len(texts)], "FDI")
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="rounds over the sentence set (after one warm-up)")
    parser.add_argument("--beam", type=int, default=None, help="our beam size (default: the transcriber's)")
    args = parser.parse_args()

    from benchmarks._platform import bench_platform, pct

    with bench_platform():
        from agents.asr import Transcriber
        from workflows.runtime import get_engine

        ours_beam = args.beam or Transcriber.__dataclass_fields__["beam_size"].default
        for label, beam in (("baseline (beam 5)", 5), (f"ours (beam {ours_beam})", ours_beam)):
            totals, stages, durations, missed = measure(beam, args.runs)
            print(f"{label}: end of speech -> approval request queued, {len(totals)} dictations "
                  f"({min(durations):.1f}-{max(durations):.1f} s of speech; {missed} misheard, not queued)")
            print(f"  total                p50 {pct(totals, .5):8.1f} ms  p95 {pct(totals, .95):8.1f} ms")
            for name, values in stages.items():
                print(f"  {name:20s} p50 {pct(values, .5):8.1f} ms  p95 {pct(values, .95):8.1f} ms")
        print(f"interpreter throughput: {interpreter_throughput():.0f} utterances/s (one core)")
        get_engine().close()


if __name__ == "__main__":
    main()
