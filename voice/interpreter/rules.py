"""The deterministic rules interpreter: transcript -> Interpretation (no network, sub-millisecond).

Pipeline: input guard (size, escape codes, control characters) -> guard (system instructions) -> normalise (numbers, ASR repairs) -> tag (teeth,
surfaces, labels, values) -> assemble (anchor/attach, context, catalog codes) -> guards on
the result (questions, small talk) -> Interpretation (at most ``max_proposals_per_dictation``).
"""

from __future__ import annotations

import time

from .assemble import Built, build
from .control import control_of
from .guards import is_injection, is_not_dictation, is_question, is_small_talk
from .input_guard import cap_proposals, clean_dictation_text
from .items import Item
from .models import Clarify, Interpretation, InterpretContext
from .normalize import Tok, has_perio_hint, normalise
from .proposals import bad_tooth_question, summary
from .tagger import tag
from .teeth import normalise_notation

INTERPRETER_NAME = "rules"


def _unsure(proposals: list, items: list[Item]) -> Clarify:  # noqa: ANN001 - Proposal list
    """'root canal on 36, no, 46, I'm not sure': the clinician doubts it, so ask with every tooth said."""
    teeth = list(dict.fromkeys(t for it in items if it.kind == "teeth" for t in it.value))
    options = [summary(p) for p in proposals] + [t for t in teeth if all(t not in p.teeth for p in proposals)]
    return Clarify(question="You did not sound sure. Which did you mean?", options=options + ["cancel"])


def _tooth_and_surface_only(items: list[Item]) -> bool:
    kinds = {it.kind for it in items}
    return {"teeth", "surf"} <= kinds and not kinds & {"neg", "destruct", "label", "perio", "note", "history", "chart"}


def _dropped(toks: list[Tok], items: list[Item], built: Built) -> bool:
    """A question, or talk that is not dictation, though it names commands: nothing is proposed."""
    read_only = all(p.command in ("history.show", "chart.show") for p in built.proposals)
    if (built.proposals or built.clarify) and is_question(toks) and not read_only:
        return True
    said = items[: next((k for k, it in enumerate(items) if it.kind == "note"), len(items))]  # a note's text is free
    return bool(built.proposals and not read_only and is_not_dictation(toks[: said[-1].j] if said else [], said))


def _question(toks: list[Tok], items: list[Item], built: Built, notation: str) -> Clarify | None:
    """The question to ask instead of proposing, if any."""
    if built.clarify is not None and not built.partial:
        return built.clarify
    if built.proposals and any(it.kind == "hedge" for it in items):
        return _unsure(built.proposals, items)
    if built.proposals:
        return None
    bad = next((it for it in items if it.kind == "bad_tooth"), None)
    if bad is not None and not is_small_talk(toks, items):
        # "MOD on tooth ten" (FDI): a number said as a tooth that is not one is asked about, never dropped
        return Clarify(question=bad_tooth_question(bad.said, notation), options=list(bad.value))
    if _tooth_and_surface_only(items):
        # "MOD on tooth ten": something chartable was said, but not what: ask, never drop it
        return Clarify(question="What should be charted on those surfaces?",
                       options=["caries", "restoration", "composite", "amalgam", "cancel"])
    return None


def interpret(text: str, notation: str = "FDI", context: InterpretContext | None = None) -> Interpretation:
    """Interpret one dictated utterance in the clinic's notation, with optional session context.

    Raises ``DictationInputError`` (a ValueError) when the text is over the length limit.
    """
    started = time.perf_counter()
    notation = normalise_notation(notation)
    ctx = context or InterpretContext()
    text = clean_dictation_text(text or "")

    def done(kind: str, proposals: list | None = None, clarify=None, control: dict | None = None) -> Interpretation:  # noqa: ANN001
        return Interpretation(
            kind=kind,
            proposals=proposals or [],
            clarify=clarify,
            control=control,
            transcript=text,
            interpreter=INTERPRETER_NAME,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    if not text.strip() or is_injection(text):
        return done("no_command")
    control = control_of(text, notation, ctx)
    if control is not None:
        return done("control", control=control)
    perio = ctx.perio_mode or has_perio_hint(text)
    toks = normalise(text, ctx.perio_mode)
    items = tag(toks, notation, perio)
    built = build(items, toks, text, notation, ctx, perio)
    if _dropped(toks, items, built):
        return done("no_command")
    clarify = _question(toks, items, built, notation)
    if clarify is not None:
        return done("clarify", clarify=clarify)
    if not built.proposals or is_small_talk(toks, items):
        return done("no_command")
    # partial understanding: the clear commands are proposed, the unclear one asked about (clarify)
    return cap_proposals(done("proposal", built.proposals, clarify=built.clarify if built.partial else None))
