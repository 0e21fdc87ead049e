"""Training data for the decoder adaptation: speech, then tiny.en's frozen encoder output.

Why precompute: the encoder is the expensive half of Whisper and it is frozen, so each
utterance is encoded once, exactly as ``voice.asr.decoder.decode_short`` does at run time
(Silero VAD trim with its margin, log-mel, 30 s window, the int8 CTranslate2 encoder), and the
decoder then trains on those outputs in a separate PyTorch venv (``train_decoder.py``).

Texts: the command grammar (``grammar.py``) plus the blind set's dev splits, the controls' tune
rows and the project's own text set. Never the untouched split (nor the tune split, kept for
watching over-fitting): any sentence equal to one of theirs is dropped. Voices: espeak-ng only
(accents, variants, speeds, pitches), never Piper ``joe``, the eval voice. Half the utterances
get seeded clinic noise at 5 to 20 dB (seeds far from the eval's seed 0).

    .venv/bin/python -m evals.asr_training.prepare --out /work/asr-train-data --grammar 1500
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from evals.asr_training.grammar import sentences, spoken
from evals.audio_synth import Voice, make_noise, mix_at_snr, quantize16, synth_espeak
from voice.asr.decoder import FRAMES_PER_S, RATE, VAD_MARGIN_S, _tokenizer, speech_bounds
from voice.asr.model import load_model
from voice.asr.vocabulary import build_vocabulary

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
TRAIN_FILES = ("voice_blind_dev.jsonl", "voice_blind_dev2.jsonl", "voice_blind_dev_uk.jsonl",
               "voice_blind_dev_us.jsonl", "voice_blind_dev_vocab.jsonl", "voice_blind_dev_long.jsonl",
               "voice_text.jsonl")
HELD_OUT_FILES = ("voice_blind_untouched.jsonl", "voice_blind_tune.jsonl")
ESPEAK_VOICES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd")
VARIANTS = ("", "+m1", "+m2", "+m3", "+m4", "+m5", "+m7", "+f1", "+f2", "+f3", "+f4", "+klatt", "+klatt2")
WINDOW_FRAMES = 3000
NOISE_SEED_BASE = 1_000_000  # the eval mixes noise with seed 0


def _rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (DATASETS / name).read_text().splitlines() if line.strip()]


def held_out_texts() -> set[str]:
    """Sentences of the splits that must not be trained on (compared, never read by a person)."""
    texts = {str(r["text"]).strip().lower() for name in HELD_OUT_FILES for r in _rows(name)}
    texts |= {str(r["text"]).strip().lower() for r in _rows("voice_blind_controls.jsonl") if r.get("split") != "tune"}
    return texts


def training_texts(n_grammar: int, seed: int) -> list[str]:
    """Grammar sentences and the allowed datasets' sentences, minus any held-out sentence."""
    texts = sentences(n_grammar, seed)
    for name in TRAIN_FILES:
        texts += [str(r["text"]) for r in _rows(name)]
    texts += [str(r["text"]) for r in _rows("voice_blind_controls.jsonl") if r.get("split") == "tune"]
    banned = held_out_texts()
    return list(dict.fromkeys(t.strip() for t in texts if t.strip() and t.strip().lower() not in banned))


def random_voice(rng: random.Random) -> Voice:
    return Voice("train", "espeak", rng.choice(ESPEAK_VOICES) + rng.choice(VARIANTS),
                 rng.randint(120, 200), rng.randint(25, 75))


def _write_meta(out: Path, meta: list[dict[str, object]]) -> None:
    tmp = out / "meta.json.tmp"
    tmp.write_text(json.dumps({"n": len(meta), "frames_per_s": FRAMES_PER_S, "rows": meta}))
    tmp.replace(out / "meta.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--grammar", type=int, default=1500, help="grammar sentences to add")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    texts = training_texts(args.grammar, args.seed)
    rng.shuffle(texts)
    texts = texts[: args.limit] if args.limit else texts
    whisper, _, _, _ = load_model(None, device="cpu", compute_type="int8", cpu_threads=args.threads)
    tok = _tokenizer(whisper)
    prompt_text = build_vocabulary().initial_prompt
    prompt = whisper.get_prompt(tok, tok.encode(" " + prompt_text.strip()), without_timestamps=False)
    args.out.mkdir(parents=True, exist_ok=True)
    enc = np.lib.format.open_memmap(args.out / "encoder.npy", mode="w+", dtype=np.float16,
                                    shape=(len(texts), WINDOW_FRAMES // 2, 384))
    meta: list[dict[str, object]] = []
    for i, text in enumerate(texts):
        voice = random_voice(rng)
        audio = synth_espeak(spoken(text), voice)
        pad = np.zeros(int(0.3 * RATE), dtype=np.float32)
        audio = np.concatenate([pad, audio, pad])
        snr = None if rng.random() < 0.5 else rng.uniform(5, 20)
        if snr is not None:
            audio = mix_at_snr(audio, make_noise(audio.size, NOISE_SEED_BASE + i), snr)
        audio = quantize16(audio)
        bounds = speech_bounds(audio)
        if bounds is None:
            continue
        margin = int(VAD_MARGIN_S * RATE)
        start, end = max(0, bounds[0] - margin), min(audio.size, bounds[1] + margin)
        features = whisper.feature_extractor(audio[start:end])[:, :-1]
        if features.shape[-1] > WINDOW_FRAMES - 50:
            continue
        features = np.pad(features, ((0, 0), (0, WINDOW_FRAMES - features.shape[-1])))
        enc[len(meta)] = np.asarray(whisper.encode(features)).astype(np.float16)[0]
        end_ts = min(1500, round((bounds[1] - start) / RATE / 0.02))
        target = [tok.timestamp_begin, *tok.encode(" " + text), tok.timestamp_begin + end_ts, tok.eot]
        meta.append({"text": text, "voice": voice.espeak_voice, "wpm": voice.words_per_minute,
                     "snr": snr, "prompt": list(prompt), "target": target})
        if i % 25 == 0:  # written as it goes, so a run cut short still leaves usable data
            print(f"{i}/{len(texts)}", file=sys.stderr, flush=True)
            _write_meta(args.out, meta)
    _write_meta(args.out, meta)
    print(f"wrote {len(meta)} utterances to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
