"""What an exam does with an utterance before it is resolved into tool calls (voice-to-chart's resolve step).

A paused exam ignores everything but controls; a perio exam folds perio values into its
pending grid (one approval at the end, not one per tooth) and hands the rest on.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from core_schema.models import VoiceSession
from voice.exam import grid
from voice.exam.state import ExamMode, ExamStatus, exam_of, locked


def take(s: Session, session_id: uuid.UUID, interpretation: dict[str, Any],
         utterance_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(what is left to resolve, what the exam did) for one interpreted utterance; ``None``: not an open exam."""
    exam = exam_of(s.get(VoiceSession, session_id))
    if exam is None or exam.status != ExamStatus.OPEN:
        return interpretation, None
    if exam.paused:
        return {**interpretation, "proposals": []}, {"ignored": "the exam is paused: say resume to go on"}
    proposals = list(interpretation.get("proposals") or [])
    heard = [p for p in proposals if exam.mode == ExamMode.PERIO and grid.is_grid_proposal(p)]
    if not heard:
        return interpretation, {}
    with locked(s, session_id) as (_, exam):
        if not any(entry.get("utterance_id") == utterance_id for entry in exam.log):  # a resumed run folds once
            filled = [grid.fold(exam, p, utterance_id) for p in heard]
        else:
            filled = []
    return ({**interpretation, "proposals": [p for p in proposals if p not in heard]},
            {"grid_teeth": [t for t in dict.fromkeys(filled) if t]})
