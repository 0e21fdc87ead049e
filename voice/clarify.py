"""A question asked back (``kind: "clarify"``) and its answer, said or clicked, in the next utterance.

The question is kept on the voice session; an answer that is one of its options completes the
first utterance ("caries on tooth ten" -> "Which tooth?" -> "eleven" charts caries on 11), and
"cancel" drops it. Teeth the patient cannot have at their age are never offered (a 42-year-old
gets no primary teeth, a 4-year-old no permanent ones).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from voice.interpreter.normalize import normalise

ADULT_FROM_YEARS = 13  # every primary tooth is normally shed by then
PRIMARY_ONLY_BELOW_YEARS = 6  # before the first permanent molars erupt
CANCEL = "cancel"


def age_on(dob: date | None, today: date) -> int | None:
    if dob is None:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def fits_age(option: str, age: int | None) -> bool:
    """Whether an option that is an FDI tooth fits a patient of ``age`` (anything else fits)."""
    if age is None or not (option.isdigit() and len(option) == 2):
        return True
    primary = option[0] in "5678"
    return not primary if age >= ADULT_FROM_YEARS else primary if age < PRIMARY_ONLY_BELOW_YEARS else True


def fit_to_patient(interpretation: dict[str, Any], age: int | None) -> dict[str, Any]:
    """The interpretation with the clarify options the patient's age rules out removed."""
    clarify = interpretation.get("clarify")
    if not isinstance(clarify, dict) or not clarify.get("options"):
        return interpretation
    options = [o for o in clarify["options"] if fits_age(str(o), age)]
    return {**interpretation, "clarify": {**clarify, "options": options}}


def pending(interpretation: dict[str, Any], transcript: str) -> dict[str, Any] | None:
    """What to keep on the session so the next utterance can answer this one's question."""
    clarify = interpretation.get("clarify")
    if interpretation.get("kind") != "clarify" or not isinstance(clarify, dict) or not clarify.get("options"):
        return None
    return {"transcript": transcript, "options": [str(o) for o in clarify["options"]]}


def answered(question: dict[str, Any] | None, text: str) -> str | None:
    """The utterance to interpret when ``text`` answers ``question``: the first utterance completed
    by the option chosen; "" for cancel; None when ``text`` is no answer (it is read as it is)."""
    if not question:
        return None
    said = [t.norm for t in normalise(text, False) if t.norm.strip(".,!?;:")]
    options = question["options"]
    choice = next((o for o in options if " ".join(said) == o.lower().replace("_", " ")), None)
    if choice is None:  # "tooth eleven", "eleven please": one option named among the words
        named = [o for o in options if o.lower() in said]
        choice = named[0] if len(named) == 1 and len(said) <= 3 else None
    if choice is None:
        return None
    if choice == CANCEL:
        return ""
    if choice.isdigit():  # a tooth: the first utterance, corrected to it
        return f"{question['transcript']}, sorry, {choice}"
    return f"{choice.replace('_', ' ')} {question['transcript']}"
