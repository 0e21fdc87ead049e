"""The persisted runtime: compiled LangGraph graphs with Postgres checkpoints, a step row per
node execution, run status, metrics and tracing.

A graph is built by a ``WorkflowSpec`` against an ``Engine``; its nodes are wrapped with
``Engine.node`` (step rows, spans) and its routers with ``Engine.route`` (edge taken). A run's
thread id is its ``agent_executions.id``, so any process can resume it after a restart.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import psycopg
import redis
import sqlalchemy.exc
from langgraph.errors import GraphBubbleUp
from langgraph.graph import StateGraph
from langgraph.types import Command
from opentelemetry import trace

from core_schema.db import Database
from core_schema.models import AgentExecution
from core_schema.statuses import RUN_ENDED, ExecutionStatus, StepStatus
from core_schema.storage import StorageUnavailable
from tools.executor import Executor
from workflows import leases, runstore
from workflows.checkpoint import make_checkpointer, tracking_writes
from workflows.step_log import StepLog
from workflows.tracing import current_trace_id

tracer = trace.get_tracer("dentalagent.workflows")
State = dict[str, Any]
# A graph's state TypedDict (``VoiceState``...), as a node reads it; LangGraph passes a plain dict.
S = TypeVar("S", bound=Mapping[str, Any])
S_contra = TypeVar("S_contra", bound=Mapping[str, Any], contravariant=True)
FINAL = RUN_ENDED


class Node(Protocol[S_contra]):
    """A wrapped node as LangGraph's ``add_node`` takes it (its parameter is named ``state``)."""

    def __call__(self, state: S_contra) -> Mapping[str, Any]: ...


class NodeContext:
    """What a node gets besides the state: the engine and its own step, to annotate.

    The step row is buffered when the node finishes and written with the run's next update
    (``StepLog``), unless the node asks for ``step_id`` first (tool executions and approval
    requests link to it): then it is written at once, and completed at the end.
    """

    def __init__(self, engine: Engine, name: str, node_type: str, state: Mapping[str, Any]) -> None:
        self.engine, self.name, self.node_type, self.state = engine, name, node_type, state
        self.execution_id = uuid.UUID(state["execution_id"])
        self.details: dict[str, Any] = {}
        self.id = uuid.uuid4()
        self._written = False

    @property
    def step_id(self) -> uuid.UUID:
        """The step's id, its row written now (after the run's buffered ones) so others can reference it."""
        if not self._written:
            with self.engine.db.tenant_session(self.state["tenant_id"]) as s:
                self.engine.steps.flush(s, self.execution_id)  # earlier steps keep their lower sequence numbers
                runstore.start_step(s, self.execution_id, self.id, self.name, self.node_type, _ids_only(self.state))
            self._written = True
        return self.id

    def finish(self, status: str, output: State | None, duration_ms: int, error: str | None = None,
               **extra: Any) -> None:
        """Complete the step row (written early), or buffer the whole row."""
        values = dict(status=status, output_state=output, error_message=error, duration_ms=duration_ms,
                      **self.details, **extra)
        if self._written:
            with self.engine.db.tenant_session(self.state["tenant_id"]) as s:
                runstore.finish_step(s, self.id, **values)
            return
        self.engine.steps.add(self.execution_id, dict(id=self.id, node_name=self.name, node_type=self.node_type,
                                                      input_state=_ids_only(self.state), **values))
        self._written = True

    def record_llm(self, provider: str, model: str, prompt_tokens: int, completion_tokens: int) -> None:
        self.details.update(llm_provider=provider, llm_model=model, prompt_tokens=prompt_tokens,
                            completion_tokens=completion_tokens)

    def record_tool(self, name: str, tool_input: Any, tool_output: Any) -> None:
        self.details.update(tool_name=name, tool_input=tool_input, tool_output=tool_output)


@dataclass(frozen=True)
class WorkflowSpec:
    """A named graph and how to build it against an engine."""

    name: str
    description: str
    workflow_type: str
    build: Callable[[Engine], StateGraph]


@dataclass
class RunResult:
    execution_id: uuid.UUID
    status: str
    state: State
    error: str | None = None


# Failures of the platform's own services, not of the run: the run is resumed later from its
# last checkpoint (by recovery) instead of being failed. PostgreSQL or Redis restarting, a
# connection reset, a server that is briefly unreachable; the object store likewise.
TRANSIENT: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError, psycopg.OperationalError, psycopg.InterfaceError, StorageUnavailable,
)


class RunInterrupted(Exception):
    """A run stopped by a transient failure; it stays RUNNING without a lease and is resumed."""


class Dispatcher(Protocol):
    """Who executes a run once it exists: ``submit`` returns when it ends or waits for a person."""

    def submit(self, execution_id: uuid.UUID) -> RunResult: ...


class InlineDispatcher:
    """Execute in the calling thread (graph benchmarks; the queue's workers themselves)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def submit(self, execution_id: uuid.UUID) -> RunResult:
        return self.engine.advance(execution_id)


class Engine:
    """One per process: database, Redis, executor, checkpointer and the compiled graphs."""

    def __init__(self, db: Database, redis: Any, executor: Executor | None = None) -> None:
        self.db = db
        self.redis = redis
        self.executor = executor or Executor(db, redis)
        self.dispatcher: Dispatcher = InlineDispatcher(self)
        self.steps = StepLog()
        self._last_step: dict[uuid.UUID, uuid.UUID] = {}  # per run, while it executes in this process
        self.checkpointer, self._pool = make_checkpointer(db)
        self._lease_pool = leases.lease_pool(db)
        self.graphs: dict[str, Any] = {}
        self.entries: dict[str, str] = {}
        self.workflow_ids: dict[str, uuid.UUID] = {}
        self._names_by_id: dict[uuid.UUID, str] = {}

    def close(self) -> None:
        close_dispatcher = getattr(self.dispatcher, "close", None)
        if close_dispatcher is not None:
            close_dispatcher()
        self._pool.close()
        self._lease_pool.close()

    # -- building --------------------------------------------------------------------------

    def add(self, spec: WorkflowSpec) -> Any:
        """Compile ``spec`` with the Postgres checkpointer and register it in ``agent_workflows``."""
        compiled = spec.build(self).compile(checkpointer=self.checkpointer, name=spec.name)
        with self.db.system_session() as s:
            wid = runstore.register_workflow(s, spec.name, spec.description, spec.workflow_type, compiled)
        self.graphs[spec.name] = compiled
        self.entries[spec.name] = runstore.graph_definition(compiled)["entry"]
        self.workflow_ids[spec.name] = wid
        self._names_by_id[wid] = spec.name
        return compiled

    def node(self, name: str, node_type: str
             ) -> Callable[[Callable[[S, NodeContext], Mapping[str, Any]]], Node[S]]:
        """Wrap a node: a step row (input, output, duration, status), a span, the current node."""

        def wrap(fn: Callable[[S, NodeContext], Mapping[str, Any]]) -> Node[S]:
            def run(state: S) -> Mapping[str, Any]:
                execution_id, tenant_id = uuid.UUID(state["execution_id"]), state["tenant_id"]
                ctx = NodeContext(self, name, node_type, state)
                t0 = time.perf_counter()
                with tracer.start_as_current_span("workflow.node") as span:
                    span.set_attributes({"node": name, "node_type": node_type, "tenant_id": tenant_id,
                                         "execution_id": str(execution_id)})
                    try:
                        out = fn(state, ctx) or {}
                    except GraphBubbleUp:  # an interrupt: the node waits for a person
                        ctx.finish(StepStatus.COMPLETED, {"waiting": True}, _ms(t0), decision_result="interrupt")
                        span.set_attribute("status", "WAITING")
                        raise
                    except Exception as exc:
                        ctx.finish(StepStatus.FAILED, None, _ms(t0), error=f"{type(exc).__name__}: {exc}")
                        span.set_attribute("status", StepStatus.FAILED)
                        raise
                    self._last_step[execution_id] = ctx.id  # the edge a router takes is recorded on it
                    ctx.finish(StepStatus.COMPLETED, _ids_only(out), _ms(t0))
                    span.set_attribute("status", StepStatus.COMPLETED)
                return out

            run.__name__ = name
            return run

        return wrap

    def route(self, router: Callable[[S], str]) -> Callable[[S], str]:
        """Wrap a conditional edge so the step it leaves records the edge taken."""

        def run(state: S) -> str:
            target = router(state)
            execution_id = uuid.UUID(state["execution_id"])
            step_id = self._last_step.get(execution_id)
            if step_id is not None:
                if not self.steps.set_edge(execution_id, step_id, target):
                    with self.db.tenant_session(state["tenant_id"]) as s:
                        runstore.record_edge(s, step_id, target)
            return target

        return run

    # -- running ---------------------------------------------------------------------------

    def start(self, workflow: str, *, tenant_id: uuid.UUID, user_id: uuid.UUID, inputs: State | None = None,
              patient_id: uuid.UUID | None = None, encounter_id: uuid.UUID | None = None,
              voice_session_id: uuid.UUID | None = None, api_client_id: uuid.UUID | None = None,
              execution_id: uuid.UUID | None = None) -> RunResult:
        """Create the run and have it executed (by a worker, or here) until it ends or waits."""
        execution_id = self.create(workflow, tenant_id=tenant_id, user_id=user_id, inputs=inputs, patient_id=patient_id,
                                   encounter_id=encounter_id, voice_session_id=voice_session_id,
                                   api_client_id=api_client_id, execution_id=execution_id)
        return self.dispatcher.submit(execution_id)

    def create(self, workflow: str, *, tenant_id: uuid.UUID, user_id: uuid.UUID, inputs: State | None = None,
               patient_id: uuid.UUID | None = None, encounter_id: uuid.UUID | None = None,
               voice_session_id: uuid.UUID | None = None, api_client_id: uuid.UUID | None = None,
               execution_id: uuid.UUID | None = None) -> uuid.UUID:
        """The execution row (RUNNING, nothing run yet); its snapshot is the initial state (ids only)."""
        execution_id = execution_id or uuid.uuid4()
        state: State = {
            "execution_id": str(execution_id), "tenant_id": str(tenant_id), "user_id": str(user_id),
            "patient_id": _s(patient_id), "encounter_id": _s(encounter_id), "voice_session_id": _s(voice_session_id),
            "api_client_id": _s(api_client_id), **(inputs or {}),
        }
        workflow_id, entry = self.workflow_ids[workflow], self.entries[workflow]
        # one round trip on a lease connection (the owner writes its runs' records, as record_run does)
        with self._lease_pool.connection() as conn:
            runstore.insert_run(
                conn, workflow_id=workflow_id, tenant_id=tenant_id, entry_node=entry, state=_ids_only(state),
                user_id=user_id, patient_id=patient_id, encounter_id=encounter_id, voice_session_id=voice_session_id,
                api_client_id=api_client_id,
            )
        return execution_id

    def resume(self, execution_id: uuid.UUID, tenant_id: uuid.UUID, value: Any = None) -> RunResult | None:
        """Resume a waiting run whose approvals are decided; None if another process already did."""
        with self.db.tenant_session(tenant_id) as s:
            if not runstore.claim_for_resume(s, execution_id):
                return None
        return self.dispatcher.submit(execution_id)

    def advance(self, execution_id: uuid.UUID) -> RunResult:
        """Take the run as far as it goes now, under its lease: start it, continue it from its
        last checkpoint (its worker died), or resume it (its approvals are all decided).

        Idempotent: a finished run, or one still waiting for a person, is left as it is.
        """
        with leases.hold(self.db, execution_id, runstore.RUN_FOR_ADVANCE, {"run": execution_id},
                         pool=self._lease_pool) as lease:
            row = lease.row
            if row is None:
                raise KeyError(f"run {execution_id} not found")
            tenant_id, status, initial, workflow_id, workflow_name, open_requests, checkpointed = row
            name = self._names_by_id.get(workflow_id) or workflow_name
            if status in FINAL or name not in self.graphs:
                return self.result(execution_id)
            if not checkpointed:  # never started (or died before its first checkpoint): start from the stored inputs
                return self._invoke(lease, name, execution_id, tenant_id, dict(initial or {}))
            config = {"configurable": {"thread_id": str(execution_id)}}
            snapshot = self.graphs[name].get_state(config)
            move = next_move(snapshot, bool(open_requests))
            if move in ("wait", "finished"):
                return self._record(lease, execution_id, None, _Outcome.of(snapshot))
            payload: Any = Command(resume={"resumed": True}) if move == "resume" else None
            return self._invoke(lease, name, execution_id, tenant_id, payload)

    def result(self, execution_id: uuid.UUID, known: tuple[str, str | None, uuid.UUID] | None = None) -> RunResult:
        """The run as recorded now: status, error and the checkpointed state (``known``: its
        status, error and workflow, already read by the caller)."""
        if known is None:
            with self.db.system_session() as s:
                row = s.get(AgentExecution, execution_id)
                if row is None:
                    raise KeyError(f"run {execution_id} not found")
                known = (row.status, row.error_details, row.workflow_id)
        status, error, workflow_id = known
        name = self._names_by_id.get(workflow_id)
        state: State = {}
        if name in self.graphs:
            state = dict(self.graphs[name].get_state({"configurable": {"thread_id": str(execution_id)}}).values)
        return RunResult(execution_id, status, state, error)

    def _invoke(self, lease: leases.Lease, workflow: str, execution_id: uuid.UUID, tenant_id: uuid.UUID,
                payload: Any) -> RunResult:
        graph = self.graphs[workflow]
        config = {"configurable": {"thread_id": str(execution_id)}}
        with tracer.start_as_current_span("workflow.run") as span:
            span.set_attributes({"workflow": workflow, "execution_id": str(execution_id), "tenant_id": str(tenant_id)})
            try:
                with tracking_writes() as written:
                    values = graph.invoke(payload, config)
                # what the invocation returned and the checkpoint it wrote last: no read back
                outcome = _Outcome.of_invocation(values, written.get("checkpoint_id"))
                error = None
            except TRANSIENT as exc:  # the run is fine, its infrastructure is not: it stays RUNNING
                self.steps.discard(execution_id)
                self._last_step.pop(execution_id, None)
                span.set_attribute("status", "INTERRUPTED")
                raise RunInterrupted(f"run {execution_id} interrupted by {type(exc).__name__}; it will be resumed") from exc
            except Exception as exc:  # recorded on the run; the caller gets a FAILED result
                error = f"{type(exc).__name__}: {exc}"
                outcome = None
            try:
                if outcome is None or outcome.checkpoint_id is None:
                    outcome = _Outcome.of(graph.get_state(config))
                result = self._record(lease, execution_id, error, outcome)
            finally:
                self.steps.discard(execution_id)  # written by _record, or lost with it (the database failed)
                self._last_step.pop(execution_id, None)
            span.set_attribute("status", result.status)
        return result

    def _record(self, lease: leases.Lease, execution_id: uuid.UUID, error: str | None, outcome: _Outcome) -> RunResult:
        """Write the run's steps, status, ids-only snapshot, checkpoint and (when it ended) metrics,
        on the lease's connection in one round trip that also gives the lease back."""
        state = outcome.values
        if error:
            status = ExecutionStatus.FAILED
        elif outcome.interrupted:
            status = ExecutionStatus.WAITING_APPROVAL
        else:
            status = state.get("final_status") or ExecutionStatus.COMPLETED
        # error_details: this invocation's error, else a reason a node wrote itself (a change that failed after approval)
        runstore.record_run(lease.conn, execution_id, status=status, state=_ids_only(state),
                            checkpoint_id=outcome.checkpoint_id, error=error, trace_id=current_trace_id(),
                            steps=self.steps.take(execution_id), channel=self.db.runs_channel, lease=lease)
        return RunResult(execution_id, status, state, error)


@dataclass
class _Outcome:
    """Where an invocation left the run: its state, whether it waits in an interrupt, its checkpoint."""

    values: State
    interrupted: bool
    checkpoint_id: str | None

    @classmethod
    def of(cls, snapshot: Any) -> _Outcome:
        return cls(dict(snapshot.values), bool(snapshot.interrupts), snapshot.config["configurable"].get("checkpoint_id"))

    @classmethod
    def of_invocation(cls, values: Any, checkpoint_id: str | None) -> _Outcome:
        state = dict(values or {})
        interrupts = state.pop("__interrupt__", None)
        return cls(state, bool(interrupts), checkpoint_id)


def next_move(snapshot: Any, open_requests: bool) -> str:
    """What a checkpointed run needs now: "wait" (a person has not decided), "resume" (decided),
    "continue" (its worker died mid-run) or "finished".

    A step whose work was saved (pending writes) but whose checkpoint was not, because the worker
    died in between, is not in ``snapshot.next`` (LangGraph lists only tasks still to run) but is in
    ``snapshot.tasks``: the run must continue, or it would be recorded COMPLETED having skipped
    every step after it.
    """
    if snapshot.interrupts:
        return "wait" if open_requests else "resume"
    if snapshot.next or snapshot.tasks:
        return "continue"
    return "finished"


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)


def _s(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _ids_only(state: Mapping[str, Any]) -> State:
    """What may be persisted of a state: ids, id lists, statuses and counts (never free text)."""
    allowed: State = {}
    for k, v in state.items():
        if isinstance(v, (int, float, bool)) or v is None:
            allowed[k] = v
        elif isinstance(v, str) and (k.endswith("_id") or k in ("final_status", "mode")):
            allowed[k] = v
        elif isinstance(v, list) and all(isinstance(x, str) for x in v) and k.endswith("_ids"):
            allowed[k] = v
        elif isinstance(v, dict) and k.endswith("_by_id"):
            allowed[k] = v
    return allowed
