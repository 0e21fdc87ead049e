"""Start, read and finish an exam session: the faces (CLI, HTTP, live socket) call only this.

Finishing a perio exam proposes the whole grid as one ``record_perio_measurements`` call, so a
full-mouth pass is one approval request that the reviewer checks, edits per tooth and approves
once; nothing reaches the chart before that.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from approvals import chart_change
from core_schema.directory import Actor, require_patient
from core_schema.encounters import open_encounter
from core_schema.errors import InvalidInput
from core_schema.models import AgentApprovalRequest, AgentExecution, TenantSetting, VoiceSession
from core_schema.statuses import ApprovalStatus
from tools.clinical.chart import GONE_STATUSES, current_chart
from tools.executor import Call
from voice.exam import controls, grid
from voice.exam.cursor import Row, exam_order
from voice.exam.state import ExamError, ExamMode, ExamState, ExamStatus, exam_of, locked, save
from workflows.engine import Engine

PERIO_TOOL = "record_perio_measurements"


def start(engine: Engine, actor: Actor, patient_id: uuid.UUID, mode: str = "charting", channel: str = "BROWSER") -> dict[str, Any]:
    """Open an exam for the patient; ``{"session_id", "mode", "cursor"}`` (voice contract)."""
    require_patient(actor.tenant_id, patient_id)
    try:
        exam_mode = ExamMode(str(mode).lower())
    except ValueError:
        raise InvalidInput(f"unknown exam mode {mode!r}: use perio or charting") from None
    with engine.db.tenant_session(actor.tenant_id) as s:
        _, chart = current_chart(s, actor.tenant_id, patient_id)
        missing = {t for t, entry in chart["teeth"].items() if entry.get("status") in GONE_STATUSES}
        options = s.scalar(select(TenantSetting.clinical_workflow_options).where(TenantSetting.tenant_id == actor.tenant_id)) or {}
        order = exam_order(missing, options.get("perio_exam_order"))
        if exam_mode == ExamMode.CHARTING:  # one stop per tooth, in the same walk
            order = [(t, Row.BUCCAL) for t in dict.fromkeys(t for t, _ in order)]
        encounter = open_encounter(s, actor.tenant_id, patient_id)
        vs = VoiceSession(tenant_id=actor.tenant_id, user_id=actor.user_id, patient_id=patient_id,
                          encounter_id=encounter.id if encounter else None, channel=channel, input_locale="en-US",
                          asr_language="en", meta={})
        exam = ExamState(mode=exam_mode, order=order)
        save(vs, exam)
        s.add(vs)
        s.flush()
        return {"session_id": str(vs.id), "mode": str(exam_mode), "cursor": exam.cursor.as_dict()}


def view(engine: Engine, actor: Actor, session_id: uuid.UUID) -> dict[str, Any]:
    """The exam as the chart page shows it: cursor, pause, the pending grid, what is still pending."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        vs = s.get(VoiceSession, session_id)
        exam = exam_of(vs)
        if vs is None or exam is None:
            raise ExamError("not_found", f"exam session {session_id} not found in this clinic", 404)
        return {"session_id": str(session_id), "patient_id": str(vs.patient_id), **summary(exam),
                "approval_ids": _pending_ids(s, session_id)}


def control(engine: Engine, actor: Actor, session_id: uuid.UUID, action: dict[str, Any]) -> dict[str, Any]:
    """A control given by key, pedal or button instead of by voice (the same rights and the same answer)."""
    if state_of(engine, actor.tenant_id, session_id) is None:
        raise ExamError("not_found", f"exam session {session_id} not found in this clinic", 404)
    result = controls.carry_out(engine, actor, session_id, action)
    exam = state_of(engine, actor.tenant_id, session_id)
    return {"control": result, "exam": summary(exam) if exam else None}


def state_of(engine: Engine, tenant_id: uuid.UUID, session_id: uuid.UUID) -> ExamState | None:
    """The session's exam, or None for a plain voice session."""
    with engine.db.tenant_session(tenant_id) as s:
        return exam_of(s.get(VoiceSession, session_id))


def summary(exam: ExamState) -> dict[str, Any]:
    """What a client needs after each utterance: where the cursor is and what the grid holds."""
    return {"mode": str(exam.mode), "status": str(exam.status), "paused": exam.paused, "cursor": exam.cursor.as_dict(),
            "grid": exam.grid, "said": exam.said[-30:]}


def finish(engine: Engine, actor: Actor, session_id: uuid.UUID) -> dict[str, Any]:
    """Close the exam; a perio grid becomes one approval request. ``{"session_id", "approval_ids", "proposals"}``."""
    with engine.db.tenant_session(actor.tenant_id) as s, locked(s, session_id) as (vs, exam):
        entries = grid.tool_entries(exam) if exam.mode == ExamMode.PERIO else []
        patient_id, encounter_id = vs.patient_id, vs.encounter_id
        if entries:
            args = {"patient_id": str(patient_id), "teeth": entries,
                    **({"encounter_id": str(encounter_id)} if encounter_id else {})}
            refused = engine.executor.validate(Call(tool=PERIO_TOOL, args=args, tenant_id=actor.tenant_id,
                                                    user_id=actor.user_id, idempotency_key=f"exam:{session_id}:check"))
            if refused:
                raise InvalidInput(f"the perio grid cannot be proposed: {refused}; correct it by voice and finish again")
        exam.status = ExamStatus.FINISHED
        vs.ended_at = datetime.now(timezone.utc)
    proposals: list[dict[str, Any]] = []
    if entries:
        run = chart_change.propose(engine, tenant_id=actor.tenant_id, user_id=actor.user_id, calls=[(PERIO_TOOL, args)],
                                   patient_id=patient_id, encounter_id=encounter_id, voice_session_id=session_id)
        proposals.append({"command": "perio.record", "tool": PERIO_TOOL, "teeth": [e["tooth"] for e in entries],
                          "values": {"grid": exam.grid}, "run_id": str(run.execution_id)})
    with engine.db.tenant_session(actor.tenant_id) as s:
        pending = _pending_ids(s, session_id)
        with locked(s, session_id, open_only=False) as (_, exam):
            exam.approval_ids = pending
    return {"session_id": str(session_id), "mode": str(exam.mode), "approval_ids": pending, "proposals": proposals,
            "sites": sum(len(e.get("depths_mm", {})) for e in entries)}


def _pending_ids(s: Any, session_id: uuid.UUID) -> list[str]:
    return [str(i) for i in s.scalars(
        select(AgentApprovalRequest.id).join(AgentExecution, AgentExecution.id == AgentApprovalRequest.execution_id)
        .where(AgentExecution.voice_session_id == session_id, AgentApprovalRequest.status == ApprovalStatus.PENDING)
        .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id))]
