"""Training data for the decoder adaptation: speech, then tiny.en's frozen encoder output.

Why precompute: the encoder is the expensive half of Whisper and it is frozen, so each
utterance is encoded once, exactly as ``voice.asr.decoder.decode_short`` does at run time
(Silero VAD trim with its margin, log-mel, 30 s window, the int8 CTranslate2 encoder), and the
decoder then trains on those outputs in a separate PyTorch venv (``train_decoder.py``).

Texts: the command grammar (``grammar.py``) plus the blind set's dev splits, the controls' tune
rows and the project's own text set. Never the untouched split (nor the tune split, kept for
watching over-fitting): any sentence equal to one of theirs is dropped. Voices: espeak-ng
(accents, variants, speeds, pitches) and, with ``--flite`` (Debian's ``flite``), its four
English voices (awb, rms, slt, kal16) at varied speeds: closer to a human voice than formant
synthesis and still never Piper ``joe``, the eval voice. Half the utterances get seeded clinic
noise at 5 to 20 dB (seeds far from the eval's seed 0).

    .venv/bin/python -m evals.asr_training.prepare --out /work/asr-train-data --grammar 1500 [--flite 0.4]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

from evals.asr_training.grammar import note_sentences, pulpitis_sentences, sentences, spoken
from evals.asr_training.held_out import CONTROLS, held_out_texts, rows
from evals.audio_synth import Voice, make_noise, mix_at_snr, quantize16, synth_espeak
from voice.asr.audio import resample
from voice.asr.decoder import FRAMES_PER_S, RATE, VAD_MARGIN_S, _tokenizer, speech_bounds
from voice.asr.model import load_model
from voice.asr.vocabulary import build_vocabulary

TRAIN_FILES = ("voice_blind_dev.jsonl", "voice_blind_dev2.jsonl", "voice_blind_dev_uk.jsonl",
               "voice_blind_dev_us.jsonl", "voice_blind_dev_vocab.jsonl", "voice_blind_dev_long.jsonl",
               "voice_text.jsonl")
ESPEAK_VOICES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd")
VARIANTS = ("", "+m1", "+m2", "+m3", "+m4", "+m5", "+m7", "+f1", "+f2", "+f3", "+f4", "+klatt", "+klatt2")
FLITE_VOICES = ("awb", "rms", "slt", "kal16")
WINDOW_FRAMES = 3000
NOISE_SEED_BASE = 1_000_000  # the eval mixes noise with seed 0
#: Words read reduced, as espeak-ng phonemes, the way Piper and fast speakers say them and the recogniser
#: then mishears them (issue 19): "irreversible" with its first syllable reduced (espeak's own reading is
#: "I2rI#v'3:sI#b@L"; the "ir-" is lost), and "note" with a glottal t (heard "no"). The target keeps the word.
REDUCED = {
    "irreversible": ("[[@r@v'3:s@b@L]]", "[[@rI#v'3:sI#b@L]]", "[[I#r@v'3:s@b@L]]", "[[I#rI#v'3:sI#b@L]]"),
    "note": ("[[n'oU?]]", "[[n'@U?]]"),
}
REDUCED_SHARE = 0.6
_REDUCIBLE = re.compile(r"\b(" + "|".join(REDUCED) + r")\b", re.IGNORECASE)


def training_texts(n_grammar: int, seed: int) -> list[str]:
    """Grammar sentences and the allowed datasets' sentences, minus any held-out sentence."""
    texts = sentences(n_grammar, seed)
    for name in TRAIN_FILES:
        texts += [str(r["text"]) for r in rows(name)]
    texts += [str(r["text"]) for r in rows(CONTROLS) if r.get("split") == "tune"]
    banned = held_out_texts()
    return list(dict.fromkeys(t.strip() for t in texts if t.strip() and t.strip().lower() not in banned))


def random_voice(rng: random.Random) -> Voice:
    return Voice("train", "espeak", rng.choice(ESPEAK_VOICES) + rng.choice(VARIANTS),
                 rng.randint(120, 200), rng.randint(25, 75))


def synth_flite(text: str, voice: str, stretch: float) -> np.ndarray:
    """flite speech at 16 kHz mono float32; ``stretch`` > 1 speaks slower."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={stretch:.2f}", "-t", text,
                        "-o", str(out)], check=True, capture_output=True, timeout=60)
        with wave.open(str(out), "rb") as w:
            rate, frames = w.getframerate(), w.readframes(w.getnframes())
    return resample(np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0, rate)


def speak(text: str, rng: random.Random, flite_share: float) -> tuple[np.ndarray, str, int]:
    """(audio, voice name, speed) for one training sentence."""
    said = spoken(text, rng)
    if rng.random() < flite_share:
        name, stretch = rng.choice(FLITE_VOICES), rng.uniform(0.85, 1.25)
        return synth_flite(said, name, stretch), f"flite-{name}", round(100 * stretch)
    voice = random_voice(rng)
    return synth_espeak(espeak_text(said, rng), voice), voice.espeak_voice, voice.words_per_minute


def espeak_text(said: str, rng: random.Random) -> str:
    """What espeak-ng reads: the sentence, with its ``REDUCED`` words reduced in ``REDUCED_SHARE`` of them."""
    if rng.random() >= REDUCED_SHARE:
        return said
    return _REDUCIBLE.sub(lambda m: rng.choice(REDUCED[m.group(1).lower()]), said)


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
    parser.add_argument("--flite", type=float, default=0.0, help="share of utterances spoken by flite's voices")
    parser.add_argument("--pulpitis", type=int, default=0, help="pulpitis sentences to add after --limit")
    parser.add_argument("--notes", type=int, default=0, help="clinical notes to add after --limit")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    texts = training_texts(args.grammar, args.seed)
    rng.shuffle(texts)
    texts = texts[: args.limit] if args.limit else texts
    banned = held_out_texts()
    focus = pulpitis_sentences(args.pulpitis, args.seed) + note_sentences(args.notes, args.seed)
    texts += [t for t in dict.fromkeys(focus) if t.lower() not in banned and t not in texts]
    rng.shuffle(texts)
    whisper, _, _, _ = load_model(None, device="cpu", compute_type="int8", cpu_threads=args.threads)
    tok = _tokenizer(whisper)
    prompt_text = build_vocabulary().initial_prompt
    prompt = whisper.get_prompt(tok, tok.encode(" " + prompt_text.strip()), without_timestamps=False)
    args.out.mkdir(parents=True, exist_ok=True)
    enc = np.lib.format.open_memmap(args.out / "encoder.npy", mode="w+", dtype=np.float16,
                                    shape=(len(texts), WINDOW_FRAMES // 2, 384))
    meta: list[dict[str, object]] = []
    for i, text in enumerate(texts):
        audio, voice_name, speed = speak(text, rng, args.flite)
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
        meta.append({"text": text, "voice": voice_name, "wpm": speed,
                     "snr": snr, "prompt": list(prompt), "target": target})
        if i % 25 == 0:  # written as it goes, so a run cut short still leaves usable data
            print(f"{i}/{len(texts)}", file=sys.stderr, flush=True)
            _write_meta(args.out, meta)
    _write_meta(args.out, meta)
    print(f"wrote {len(meta)} utterances to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
