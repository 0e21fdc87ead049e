"""How surely must "reversible" / "irreversible" be heard before a pulpitis is proposed?

Generated pulpitis sentences (random teeth, both polarities, "symptomatic" / "asymptomatic"),
spoken by voices kept apart from every evaluation voice (flite's four, espeak-ng's variants),
half at 10 dB clinic noise, recognised by one model; prints, per (said, heard) polarity, how many
utterances fell in each word-probability band. ``voice.interpreter.doubt`` takes its thresholds
from this table (see ``IRREVERSIBLE_WORD_PROBABILITY``).

``--voice piper-joe`` speaks the same generated sentences in the eval voice instead: a diagnosis of
how the recogniser hears that voice (it is how the lost "ir-" of issue 19 was found), never a source
for a threshold, which would then be fitted to the voice it is judged with.

    .venv/bin/python -m evals.asr_training.polarity_calibration --model tiny.en --n 80 [--voice piper-joe]
"""

from __future__ import annotations

import argparse
import collections
import random

import numpy as np

from evals.asr_training.prepare import FLITE_VOICES, random_voice, synth_flite
from evals.audio_synth import VOICES, make_noise, mix_at_snr, quantize16, synth_espeak, synth_piper
from voice.asr import Transcriber
from voice.asr.lexicon import number_words

BANDS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.3, 0.0)
NOISE_SEED_BASE = 2_000_000  # apart from the eval (0) and the training data (1,000,000)


def sentence(rng: random.Random) -> tuple[str, str]:
    """(polarity said, sentence)."""
    polarity = rng.choice(("reversible", "irreversible"))
    lead = rng.choice(("", "symptomatic ", "asymptomatic ")) if polarity == "irreversible" else ""
    tooth = number_words(int(f"{rng.randint(1, 4)}{rng.randint(1, 8)}"))
    dx = f"{lead}{polarity} pulpitis"
    return polarity, rng.choice((f"{dx} on {tooth}", f"{tooth} {dx}", f"{tooth}, {dx}", f"diagnosis {dx} {tooth}"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--n", type=int, default=80)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--voice", choices=("training", "piper-joe"), default="training",
                    help="training: flite and espeak-ng (calibration); piper-joe: the eval voice (diagnosis only)")
    args = ap.parse_args(argv)
    transcriber, rng = Transcriber(model=args.model, device="cpu"), random.Random(args.seed)
    table: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for i in range(args.n):
        said, text = sentence(rng)
        if args.voice == "piper-joe":
            audio = synth_piper(text, VOICES["piper-joe"])
        elif rng.random() < 0.5:
            audio = synth_flite(text, rng.choice(FLITE_VOICES), rng.uniform(0.9, 1.2))
        else:
            audio = synth_espeak(text, random_voice(rng))
        audio = np.concatenate([np.zeros(4800, np.float32), audio, np.zeros(4800, np.float32)])
        if rng.random() < 0.5:
            audio = mix_at_snr(audio, make_noise(audio.size, NOISE_SEED_BASE + i), 10)
        words = [w for w in transcriber.transcribe(quantize16(audio)).words if "vers" in w.word.lower()]
        if len(words) != 1:
            table[(said, "no single polarity word", "-")] += 1
            continue
        heard = "irreversible" if words[0].word.lower().lstrip(" ,.").startswith("ir") else "reversible"
        band = next(f">= {b}" for b in BANDS if words[0].probability >= b)
        table[(said, heard, band)] += 1
    print(f"model {transcriber.model_name}, voice {args.voice}, {args.n} utterances")
    for (said, heard, band), count in sorted(table.items()):
        print(f"said {said:12}  heard {heard:24}  p {band:7}  {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
