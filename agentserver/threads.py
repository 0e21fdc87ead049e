"""Threads: a thread is a voice session (``voice_sessions``), the conversation a clinician dictates
into; its runs are the ``agent_executions`` linked to it (``voice_session_id``).

Every voice session of the clinic is a thread, whichever face started it (web app, CLI, API,
protocol), so a dictation's pending approvals are interrupts here as they are items in the web
inbox. A thread created over the protocol is a voice session on the ``API`` channel, its patient
taken from ``metadata.patient_id`` or from its first run. The protocol's own metadata is kept in
``voice_sessions.meta["metadata"]``; the thread's status is computed from its runs, never stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from agentserver.interrupts import pending_interrupts
from core_schema.db import get_database
from core_schema.directory import Actor
from core_schema.encounters import open_encounter
from core_schema.errors import DomainError, InvalidInput, NotFound
from core_schema.models import (
    AgentApprovalRequest,
    AgentExecution,
    AgentWorkflow,
    Patient,
    VoiceSession,
    VoiceUtterance,
)
from core_schema.statuses import ApprovalStatus, ExecutionStatus, ProtocolThreadStatus

CHANNEL = "API"  # a thread opened over the agent protocol
ROLLED_BACK = "rolled_back_by"  # agent_executions.metadata key: the run a rollback set aside for this one
SORTABLE = {"created_at": VoiceSession.started_at, "updated_at": VoiceSession.started_at,
            "thread_id": VoiceSession.id}


def counted() -> Any:
    """The runs the protocol shows: all but those a ``rollback`` set aside. Those stay in the
    platform's records (its audit trail: the run, its rejected requests, its trace) but, as a
    LangGraph server deletes a rolled-back run, no longer count in a thread's runs, state or status."""
    return ~func.coalesce(AgentExecution.metadata_.has_key(ROLLED_BACK), False)


def _latest_run(thread: Any) -> Any:
    return (select(AgentExecution.status).where(AgentExecution.voice_session_id == thread, counted())
            .order_by(AgentExecution.started_at.desc()).limit(1).scalar_subquery())


def status_expression(thread: Any = VoiceSession.id) -> Any:
    """busy (a run executes), interrupted (a run waits for a person), error (the last run failed), else idle."""
    running = exists().where(AgentExecution.voice_session_id == thread, AgentExecution.status == ExecutionStatus.RUNNING)
    waiting = exists().where(AgentApprovalRequest.execution_id == AgentExecution.id,
                             AgentExecution.voice_session_id == thread,
                             AgentApprovalRequest.status == ApprovalStatus.PENDING)
    return case((running, ProtocolThreadStatus.BUSY.value), (waiting, ProtocolThreadStatus.INTERRUPTED.value),
                (_latest_run(thread) == ExecutionStatus.FAILED, ProtocolThreadStatus.ERROR.value),
                else_=ProtocolThreadStatus.IDLE.value)


def parse_id(value: str, what: str = "thread") -> uuid.UUID:
    """A path id; anything but a uuid names nothing in this clinic (404, as for another clinic's id)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"{what} {value} not found in this clinic") from None


def session_of(s: Session, thread_id: uuid.UUID) -> VoiceSession:
    """The clinic's voice session (row-level security hides another clinic's: ``NotFound``)."""
    vs = s.get(VoiceSession, thread_id)
    if vs is None:
        raise NotFound(f"thread {thread_id} not found in this clinic")
    return vs


def assign_patient(s: Session, vs: VoiceSession, patient_id: uuid.UUID | None) -> None:
    """Fix the thread's patient (and, as a dictation does, the patient's open visit): 404 for a patient
    of another clinic, 409 to change a patient once set."""
    if patient_id is None or patient_id == vs.patient_id:
        return
    if vs.patient_id is not None:
        raise DomainError("conflict", "a thread's patient is fixed: start a new thread for another patient", 409)
    if s.get(Patient, patient_id) is None:
        raise NotFound(f"patient {patient_id} not found in this clinic")
    encounter = open_encounter(s, vs.tenant_id, patient_id)
    vs.patient_id, vs.encounter_id = patient_id, encounter.id if encounter else None


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


GRAPH_KEYS = ("graph_id", "assistant_id")  # set by a LangGraph server on a thread's first run; Agent Inbox filters on them


def _metadata(vs: VoiceSession, graph: str | None) -> dict[str, Any]:
    """The protocol's metadata plus the links clients filter on (ids only); ``graph``: the workflow
    of the thread's latest run, as ``graph_id`` and ``assistant_id`` (they are the same here)."""
    kept = dict((vs.meta or {}).get("metadata") or {})
    graphs = {key: graph for key in GRAPH_KEYS} if graph else {}
    return {**kept, **graphs, "patient_id": str(vs.patient_id) if vs.patient_id else None, "channel": vs.channel}


def _runs_graph(graph: str, thread: Any = VoiceSession.id) -> Any:
    """The thread has a (counted) run of workflow ``graph``: what ``metadata.graph_id`` matches."""
    return exists().where(AgentExecution.voice_session_id == thread, counted(),
                          AgentWorkflow.id == AgentExecution.workflow_id, AgentWorkflow.name == graph)


def _thread(s: Session, vs: VoiceSession, status: str, updated: datetime | None) -> dict[str, Any]:
    latest = s.scalars(select(AgentExecution).where(AgentExecution.voice_session_id == vs.id, counted())
                       .order_by(AgentExecution.started_at.desc()).limit(1)).first()
    interrupts = pending_interrupts(s, vs.id)
    by_run: dict[str, list[dict[str, Any]]] = {}
    for run_id, interrupt in interrupts:
        by_run.setdefault(run_id, []).append(interrupt)
    graph = s.scalar(select(AgentWorkflow.name).where(AgentWorkflow.id == latest.workflow_id)) if latest else None
    return {"thread_id": str(vs.id), "created_at": _iso(vs.started_at), "updated_at": _iso(updated or vs.started_at),
            "metadata": _metadata(vs, graph), "status": status, "values": dict(latest.state_snapshot) if latest else {},
            "interrupts": by_run}


def _updated(thread: Any = VoiceSession.id) -> Any:
    last = select(func.max(func.coalesce(AgentExecution.completed_at, AgentExecution.started_at))).where(
        AgentExecution.voice_session_id == thread, counted()).scalar_subquery()
    return func.coalesce(last, VoiceSession.started_at)


def create(actor: Actor, *, thread_id: str | None = None, metadata: dict[str, Any] | None = None,
           if_exists: str | None = None) -> dict[str, Any]:
    """A new thread (voice session); ``metadata.patient_id`` fixes its patient (404 unless of this clinic)."""
    metadata = dict(metadata or {})
    patient_id = patient_id_of(metadata.pop("patient_id", None))
    new_id = parse_id(thread_id) if thread_id else uuid.uuid4()
    with get_database().tenant_session(actor.tenant_id) as s:
        if thread_id and s.get(VoiceSession, new_id) is not None:
            if if_exists == "do_nothing":
                return get(actor.tenant_id, new_id)
            raise DomainError("conflict", f"thread {new_id} already exists", 409)
        vs = VoiceSession(id=new_id, tenant_id=actor.tenant_id, user_id=actor.user_id, channel=CHANNEL,
                          input_locale="en-US", asr_language="en",
                          meta={"perio_mode": False, "tooth_in_focus": None, "metadata": metadata})
        assign_patient(s, vs, patient_id)
        s.add(vs)
    return get(actor.tenant_id, new_id)


def patient_id_of(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(f"metadata.patient_id: {value!r} is not a patient id") from None


def get(tenant_id: uuid.UUID, thread_id: uuid.UUID) -> dict[str, Any]:
    with get_database().tenant_session(tenant_id) as s:
        vs = session_of(s, thread_id)
        status, updated = s.execute(select(status_expression(), _updated()).where(VoiceSession.id == thread_id)).one()
        return _thread(s, vs, status, updated)


def update(tenant_id: uuid.UUID, thread_id: uuid.UUID, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Merge ``metadata`` into the thread's (its patient is fixed once set: 409 to change it)."""
    metadata = dict(metadata or {})
    with get_database().tenant_session(tenant_id) as s:
        vs = session_of(s, thread_id)
        if "patient_id" in metadata:
            assign_patient(s, vs, patient_id_of(metadata.pop("patient_id")))
        meta = dict(vs.meta or {})
        meta["metadata"] = {**(meta.get("metadata") or {}), **metadata}
        vs.meta = meta
    return get(tenant_id, thread_id)


def delete(tenant_id: uuid.UUID, thread_id: uuid.UUID) -> None:
    """Remove a thread that holds nothing; one with dictations or runs is a clinical record and stays (409)."""
    with get_database().tenant_session(tenant_id) as s:
        vs = session_of(s, thread_id)
        used = s.scalar(select(func.count()).select_from(AgentExecution).where(AgentExecution.voice_session_id == thread_id))
        spoken = s.scalar(select(func.count()).select_from(VoiceUtterance).where(VoiceUtterance.session_id == thread_id))
        if used or spoken:
            raise DomainError("conflict", f"thread {thread_id} holds dictations and runs, which the chart's audit "
                              "trail keeps: it cannot be deleted", 409)
        s.delete(vs)


def search(tenant_id: uuid.UUID, *, metadata: dict[str, Any] | None = None, status: str | None = None,
           ids: list[str] | None = None, limit: int = 10, offset: int = 0, sort_by: str | None = None,
           sort_order: str | None = None) -> list[dict[str, Any]]:
    """The clinic's threads, newest first by default; ``metadata`` matches exactly (``patient_id`` included)."""
    status_col, updated_col = status_expression(), _updated()
    query = select(VoiceSession, status_col, updated_col)
    wanted = dict(metadata or {})
    if "patient_id" in wanted:
        query = query.where(VoiceSession.patient_id == patient_id_of(wanted.pop("patient_id")))
    if "channel" in wanted:
        query = query.where(VoiceSession.channel == str(wanted.pop("channel")))
    for key in GRAPH_KEYS:
        if key in wanted:
            query = query.where(_runs_graph(str(wanted.pop(key))))
    if wanted:
        query = query.where(VoiceSession.meta["metadata"].contains(wanted))
    if status is not None:
        query = query.where(status_col == ProtocolThreadStatus(status).value)
    if ids:
        query = query.where(VoiceSession.id.in_([parse_id(i) for i in ids]))
    column = updated_col if sort_by == "updated_at" else SORTABLE.get(sort_by or "created_at", VoiceSession.started_at)
    query = query.order_by(column.asc() if sort_order == "asc" else column.desc(), VoiceSession.id)
    with get_database().tenant_session(tenant_id) as s:
        rows = s.execute(query.limit(limit).offset(offset)).all()
        return [_thread(s, vs, st, up) for vs, st, up in rows]


def count(tenant_id: uuid.UUID, *, metadata: dict[str, Any] | None = None, status: str | None = None) -> int:
    return len(search(tenant_id, metadata=metadata, status=status, limit=10_000))


def state(tenant_id: uuid.UUID, thread_id: uuid.UUID) -> dict[str, Any]:
    """The thread's state: its latest run's values (ids only), what runs next, its pending interrupts."""
    with get_database().tenant_session(tenant_id) as s:
        vs = session_of(s, thread_id)
        runs = s.scalars(select(AgentExecution).where(AgentExecution.voice_session_id == thread_id, counted())
                         .order_by(AgentExecution.started_at.desc())).all()
        return _state(vs, runs[0] if runs else None, s, every_run=True)


def history(tenant_id: uuid.UUID, thread_id: uuid.UUID, limit: int = 10) -> list[dict[str, Any]]:
    """One state per run of the thread, newest first (the platform keeps a run's state, ids only, per run)."""
    with get_database().tenant_session(tenant_id) as s:
        vs = session_of(s, thread_id)
        runs = s.scalars(select(AgentExecution).where(AgentExecution.voice_session_id == thread_id, counted())
                         .order_by(AgentExecution.started_at.desc()).limit(limit)).all()
        return [_state(vs, e, s) for e in runs]


def _state(vs: VoiceSession, run: AgentExecution | None, s: Session, every_run: bool = False) -> dict[str, Any]:
    """``every_run``: the interrupts of every run of the thread (its current state), else the run's own."""
    checkpoint = {"thread_id": str(vs.id), "checkpoint_ns": "",
                  "checkpoint_id": run.checkpoint_id if run else None, "checkpoint_map": None}
    waiting = [i for r, i in pending_interrupts(s, vs.id) if every_run or (run is not None and r == str(run.id))]
    status = run.status if run else None
    following = ["await_approval"] if waiting else ([run.current_node] if run and status == ExecutionStatus.RUNNING else [])
    tasks = [{"id": str(run.id), "name": following[0], "error": None, "interrupts": waiting, "checkpoint": None,
              "state": None, "result": None}] if run and following else []
    return {"values": dict(run.state_snapshot or {}) if run else {}, "next": following, "checkpoint": checkpoint,
            "metadata": {"run_id": str(run.id) if run else None, "platform_status": status,
                         "thread_id": str(vs.id)},
            "created_at": _iso(run.started_at) if run else _iso(vs.started_at), "parent_checkpoint": None,
            "tasks": tasks, "interrupts": waiting}
