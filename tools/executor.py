"""The executor: the only way a tool runs, and the record of every call.

Every call gets a ``tool_executions`` row (PENDING -> RUNNING -> SUCCEEDED | FAILED | TIMEOUT |
CANCELLED). Checks run before the tool: input validation, API-client scope and tenant, the
Redis rate limit, and for approval-gated tools an APPROVED request. A clinical write, its
``action_history`` row and its ``audit_events`` row commit in one transaction, under an
advisory lock on the call's idempotency key, so a resumed run or a repeated approval applies
a change at most once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from opentelemetry import trace
from pydantic import ValidationError
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from core_schema.db import Database, tenant_lock
from core_schema.models import ActionHistory, AgentApprovalRequest, ApiClient, AuditEvent, ToolExecution
from core_schema.statuses import ApprovalStatus, ToolExecutionStatus
from tools import rate_limit
from tools.context import ToolContext, ToolError, ToolResult
from tools.registry import REGISTRY, Tool, ToolRegistry

UNDO_WINDOW = timedelta(minutes=5)
FINAL = (ToolExecutionStatus.SUCCEEDED, ToolExecutionStatus.FAILED, ToolExecutionStatus.TIMEOUT, ToolExecutionStatus.CANCELLED)
tracer = trace.get_tracer("dentalagent.tools")


@dataclass
class Call:
    """One requested tool call and everything it is linked to."""

    tool: str
    args: dict[str, Any]
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    idempotency_key: str
    execution_id: uuid.UUID | None = None
    step_id: uuid.UUID | None = None
    api_client_id: uuid.UUID | None = None
    approval_request_id: uuid.UUID | None = None
    tool_execution_id: uuid.UUID | None = None
    voice_session_id: uuid.UUID | None = None
    voice_utterance_id: uuid.UUID | None = None


@dataclass
class Outcome:
    """What happened: final status, the row that records it, and the tool's output or error."""

    status: str
    tool_execution_id: uuid.UUID
    output: dict[str, Any] | None = None
    error: str | None = None
    action_history_id: uuid.UUID | None = None
    duplicate: bool = False
    retries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == ToolExecutionStatus.SUCCEEDED


class Refused(Exception):
    """A pre-check failed; the call is recorded as FAILED with this reason and never retried."""


class _Timeout(Exception):
    pass


class _DryRun(Exception):
    """Raised at the end of a dry run so that its transaction rolls back."""


class Executor:
    """Runs tools for one database and Redis (one per process is enough)."""

    def __init__(self, db: Database, redis: Any, registry: ToolRegistry = REGISTRY) -> None:
        self.db = db
        self.redis = redis
        self.registry = registry

    # -- recording -------------------------------------------------------------------------

    def record_pending(self, call: Call) -> uuid.UUID:
        """Create the PENDING row for a call (before approval, or before running it).

        Recording a call whose idempotency key already has a PENDING row returns that row: a
        run resumed after its worker died re-proposes the same calls without duplicating them.
        """
        return self.record_pending_all([call])[0]

    def record_pending_all(self, calls: list[Call]) -> list[uuid.UUID]:
        """``record_pending`` for a run's whole proposal in one transaction (one tenant): a process
        killed while recording leaves all of the calls or none, never a part that a resumed run
        would take for the whole proposal."""
        ids: list[uuid.UUID] = []
        if not calls:
            return ids
        with self.db.tenant_session(calls[0].tenant_id) as s:
            for call in calls:
                existing = s.scalar(select(ToolExecution.id).where(
                    ToolExecution.input_params["idempotency_key"].astext == call.idempotency_key,
                    ToolExecution.status == ToolExecutionStatus.PENDING).limit(1))
                if existing is not None:
                    ids.append(existing)
                    continue
                row_id = uuid.uuid4()
                s.add(ToolExecution(
                    id=row_id, agent_step_id=call.step_id, tool_id=self.registry.get(call.tool).id,
                    tenant_id=call.tenant_id, api_client_id=call.api_client_id, status=ToolExecutionStatus.PENDING,
                    input_params={"arguments": call.args, "idempotency_key": call.idempotency_key},
                ))
                s.flush()  # a later call with the same key finds this row
                ids.append(row_id)
        return ids

    def recorded_calls(self, tenant_id: uuid.UUID, key_prefix: str) -> list[uuid.UUID]:
        """The calls already recorded under idempotency keys ``{key_prefix}{n}``, in the order of n."""
        with self.db.tenant_session(tenant_id) as s:
            rows = s.execute(select(ToolExecution.id, ToolExecution.input_params["idempotency_key"].astext).where(
                ToolExecution.input_params["idempotency_key"].astext.startswith(key_prefix, autoescape=True))).all()
        return [row_id for row_id, key in sorted(rows, key=lambda r: int(r[1][len(key_prefix):] or 0))]

    def load_call(self, tenant_id: uuid.UUID, tool_execution_id: uuid.UUID) -> tuple[str, dict[str, Any], str]:
        """(tool name, current arguments, idempotency key) of a recorded call."""
        with self.db.tenant_session(tenant_id) as s:
            row = s.get(ToolExecution, tool_execution_id)
            if row is None:
                raise KeyError(f"tool execution {tool_execution_id} not found in this clinic")
            name = next(t.name for t in self.registry if t.id == row.tool_id)
            return name, dict(row.input_params["arguments"]), str(row.input_params["idempotency_key"])

    def cancel(self, tenant_id: uuid.UUID, tool_execution_id: uuid.UUID, reason: str) -> None:
        """Mark a PENDING call CANCELLED (its approval was rejected); nothing was written."""
        self._finish(tenant_id, tool_execution_id, ToolExecutionStatus.CANCELLED, error=reason, only_if=(ToolExecutionStatus.PENDING,))

    # -- dry run ---------------------------------------------------------------------------

    def validate(self, call: Call) -> str | None:
        """Would the tool refuse ``call``? Its reason, or None; nothing is kept.

        Checks input and API-client scope the way a run does (not the rate limit, not the
        approval), then runs the tool in a transaction that is always rolled back, so a
        proposal is refused before anyone is asked to approve it. No ``tool_executions``,
        ``action_history`` or audit row is written. Transient errors (timeouts, lost
        connections) are not refusals: the real run decides those.
        """
        tool = self.registry.get(call.tool)
        try:
            args = tool.input_model.model_validate(call.args)
        except ValidationError as exc:
            return f"invalid input for {tool.name}: {_validation_summary(exc)}"
        try:
            self._check_client(tool, call)
        except Refused as exc:
            return str(exc)
        try:
            with self.db.tenant_session(call.tenant_id) as s:
                s.execute(text(f"SET LOCAL statement_timeout = {int(tool.timeout_ms)}"))
                tool.fn(ToolContext(
                    session=s, tenant_id=call.tenant_id, user_id=call.user_id, execution_id=call.execution_id,
                    step_id=call.step_id, api_client_id=call.api_client_id, voice_session_id=call.voice_session_id,
                    voice_utterance_id=call.voice_utterance_id, approval_request_id=call.approval_request_id,
                ), args)
                raise _DryRun()  # leaves the tenant session by rolling back everything the tool did
        except _DryRun:
            return None
        except ToolError as exc:
            return str(exc)
        except OperationalError:
            return None
        except DBAPIError as exc:
            if "statement timeout" in str(exc.orig):
                return None
            return f"database refused the change: {_first_line(exc)}"

    # -- running ---------------------------------------------------------------------------

    def run(self, call: Call) -> Outcome:
        """Run ``call`` to a final status; never raises for a refused or failing tool."""
        tool = self.registry.get(call.tool)
        texec_id = call.tool_execution_id or self.record_pending(call)
        with tracer.start_as_current_span("tool.call") as span:
            span.set_attributes({"tool": tool.name, "tenant_id": str(call.tenant_id), "tool_execution_id": str(texec_id)})
            outcome = self._run(tool, call, texec_id)
            if outcome.duplicate and outcome.tool_execution_id != texec_id:
                self._finish(call.tenant_id, texec_id, ToolExecutionStatus.CANCELLED, error=f"already applied by {outcome.tool_execution_id}")
            span.set_attribute("status", outcome.status)
            return outcome

    def _run(self, tool: Tool, call: Call, texec_id: uuid.UUID) -> Outcome:
        started = time.perf_counter()
        try:
            args = tool.input_model.model_validate(call.args)
            self._check_client(tool, call)
            approver = self._check_approval(call, texec_id) if tool.requires_approval else None
            if not rate_limit.allow(self.redis, call.tenant_id, tool.name, tool.rate_limit_per_minute):
                raise Refused(f"rate limit exceeded: {tool.name} allows {tool.rate_limit_per_minute} calls per minute per clinic")
        except ValidationError as exc:
            return self._fail(call, texec_id, ToolExecutionStatus.FAILED, f"invalid input for {tool.name}: {_validation_summary(exc)}", started)
        except Refused as exc:
            return self._fail(call, texec_id, ToolExecutionStatus.FAILED, str(exc), started)

        attempts = max(1, tool.retry.max_attempts)
        for attempt in range(attempts):
            self._finish(call.tenant_id, texec_id, ToolExecutionStatus.RUNNING, retry_count=attempt, step_id=call.step_id,
                         only_if=(ToolExecutionStatus.PENDING, ToolExecutionStatus.RUNNING, ToolExecutionStatus.TIMEOUT))
            try:
                return self._attempt(tool, call, args, texec_id, started, attempt, approver)
            except ToolError as exc:
                return self._fail(call, texec_id, ToolExecutionStatus.FAILED, str(exc), started, attempt)
            except _Timeout:
                status, error = ToolExecutionStatus.TIMEOUT, f"{tool.name} exceeded its {tool.timeout_ms} ms timeout"
            except OperationalError as exc:
                status, error = ToolExecutionStatus.FAILED, f"transient database error: {_first_line(exc)}"
            except DBAPIError as exc:
                return self._fail(call, texec_id, ToolExecutionStatus.FAILED, f"database refused the change: {_first_line(exc)}", started, attempt)
            if attempt + 1 < attempts:
                time.sleep(tool.retry.backoff_ms / 1000 * (attempt + 1))
        return self._fail(call, texec_id, status, error, started, attempts - 1)

    def _attempt(self, tool: Tool, call: Call, args: Any, texec_id: uuid.UUID, started: float, attempt: int,
                 approver: uuid.UUID | None = None) -> Outcome:
        with self.db.tenant_session(call.tenant_id) as s:
            s.execute(text(f"SET LOCAL statement_timeout = {int(tool.timeout_ms)}"))
            tenant_lock(s, f"tool-call:{call.idempotency_key}")
            done = s.execute(
                select(ToolExecution.id, ToolExecution.output_result).where(
                    ToolExecution.input_params["idempotency_key"].astext == call.idempotency_key,
                    ToolExecution.status == ToolExecutionStatus.SUCCEEDED,
                )
            ).first()
            if done is not None:  # applied before: by an earlier attempt, run or approval
                return Outcome(ToolExecutionStatus.SUCCEEDED, done.id, output=done.output_result, duplicate=True, retries=attempt)
            ctx = ToolContext(
                session=s, tenant_id=call.tenant_id, user_id=call.user_id, execution_id=call.execution_id,
                step_id=call.step_id, api_client_id=call.api_client_id, voice_session_id=call.voice_session_id,
                voice_utterance_id=call.voice_utterance_id, approval_request_id=call.approval_request_id,
            )
            t0 = time.perf_counter()
            try:
                result: ToolResult = tool.fn(ctx, args)
            except DBAPIError as exc:
                if "statement timeout" in str(exc.orig):
                    raise _Timeout() from None
                raise
            if (time.perf_counter() - t0) * 1000 > tool.timeout_ms:
                raise _Timeout()  # too late: roll the work back rather than commit it
            history_id = self._write_history(s, call, result, approver) if result.mutation else None
            duration = int((time.perf_counter() - started) * 1000)
            s.execute(
                update(ToolExecution).where(ToolExecution.id == texec_id).values(
                    status=ToolExecutionStatus.SUCCEEDED, output_result=result.output, duration_ms=duration, retry_count=attempt,
                    completed_at=datetime.now(timezone.utc), error_message=None,
                )
            )
        return Outcome(ToolExecutionStatus.SUCCEEDED, texec_id, output=result.output, action_history_id=history_id, retries=attempt, extra=result.extra)

    def _write_history(self, s: Any, call: Call, result: ToolResult, approver: uuid.UUID | None = None) -> uuid.UUID:
        """``action_history`` + ``audit_events`` of a write, naming requester and approver apart.

        For an approved change the approver is the author: their decision authorised the
        write, so ``action_history.user_id`` and the audit ``actor_id`` are the approver (the
        requester, a user or an API client, is kept in the audit metadata). Without an
        approval the caller is the author, as before.
        """
        m = result.mutation
        assert m is not None
        history_id = uuid.uuid4()
        author = approver or call.user_id
        s.add(ActionHistory(
            id=history_id, tenant_id=call.tenant_id, user_id=author, voice_session_id=call.voice_session_id,
            voice_utterance_id=call.voice_utterance_id, agent_execution_id=call.execution_id,
            approval_request_id=call.approval_request_id, entity_type=m.entity_type, entity_id=m.entity_id,
            action_type=m.action_type, previous_state=m.previous_state, new_state=m.new_state,
            change_summary=m.summary, undo_expires_at=datetime.now(timezone.utc) + UNDO_WINDOW,
        ))
        by_client = call.api_client_id is not None and approver is None
        s.add(AuditEvent(
            tenant_id=call.tenant_id, actor_type="API_CLIENT" if by_client else "USER",
            actor_id=call.api_client_id if by_client else author, event_type=f"CLINICAL_{m.action_type}",
            resource_type=m.entity_type, resource_id=m.entity_id,
            metadata_={"tool": call.tool, "action_history_id": str(history_id), "user_id": str(author),
                       "requested_by_user_id": str(call.user_id),
                       "approved_by_user_id": str(approver) if approver else None,
                       "api_client_id": str(call.api_client_id) if call.api_client_id else None,
                       "execution_id": str(call.execution_id) if call.execution_id else None,
                       "approval_request_id": str(call.approval_request_id) if call.approval_request_id else None},
        ))
        s.flush()
        return history_id

    # -- checks ----------------------------------------------------------------------------

    def _check_client(self, tool: Tool, call: Call) -> None:
        if call.api_client_id is None:
            return
        with self.db.tenant_session(call.tenant_id) as s:
            client = s.get(ApiClient, call.api_client_id)  # RLS: another clinic's client is invisible
            if client is None:
                raise Refused(f"API client {call.api_client_id} is not registered for this clinic")
            scopes = set(client.scopes or [])
            if tool.scope and tool.scope not in scopes:
                raise Refused(f"scope {tool.scope!r} not granted to API client {client.client_id!r}")

    def _check_approval(self, call: Call, texec_id: uuid.UUID) -> uuid.UUID | None:
        """Refuse unless an APPROVED request covers this call; returns who approved it."""
        if call.approval_request_id is None:
            raise Refused(f"{call.tool} changes clinical data and needs an approved request")
        with self.db.tenant_session(call.tenant_id) as s:
            req = s.get(AgentApprovalRequest, call.approval_request_id)
            if req is None or req.status != ApprovalStatus.APPROVED or req.tool_execution_id not in (None, texec_id):
                raise Refused(f"approval {call.approval_request_id} does not approve this call")
            return req.reviewer_id

    # -- finishing -------------------------------------------------------------------------

    def _fail(self, call: Call, texec_id: uuid.UUID, status: str, error: str, started: float, retries: int = 0) -> Outcome:
        duration = int((time.perf_counter() - started) * 1000)
        self._finish(call.tenant_id, texec_id, status, error=error, duration_ms=duration, retry_count=retries,
                     step_id=call.step_id)
        return Outcome(status, texec_id, error=error, retries=retries)

    def _finish(self, tenant_id: uuid.UUID, texec_id: uuid.UUID, status: str, *, only_if: tuple[str, ...] | None = None,
                error: str | None = None, duration_ms: int | None = None, retry_count: int | None = None,
                step_id: uuid.UUID | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if step_id is not None:
            values["agent_step_id"] = step_id
        if status in FINAL:
            values["completed_at"] = datetime.now(timezone.utc)
        if status == ToolExecutionStatus.RUNNING:
            values["started_at"] = datetime.now(timezone.utc)
        if error is not None:
            values["error_message"] = error
        if duration_ms is not None:
            values["duration_ms"] = duration_ms
        if retry_count is not None:
            values["retry_count"] = retry_count
        stmt = update(ToolExecution).where(ToolExecution.id == texec_id)
        if only_if:
            stmt = stmt.where(ToolExecution.status.in_(only_if))
        with self.db.tenant_session(tenant_id) as s:
            s.execute(stmt.values(**values))


def _validation_summary(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()[:5])


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]
