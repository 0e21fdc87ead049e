"""The persisted runtime: compiled LangGraph graphs with Postgres checkpoints, a step row per
node execution, run status, metrics and tracing.

A graph is built by a ``WorkflowSpec`` against an ``Engine``; its nodes are wrapped with
``Engine.node`` (step rows, spans) and its routers with ``Engine.route`` (edge taken). A run's
thread id is its ``agent_executions.id``, so any process can resume it after a restart.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langgraph.errors import GraphBubbleUp
from langgraph.graph import StateGraph
from langgraph.types import Command
from opentelemetry import trace
from sqlalchemy import select

from core_schema.db import Database
from core_schema.models import AgentExecution, AgentWorkflow
from tools.executor import Executor
from workflows import runstore
from workflows.checkpoint import make_checkpointer
from workflows.tracing import current_trace_id

tracer = trace.get_tracer("dentalagent.workflows")
State = dict[str, Any]


class NodeContext:
    """What a node gets besides the state: the engine and its own step, to annotate.

    The step row is written when the node finishes, in one transaction, unless the node asks
    for ``step_id`` first (tool executions and approval requests link to it): then it is
    written at once, and completed at the end.
    """

    def __init__(self, engine: Engine, name: str, node_type: str, state: State) -> None:
        self.engine, self.name, self.node_type, self.state = engine, name, node_type, state
        self.details: dict[str, Any] = {}
        self.id = uuid.uuid4()
        self._written = False

    @property
    def step_id(self) -> uuid.UUID:
        """The step's id, its row written now so that other rows can reference it."""
        if not self._written:
            with self.engine.db.tenant_session(self.state["tenant_id"]) as s:
                self._write(s)
        return self.id

    def _write(self, s: Any) -> None:
        runstore.start_step(s, uuid.UUID(self.state["execution_id"]), self.id, self.name, self.node_type,
                            _ids_only(self.state))
        self._written = True

    def finish(self, status: str, output: State | None, duration_ms: int, error: str | None = None,
               **extra: Any) -> None:
        """Write (or complete) the step row."""
        values = dict(status=status, output_state=output, error_message=error, duration_ms=duration_ms,
                      **self.details, **extra)
        with self.engine.db.tenant_session(self.state["tenant_id"]) as s:
            if self._written:
                runstore.finish_step(s, self.id, **values)
            else:
                runstore.write_step(s, uuid.UUID(self.state["execution_id"]), self.id, self.name, self.node_type,
                                    _ids_only(self.state), **values)
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


class Engine:
    """One per process: database, Redis, executor, checkpointer and the compiled graphs."""

    def __init__(self, db: Database, redis: Any, executor: Executor | None = None) -> None:
        self.db = db
        self.redis = redis
        self.executor = executor or Executor(db, redis)
        self.checkpointer, self._pool = make_checkpointer(db)
        self.graphs: dict[str, Any] = {}
        self.workflow_ids: dict[str, uuid.UUID] = {}
        self._names_by_id: dict[uuid.UUID, str] = {}

    def close(self) -> None:
        self._pool.close()

    # -- building --------------------------------------------------------------------------

    def add(self, spec: WorkflowSpec) -> Any:
        """Compile ``spec`` with the Postgres checkpointer and register it in ``agent_workflows``."""
        compiled = spec.build(self).compile(checkpointer=self.checkpointer, name=spec.name)
        with self.db.system_session() as s:
            wid = runstore.register_workflow(s, spec.name, spec.description, spec.workflow_type, compiled)
        self.graphs[spec.name] = compiled
        self.workflow_ids[spec.name] = wid
        self._names_by_id[wid] = spec.name
        return compiled

    def node(self, name: str, node_type: str) -> Callable[[Callable[[State, NodeContext], State]], Callable[[State], State]]:
        """Wrap a node: a step row (input, output, duration, status), a span, the current node."""

        def wrap(fn: Callable[[State, NodeContext], State]) -> Callable[[State], State]:
            def run(state: State) -> State:
                execution_id, tenant_id = uuid.UUID(state["execution_id"]), state["tenant_id"]
                ctx = NodeContext(self, name, node_type, state)
                t0 = time.perf_counter()
                with tracer.start_as_current_span("workflow.node") as span:
                    span.set_attributes({"node": name, "node_type": node_type, "tenant_id": tenant_id,
                                         "execution_id": str(execution_id)})
                    try:
                        out = fn(state, ctx) or {}
                    except GraphBubbleUp:  # an interrupt: the node waits for a person
                        ctx.finish("COMPLETED", {"waiting": True}, _ms(t0), decision_result="interrupt")
                        span.set_attribute("status", "WAITING")
                        raise
                    except Exception as exc:
                        ctx.finish("FAILED", None, _ms(t0), error=f"{type(exc).__name__}: {exc}")
                        span.set_attribute("status", "FAILED")
                        raise
                    out = {**out, "step_id": str(ctx.id)}
                    ctx.finish("COMPLETED", _ids_only(out), _ms(t0))
                    span.set_attribute("status", "COMPLETED")
                return out

            run.__name__ = name
            return run

        return wrap

    def route(self, router: Callable[[State], str]) -> Callable[[State], str]:
        """Wrap a conditional edge so the step it leaves records the edge taken."""

        def run(state: State) -> str:
            target = router(state)
            if state.get("step_id"):
                with self.db.tenant_session(state["tenant_id"]) as s:
                    runstore.record_edge(s, uuid.UUID(state["step_id"]), target)
            return target

        return run

    # -- running ---------------------------------------------------------------------------

    def start(self, workflow: str, *, tenant_id: uuid.UUID, user_id: uuid.UUID, inputs: State | None = None,
              patient_id: uuid.UUID | None = None, encounter_id: uuid.UUID | None = None,
              voice_session_id: uuid.UUID | None = None, api_client_id: uuid.UUID | None = None,
              execution_id: uuid.UUID | None = None) -> RunResult:
        """Create the execution row and run the graph until it ends or waits for approval."""
        graph = self.graphs[workflow]
        execution_id = execution_id or uuid.uuid4()
        state: State = {
            "execution_id": str(execution_id), "tenant_id": str(tenant_id), "user_id": str(user_id),
            "patient_id": _s(patient_id), "encounter_id": _s(encounter_id), "voice_session_id": _s(voice_session_id),
            "api_client_id": _s(api_client_id), **(inputs or {}),
        }
        entry = runstore.graph_definition(graph)["entry"]
        with self.db.tenant_session(tenant_id) as s:
            runstore.create_execution(
                s, workflow_id=self.workflow_ids[workflow], tenant_id=tenant_id, entry_node=entry, state=_ids_only(state),
                user_id=user_id, patient_id=patient_id, encounter_id=encounter_id, voice_session_id=voice_session_id,
                api_client_id=api_client_id,
            )
        return self._invoke(workflow, execution_id, tenant_id, state)

    def resume(self, execution_id: uuid.UUID, tenant_id: uuid.UUID, value: Any) -> RunResult | None:
        """Resume a waiting run (``Command(resume=value)``); None if another process already did."""
        with self.db.tenant_session(tenant_id) as s:
            if not runstore.claim_for_resume(s, execution_id):
                return None
            workflow_id = s.scalar(select(AgentExecution.workflow_id).where(AgentExecution.id == execution_id))
            name = self._names_by_id.get(workflow_id) or s.scalar(select(AgentWorkflow.name).where(AgentWorkflow.id == workflow_id))
        return self._invoke(name, execution_id, tenant_id, Command(resume=value))

    def _invoke(self, workflow: str, execution_id: uuid.UUID, tenant_id: uuid.UUID, payload: Any) -> RunResult:
        graph = self.graphs[workflow]
        config = {"configurable": {"thread_id": str(execution_id)}}
        with tracer.start_as_current_span("workflow.run") as span:
            span.set_attributes({"workflow": workflow, "execution_id": str(execution_id), "tenant_id": str(tenant_id)})
            trace_id = current_trace_id()
            try:
                graph.invoke(payload, config)
                error = None
            except Exception as exc:  # recorded on the run; the caller gets a FAILED result
                error = f"{type(exc).__name__}: {exc}"
            snapshot = graph.get_state(config)
            state = dict(snapshot.values)
            if error:
                status = "FAILED"
            elif snapshot.interrupts:
                status = "WAITING_APPROVAL"
            else:
                status = state.get("final_status") or "COMPLETED"
            span.set_attribute("status", status)
            with self.db.tenant_session(tenant_id) as s:
                execution = s.get(AgentExecution, execution_id)
                assert execution is not None
                metadata = dict(execution.metadata_ or {})
                metadata.setdefault("trace_id", trace_id)
                if metadata["trace_id"] != trace_id:
                    metadata.setdefault("resume_trace_ids", []).append(trace_id)
                runstore.update_execution(
                    s, execution_id, status=status, state_snapshot=_ids_only(state), error_details=error,
                    checkpoint_id=snapshot.config["configurable"].get("checkpoint_id"), metadata_=metadata,
                )
                if status in ("COMPLETED", "FAILED", "CANCELLED"):
                    s.flush()
                    runstore.write_metrics(s, execution_id, tenant_id)
        return RunResult(execution_id, status, state, error)


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)


def _s(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _ids_only(state: State) -> State:
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
