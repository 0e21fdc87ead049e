"""Runs: a run is an ``agent_executions`` row of a thread (``voice_session_id``), executed by the
platform's workers through the run queue like every other run.

Starting one records the dictation in the thread's voice session, writes the run (RUNNING) and
queues it; ``wait`` and ``join`` wait on the run queue's notification. A resume (``command.resume``)
decides the thread's interrupts through the approvals service, which resumes the waiting run
itself: the run it answers with is that same execution (the platform has one run per dictation,
paused at its approval gate, not one per invocation). Streaming reads the run's step rows as
they are written, so a client that reconnects with ``Last-Event-ID`` is replayed what it missed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select, update

from agentserver import assistants, interrupts
from agentserver import threads as thread_store
from approvals import service as approvals
from core_schema.db import get_database
from core_schema.directory import Actor
from core_schema.errors import DomainError, InvalidInput, NotFound
from core_schema.models import AgentApprovalRequest, AgentExecution, AgentStep, AgentWorkflow
from core_schema.statuses import ApprovalStatus, ExecutionStatus, MultitaskStrategy, ProtocolRunStatus
from runtime.process import get_engine, get_queue
from voice import service as voice
from voice.graph import SPEC as VOICE_TO_CHART

RUN_STATUS = {ExecutionStatus.RUNNING: ProtocolRunStatus.RUNNING, ExecutionStatus.WAITING_APPROVAL: ProtocolRunStatus.INTERRUPTED,
              ExecutionStatus.COMPLETED: ProtocolRunStatus.SUCCESS, ExecutionStatus.CANCELLED: ProtocolRunStatus.SUCCESS,
              ExecutionStatus.FAILED: ProtocolRunStatus.ERROR}
STREAM_WAIT_S = 1.0  # how long a stream waits on the run's notification before it looks again
STOP_WAIT_S = 30.0  # how long interrupt/rollback wait for the run in flight to reach its pause or its end
INTERRUPTED_BY = "interrupted_by"  # agent_executions.metadata key: the run an interrupt stopped this one for
IN_FLIGHT = (ExecutionStatus.RUNNING, ExecutionStatus.WAITING_APPROVAL)


def _run(e: AgentExecution, workflow: str) -> dict[str, Any]:
    meta = e.metadata_ or {}
    status = RUN_STATUS.get(ExecutionStatus(e.status), ProtocolRunStatus.RUNNING)
    if INTERRUPTED_BY in meta:  # stopped for a newer run (multitask_strategy interrupt), as LangGraph reports it
        status = ProtocolRunStatus.INTERRUPTED
    return {"run_id": str(e.id), "thread_id": str(e.voice_session_id), "assistant_id": workflow,
            "created_at": e.started_at.isoformat(), "updated_at": (e.completed_at or e.started_at).isoformat(),
            "status": status.value,
            "metadata": {"platform_status": e.status, **({"error": e.error_details} if e.error_details else {}),
                         **({INTERRUPTED_BY: meta[INTERRUPTED_BY]} if INTERRUPTED_BY in meta else {})},
            "multitask_strategy": meta.get("multitask_strategy", MultitaskStrategy.REJECT.value), "kwargs": {}}


def _runs_query(thread_id: uuid.UUID) -> Any:
    return (select(AgentExecution, AgentWorkflow.name).join(AgentWorkflow, AgentWorkflow.id == AgentExecution.workflow_id)
            .where(AgentExecution.voice_session_id == thread_id, thread_store.counted()))


def _strategy(body: dict[str, Any]) -> MultitaskStrategy:
    try:
        return MultitaskStrategy(body.get("multitask_strategy") or MultitaskStrategy.REJECT)
    except ValueError:
        raise InvalidInput(f"multitask_strategy {body.get('multitask_strategy')!r}: one of "
                           f"{', '.join(m.value for m in MultitaskStrategy)}") from None


def get(tenant_id: uuid.UUID, thread_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    with get_database().tenant_session(tenant_id) as s:
        thread_store.session_of(s, thread_id)
        row = s.execute(_runs_query(thread_id).where(AgentExecution.id == run_id)).first()
        if row is None:
            raise NotFound(f"run {run_id} not found in this thread")
        return _run(*row)


def list_runs(tenant_id: uuid.UUID, thread_id: uuid.UUID, *, limit: int = 10, offset: int = 0,
              status: str | None = None) -> list[dict[str, Any]]:
    with get_database().tenant_session(tenant_id) as s:
        thread_store.session_of(s, thread_id)
        rows = s.execute(_runs_query(thread_id).order_by(AgentExecution.started_at.desc())).all()
        found = [_run(e, name) for e, name in rows]
    if status is not None:
        found = [r for r in found if r["status"] == status]
    return found[offset:offset + limit]


def create(actor: Actor, thread_id: uuid.UUID | None, body: dict[str, Any],
           api_client_id: uuid.UUID | None = None) -> dict[str, Any]:
    """Start a run on the thread (queued for the workers), or resume its interrupts (``command.resume``).
    No thread (a stateless run): one is opened for it once the request is found valid."""
    if thread_id is not None:  # another clinic's thread is not found, whatever the body says
        with get_database().tenant_session(actor.tenant_id) as s:
            thread_store.session_of(s, thread_id)
    command = body.get("command") or {}
    if "resume" in command:
        if thread_id is None:
            raise InvalidInput("a resume names the thread whose interrupts it answers")
        return resume(actor, thread_id, command["resume"])
    if command:
        raise InvalidInput(f"command {sorted(command)}: only command.resume is supported")
    workflow = assistants.resolve(str(body.get("assistant_id") or ""))
    if workflow != VOICE_TO_CHART.name:
        raise InvalidInput(f"{workflow} runs start from their own input (an upload): only {VOICE_TO_CHART.name} "
                           "starts from a protocol run")
    strategy = _strategy(body)
    data = body.get("input") or {}
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise InvalidInput("input: {patient_id, text} (the dictation) is needed")
    engine, db = get_engine(), get_database()
    if thread_id is None:
        thread_id = uuid.UUID(thread_store.create(actor, metadata={"patient_id": data.get("patient_id")})["thread_id"])
    with db.tenant_session(actor.tenant_id) as s:
        vs = thread_store.session_of(s, thread_id)
        patient_id = thread_store.patient_id_of(data.get("patient_id")) or vs.patient_id
        if patient_id is None:
            raise InvalidInput("input.patient_id: the thread has no patient yet")
        thread_store.assign_patient(s, vs, patient_id)
        in_flight = s.execute(select(AgentExecution.id, AgentExecution.status).where(
            AgentExecution.voice_session_id == thread_id, AgentExecution.status.in_(IN_FLIGHT), thread_store.counted())
            .order_by(AgentExecution.started_at)).all()
        busy = [run for run, status in in_flight if status == ExecutionStatus.RUNNING]
        if busy and strategy == MultitaskStrategy.REJECT:
            raise DomainError("conflict", f"thread {thread_id} has run {busy[0]} in progress (multitask_strategy reject)", 409)
    run_id = uuid.uuid4()
    if strategy in (MultitaskStrategy.INTERRUPT, MultitaskStrategy.ROLLBACK):
        for run, _ in in_flight:
            stop(actor, run, run_id, strategy)
    opened = voice.open_dictation(engine, actor, patient_id, text=data["text"], session_id=thread_id)
    engine.create(VOICE_TO_CHART.name, tenant_id=actor.tenant_id, user_id=actor.user_id, inputs=opened.inputs,
                  patient_id=patient_id, encounter_id=opened.encounter_id, voice_session_id=thread_id,
                  api_client_id=api_client_id, execution_id=run_id)
    if strategy != MultitaskStrategy.REJECT:
        _mark(actor.tenant_id, run_id, "multitask_strategy", strategy.value)
    queue = get_queue()
    queue.enqueue(run_id)
    if queue.live_workers() == 0:  # no worker process: a worker thread of this one takes the queue
        queue.drain_in_background()
    return get(actor.tenant_id, thread_id, run_id)


def stop(actor: Actor, run_id: uuid.UUID, by: uuid.UUID, strategy: MultitaskStrategy) -> None:
    """Stop a run in flight for run ``by`` (``interrupt`` / ``rollback``) at its safe point
    (``_at_safe_point``): one that waits for approval has its open requests rejected through the
    approvals service, audited, with the reason; it ends CANCELLED, nothing applied. A run that
    ended meanwhile is left as it is. ``rollback`` marks the stopped run so the protocol no longer
    counts it (``threads.counted``)."""
    if _at_safe_point(actor.tenant_id, run_id, f"multitask_strategy {strategy.value}") != ExecutionStatus.WAITING_APPROVAL:
        return
    withdraw(actor, run_id, f"withdrawn: run {by} replaced this run (multitask_strategy {strategy.value})")
    key = thread_store.ROLLED_BACK if strategy == MultitaskStrategy.ROLLBACK else INTERRUPTED_BY
    _mark(actor.tenant_id, run_id, key, str(by))


def _at_safe_point(tenant_id: uuid.UUID, run_id: uuid.UUID, why: str) -> str:
    """The run's status once it is not executing a step: a step may be writing the chart and is
    never cut, so a RUNNING run is waited for until it pauses or ends. Still executing after
    ``STOP_WAIT_S``: 409, nothing stopped."""
    status = _status(tenant_id, run_id)
    if status == ExecutionStatus.RUNNING:
        get_queue().wait(run_id, timeout_s=STOP_WAIT_S)
        status = _status(tenant_id, run_id)
        if status == ExecutionStatus.RUNNING:
            raise DomainError("conflict", f"run {run_id} is still executing a step; it is stopped only at its "
                              f"approval pause or its end ({why})", 409)
    return status


def withdraw(actor: Actor, run_id: uuid.UUID, reason: str) -> None:
    """Reject the run's open requests (the web inbox's own decision: permission checks, audit,
    exactly-once resume), ``reason`` as the review comment; the run then ends CANCELLED."""
    with get_database().tenant_session(actor.tenant_id) as s:
        pending = list(s.scalars(select(AgentApprovalRequest.id).where(
            AgentApprovalRequest.execution_id == run_id, AgentApprovalRequest.status == ApprovalStatus.PENDING)
            .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id)).all())
    if not pending:
        return
    report = approvals.decide(get_engine(), pending, actor, "reject", comment=reason)
    if report.failure:
        raise DomainError("apply_failed", report.failure, 409)


def _status(tenant_id: uuid.UUID, run_id: uuid.UUID) -> str:
    with get_database().tenant_session(tenant_id) as s:
        status = s.scalar(select(AgentExecution.status).where(AgentExecution.id == run_id))
    if status is None:
        raise NotFound(f"run {run_id} not found")
    return str(status)


def _mark(tenant_id: uuid.UUID, run_id: uuid.UUID, key: str, value: str) -> None:
    """Add ``key: value`` to the run's metadata (merged in SQL: a worker may write its trace id there)."""
    with get_database().tenant_session(tenant_id) as s:
        s.execute(update(AgentExecution).where(AgentExecution.id == run_id).values(
            metadata_=func.coalesce(AgentExecution.metadata_, func.jsonb_build_object())
            .op("||")(func.jsonb_build_object(key, value))))


def resume(actor: Actor, thread_id: uuid.UUID, value: Any) -> dict[str, Any]:
    """Decide the interrupts; the run answered is the (last) run they resumed."""
    with get_database().tenant_session(actor.tenant_id) as s:
        thread_store.session_of(s, thread_id)
    decided = interrupts.resume(get_engine(), actor, thread_id, value)
    return get(actor.tenant_id, thread_id, uuid.UUID(decided[-1].run_id))


def wait(tenant_id: uuid.UUID, thread_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    """The run's final values once it stops running; ``__interrupt__`` lists what it waits for."""
    get(tenant_id, thread_id, run_id)
    get_queue().wait(run_id)
    return values(tenant_id, thread_id, run_id)


def values(tenant_id: uuid.UUID, thread_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    with get_database().tenant_session(tenant_id) as s:
        e = s.get(AgentExecution, run_id)
        if e is None or e.voice_session_id != thread_id:
            raise NotFound(f"run {run_id} not found in this thread")
        out = dict(e.state_snapshot or {})
        waiting = [i for r, i in interrupts.pending_interrupts(s, thread_id) if r == str(run_id)]
    if waiting:
        out["__interrupt__"] = waiting
    return out


def cancel(actor: Actor, thread_id: uuid.UUID, run_id: uuid.UUID) -> None:
    """Cancel a run at its safe point (``_at_safe_point``: a run executing a step is waited for
    until it pauses): its open requests are rejected through the approvals service (audited as any
    rejection) and the run ends CANCELLED, nothing applied. A run that ended (before or while it
    was waited for) has nothing left to cancel: 409."""
    get(actor.tenant_id, thread_id, run_id)
    status = _at_safe_point(actor.tenant_id, run_id, "cancel")
    if status != ExecutionStatus.WAITING_APPROVAL:
        raise DomainError("conflict", f"run {run_id} is {status}: it ended, nothing is left to cancel", 409)
    withdraw(actor, run_id, "cancelled in a LangGraph client")


def update_state(actor: Actor, thread_id: uuid.UUID, values: Any, as_node: str | None) -> dict[str, Any]:
    """Only what Agent Inbox's "mark as resolved" sends (``as_node="__end__"``, no values): every
    pending request of the thread is rejected through the approvals service (nothing applied).
    Any other write is refused: the state holds ids only and moves only through the graph's nodes."""
    with get_database().tenant_session(actor.tenant_id) as s:
        thread_store.session_of(s, thread_id)
        pending = s.scalars(select(AgentApprovalRequest.id)
                            .join(AgentExecution, AgentExecution.id == AgentApprovalRequest.execution_id)
                            .where(AgentExecution.voice_session_id == thread_id,
                                   AgentApprovalRequest.status == ApprovalStatus.PENDING)).all()
    if as_node != "__end__" or values:
        raise InvalidInput("a thread's state moves only through its graph: the one update offered is "
                           "as_node='__end__' without values (resolve: reject what it waits for)")
    if pending:
        interrupts.resume(get_engine(), actor, thread_id, {str(a): {"type": "ignore", "args": None} for a in pending})
    return {"checkpoint": thread_store.state(actor.tenant_id, thread_id)["checkpoint"]}


# -- streaming ------------------------------------------------------------------------------------


def step_marks(tenant_id: uuid.UUID, thread_id: uuid.UUID) -> dict[str, int]:
    """The last step number of each run of the thread: a stream of a resume starts after its run's mark."""
    with get_database().tenant_session(tenant_id) as s:
        thread_store.session_of(s, thread_id)
        rows = s.execute(select(AgentStep.execution_id, func.max(AgentStep.sequence_no))
                         .join(AgentExecution, AgentExecution.id == AgentStep.execution_id)
                         .where(AgentExecution.voice_session_id == thread_id).group_by(AgentStep.execution_id)).all()
    return {str(run): int(seq) for run, seq in rows}


def _sse(event: str, data: Any, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _events(run_id: uuid.UUID, thread_id: uuid.UUID, seq: int, node: str, output: dict[str, Any]) -> list[dict[str, Any]]:
    """One step as LangGraph's ``events`` mode shows a node (``astream_events`` v2): its start and
    its end with its output (ids only). Agent Inbox shows the node it reads from ``on_chain_start``."""
    meta = {"langgraph_node": node, "langgraph_step": seq, "thread_id": str(thread_id), "run_id": str(run_id)}
    common = {"name": node, "run_id": f"{run_id}:{seq}", "tags": [f"graph:step:{seq}"], "metadata": meta,
              "parent_ids": [str(run_id)]}
    return [{"event": "on_chain_start", **common, "data": {}},
            {"event": "on_chain_end", **common, "data": {"output": output}}]


def stream(tenant_id: uuid.UUID, thread_id: uuid.UUID, run_id: uuid.UUID, modes: list[str],
           after: int = 0) -> Iterator[str]:
    """SSE events of the run until it stops running: ``metadata``, then per step written ``updates``
    ({node: its output, ids only}) and ``values`` (the run's state), and at a pause ``updates``
    with ``__interrupt__``. Event ids are step numbers: ``after`` skips those a client has seen."""
    get(tenant_id, thread_id, run_id)
    modes = modes or ["values"]
    yield _sse("metadata", {"run_id": str(run_id), "thread_id": str(thread_id), "attempt": 1})
    seen = after
    while True:
        with get_database().tenant_session(tenant_id) as s:
            e = s.get(AgentExecution, run_id)
            assert e is not None
            status = e.status
            steps = s.execute(select(AgentStep.sequence_no, AgentStep.node_name, AgentStep.output_state)
                              .where(AgentStep.execution_id == run_id, AgentStep.sequence_no > seen)
                              .order_by(AgentStep.sequence_no)).all()
            state = dict(e.state_snapshot or {})
        for seq, node, output in steps:
            if "events" in modes:
                for event in _events(run_id, thread_id, seq, node, output or {}):
                    yield _sse("events", event, str(seq))
            if "updates" in modes:
                yield _sse("updates", {node: output or {}}, str(seq))
            seen = seq
        if steps and "values" in modes:
            yield _sse("values", state, str(seen))
        if status != ExecutionStatus.RUNNING:
            break
        get_queue().wait(run_id, timeout_s=STREAM_WAIT_S)
    if status == ExecutionStatus.WAITING_APPROVAL:
        waiting = values(tenant_id, thread_id, run_id).get("__interrupt__", [])
        if "updates" in modes:
            yield _sse("updates", {"__interrupt__": waiting}, str(seen))
        if "values" in modes:
            yield _sse("values", {**state, "__interrupt__": waiting}, str(seen))
