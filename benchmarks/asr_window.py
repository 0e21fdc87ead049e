"""ASR decode settings: encoder window x beam -> accuracy and latency, against today's decode.

Why: tiny.en's encoder always processes 30 s of audio in faster-whisper's ``transcribe``;
the short decoder (``voice.asr.decoder``) trims the utterance with Silero VAD and encodes
a shorter window. A shorter window is only worth having if accuracy holds, so every setting
is scored (WER and critical-term error, ``evals.asr_metrics``) on the same synthesized
sentences as the baseline: the ASR sets (dev, heldout, fresh) spoken by Piper, clean and
with seeded clinic noise at 10 dB. The row ``legacy 30 s / beam 5`` is today's pipeline.

Usage: python -m benchmarks.asr_window [--sets dev,heldout,fresh] [--audio piper_clean,piper_10db]
       [--configs legacy-30-5,short-10-5,...] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

#: label -> (decoder, window seconds, beam, VAD trim[, timestamp tokens])
CONFIGS: dict[str, tuple] = {
    "legacy-30-5": ("legacy", 30.0, 5, False),
    "short-30-5": ("short", 30.0, 5, True),
    "short-20-5": ("short", 20.0, 5, True),
    "short-15-5": ("short", 15.0, 5, True),
    "short-10-5": ("short", 10.0, 5, True),
    "short-8-5": ("short", 8.0, 5, True),
    "short-10-5-novad": ("short", 10.0, 5, False),
    "short-10-2": ("short", 10.0, 2, True),
    "short-10-1": ("short", 10.0, 1, True),
    "legacy-30-1": ("legacy", 30.0, 1, False),
    "short-30-5-novad": ("short", 30.0, 5, False),
    "short-30-5-nots": ("short", 30.0, 5, True, False),
    "short-15-5-nots": ("short", 15.0, 5, True, False),
    "short-10-5-nots": ("short", 10.0, 5, True, False),
}
AUDIO = {"piper_clean": None, "piper_10db": 10.0}


@dataclass
class Row:
    config: str
    audio: str
    n: int
    wer: float
    critical_error: float
    critical: str
    p50_ms: float
    p95_ms: float
    fallbacks: int


def run(sets: list[str], audio: list[str], configs: list[str], limit: int = 0, records: str | None = None) -> list[Row]:
    """Transcribe every sentence under every config (interleaved, so load drifts hit all alike)."""
    from core_schema.stats import percentile
    from evals.asr_metrics import score_corpus, sentence_set
    from evals.audio_synth import synthesize
    from voice.asr import Transcriber

    sentences = [s for name in sets for s in sentence_set(name)]
    if limit:
        sentences = sentences[:limit]
    transcribers = {}
    for label in configs:
        decoder, window, beam, vad, *ts = CONFIGS[label]
        transcribers[label] = Transcriber(decoder=decoder, window_s=window, beam_size=beam, vad_trim=vad,
                                          timestamps=ts[0] if ts else True)
    clips = {a: [synthesize(s, "piper-joe", snr_db=AUDIO[a], seed=1000 + i) for i, s in enumerate(sentences)] for a in audio}
    for tr in transcribers.values():  # warm-up: first calls pay for allocations
        tr.transcribe(clips[audio[0]][0])
    heard: dict[tuple[str, str], list[tuple[str, float, str]]] = {(c, a): [] for c in configs for a in audio}
    for a in audio:
        for clip in clips[a]:
            for label, tr in transcribers.items():
                res = tr.transcribe(clip)
                heard[(label, a)].append((res.text, res.asr_ms, res.decoder))
    if records:
        import json

        with open(records, "w", encoding="utf-8") as fh:
            for (label, a), got in heard.items():
                for ref, (text, ms, decoder) in zip(sentences, got, strict=True):
                    fh.write(json.dumps({"config": label, "audio": a, "ref": ref, "text": text, "asr_ms": ms,
                                         "decoder": decoder}) + "\n")
    rows = []
    for label in configs:
        for a in audio:
            got = heard[(label, a)]
            sc = score_corpus(zip(sentences, (t for t, _, _ in got), strict=True))
            times = [m for _, m, _ in got]
            fallbacks = sum(d == "legacy" for _, _, d in got) if CONFIGS[label][0] == "short" else 0
            rows.append(Row(label, a, sc.pairs, sc.wer, sc.critical_error, f"{sc.critical_missed}/{sc.critical_terms}",
                            percentile(times, 50), percentile(times, 95), fallbacks))
    return rows


def format_rows(rows: list[Row]) -> str:
    lines = ["| config (decoder-window s-beam) | audio | n | WER | critical-term error | ASR p50 ms | ASR p95 ms | fell back |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.config} | {r.audio} | {r.n} | {r.wer:.1%} | {r.critical_error:.1%} ({r.critical}) | "
                     f"{r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.fallbacks} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dev,heldout,fresh")
    parser.add_argument("--audio", default=",".join(AUDIO))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--limit", type=int, default=0, help="first N sentences only")
    parser.add_argument("--records", help="write every transcript here (JSON lines)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows = run(args.sets.split(","), args.audio.split(","), args.configs.split(","), args.limit, args.records)
    print(format_rows(rows))
    print(f"\n({time.perf_counter() - t0:.0f} s; ASR ms = Whisper part incl. VAD, wall clock on this machine)")


if __name__ == "__main__":
    main()
