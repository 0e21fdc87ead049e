"""An exam's state, kept on its voice session (``voice_sessions.meta["exam"]``) so every process sees it.

The row is locked while the state changes (``locked``), so an utterance resolved in a worker
and a control carried out by the API take turns.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.errors import DomainError
from core_schema.models import VoiceSession
from voice.exam.cursor import Cursor, Position, Row


class ExamMode(StrEnum):
    CHARTING = "charting"
    PERIO = "perio"


class ExamStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"


class ExamError(DomainError):
    """An exam that cannot be used as asked (not an exam, finished, another patient's)."""


@dataclass
class ExamState:
    mode: ExamMode
    order: list[Position]
    index: int | None = 0
    status: ExamStatus = ExamStatus.OPEN
    paused: bool = False
    # The position the cursor just left by itself: "bleeding" said right after a tooth's depths belongs there.
    anchor: int | None = None
    grid: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)  # what each heard value changed, for "scratch that"
    approval_ids: list[str] = field(default_factory=list)
    said: list[dict[str, Any]] = field(default_factory=list)  # (utterance, tooth, row, depths) in the order heard

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.order, self.index)

    def moved(self, cursor: Cursor) -> None:
        """Take the cursor's position (and its order: "skip 18" may shorten it)."""
        self.order, self.index = cursor.order, cursor.index

    def snapshot(self) -> dict[str, Any]:
        """What "scratch that" restores."""
        return {"grid": copy.deepcopy(self.grid), "index": self.index, "order": [list(p) for p in self.order],
                "anchor": self.anchor, "said": len(self.said)}

    def restore(self, snap: dict[str, Any]) -> None:
        self.grid, self.index, self.anchor = snap["grid"], snap["index"], snap["anchor"]
        self.order = [(t, Row(r)) for t, r in snap["order"]]
        self.said = self.said[: snap["said"]]

    def as_dict(self) -> dict[str, Any]:
        return {"mode": str(self.mode), "status": str(self.status), "paused": self.paused, "index": self.index,
                "anchor": self.anchor, "order": [[t, str(r)] for t, r in self.order], "grid": self.grid,
                "log": self.log, "approval_ids": self.approval_ids, "said": self.said}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ExamState:
        raw = copy.deepcopy(raw)  # never the loaded JSON itself: changed in place, the row would look unchanged
        return cls(mode=ExamMode(raw["mode"]), status=ExamStatus(raw.get("status", "open")), paused=bool(raw.get("paused")),
                   index=raw.get("index"), anchor=raw.get("anchor"), order=[(t, Row(r)) for t, r in raw.get("order", [])],
                   grid=raw.get("grid") or {}, log=raw.get("log") or [], approval_ids=raw.get("approval_ids") or [],
                   said=raw.get("said") or [])

    def context(self) -> dict[str, Any]:
        """The session context the interpreter reads (tooth in focus, perio mode)."""
        return {"tooth_in_focus": self.cursor.tooth, "perio_mode": self.mode == ExamMode.PERIO}


def exam_of(vs: VoiceSession | None) -> ExamState | None:
    """The exam a voice session holds, if it is one."""
    raw = (vs.meta or {}).get("exam") if vs is not None else None
    return ExamState.from_dict(raw) if raw else None


def save(vs: VoiceSession, exam: ExamState) -> None:
    ctx = exam.context()
    # tooth_in_focus is kept even past the end of the order (the last tooth stays in focus)
    focus = {k: v for k, v in ctx.items() if v is not None}
    vs.meta = {**(vs.meta or {}), **focus, "exam": exam.as_dict()}


@contextmanager
def locked(s: Session, session_id: uuid.UUID, *, open_only: bool = True) -> Iterator[tuple[VoiceSession, ExamState]]:
    """The exam of ``session_id`` under the session row's lock; saved when the block ends without error."""
    vs = s.scalar(select(VoiceSession).where(VoiceSession.id == session_id).with_for_update())
    exam = exam_of(vs)
    if vs is None or exam is None:
        raise ExamError("not_found", f"exam session {session_id} not found in this clinic", 404)
    if open_only and exam.status != ExamStatus.OPEN:
        raise ExamError("exam_finished", f"exam session {session_id} is finished; start a new exam", 409)
    yield vs, exam
    save(vs, exam)
