"""The executor's refusals and failure modes are recorded as tool executions with reasons."""

from __future__ import annotations

import socket
import uuid

import pytest
import redis
from pydantic import BaseModel, ConfigDict
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import text

from core_schema.models import ApiClient, ToolExecution
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, UNIVERSAL_TENANT_ID, sid
from tools import rate_limit
from tools.context import ToolContext, ToolResult
from tools.executor import Call
from tools.registry import Category, RetryPolicy, Tool

DENTIST_ID = sid("user", "dentist@demo.clinic")
VOICE_CLIENT = sid("api-client", "voice-agent")


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sleep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float


def _sleep(ctx: ToolContext, args: Sleep) -> ToolResult:
    ctx.session.execute(text("SELECT pg_sleep(:s)"), {"s": args.seconds})
    return ToolResult(output={"slept": args.seconds})


@pytest.fixture
def probe_tools(engine, registry):
    """Two probe tools in REGISTRY (and ``agent_tools``) for the test; the ``registry`` fixture removes them."""
    extra = [
        Tool("probe_rate_limited", "test probe", Category.COMPUTATION, Empty, lambda c, a: ToolResult({"ok": True}),
             rate_limit_per_minute=2),
        Tool("probe_slow", "test probe", Category.COMPUTATION, Sleep, _sleep, timeout_ms=200,
             retry=RetryPolicy(max_attempts=2, backoff_ms=10)),
    ]
    for t in extra:
        registry.add(t)
    with engine.db.system_session() as s:
        registry.sync(s)
    return extra


def _call(tool: str, args: dict, **kw) -> Call:
    return Call(tool=tool, args=args, tenant_id=kw.pop("tenant_id", DEMO_TENANT_ID), user_id=DENTIST_ID,
                idempotency_key=f"test:{uuid.uuid4()}", **kw)


def _row(engine, texec_id: uuid.UUID, tenant=DEMO_TENANT_ID) -> ToolExecution:
    with engine.db.tenant_session(tenant) as s:
        return s.get(ToolExecution, texec_id)


def test_rate_limit_refusal_is_a_failed_execution(engine, probe_tools) -> None:
    outcomes = [engine.executor.run(_call("probe_rate_limited", {})) for _ in range(3)]
    assert [o.status for o in outcomes] == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    row = _row(engine, outcomes[2].tool_execution_id)
    assert row.status == "FAILED" and "rate limit exceeded" in row.error_message


def test_scope_refusal_is_a_failed_execution(engine) -> None:
    limited = uuid.uuid4()
    with engine.db.system_session() as s:
        s.add(ApiClient(id=limited, tenant_id=DEMO_TENANT_ID, client_id=f"reader-{limited.hex[:6]}", name="reader",
                        client_secret_hash="x", scopes=["patients:read"]))
    outcome = engine.executor.run(_call("get_dental_chart", {"patient_id": str(DEMO_PATIENT_IDS[0])}, api_client_id=limited))
    assert outcome.status == "FAILED"
    assert _row(engine, outcome.tool_execution_id).error_message == "scope 'chart:read' not granted to API client " \
        f"'reader-{limited.hex[:6]}'"
    ok = engine.executor.run(_call("get_dental_chart", {"patient_id": str(DEMO_PATIENT_IDS[0])}, api_client_id=VOICE_CLIENT))
    assert ok.status == "SUCCEEDED"


def test_client_of_another_clinic_is_refused(engine) -> None:
    outcome = engine.executor.run(_call("get_dental_chart", {"patient_id": str(DEMO_PATIENT_IDS[0])},
                                        tenant_id=UNIVERSAL_TENANT_ID, api_client_id=VOICE_CLIENT))
    assert outcome.status == "FAILED" and "not registered for this clinic" in outcome.error


def test_mutation_without_approval_is_refused(engine) -> None:
    outcome = engine.executor.run(_call("update_dental_chart", {
        "patient_id": str(DEMO_PATIENT_IDS[0]), "changes": [{"tooth": "11", "label": "caries", "surfaces": ["M"]}]}))
    assert outcome.status == "FAILED" and "needs an approved request" in outcome.error


def test_invalid_input_is_a_clear_failure(engine) -> None:
    outcome = engine.executor.run(_call("get_dental_chart", {"patient": "nobody"}))
    assert outcome.status == "FAILED" and outcome.error.startswith("invalid input for get_dental_chart")


def test_timeout_is_retried_then_recorded(engine, probe_tools) -> None:
    outcome = engine.executor.run(_call("probe_slow", {"seconds": 1.0}))
    row = _row(engine, outcome.tool_execution_id)
    assert (outcome.status, row.status, row.retry_count) == ("TIMEOUT", "TIMEOUT", 1)
    assert "exceeded its 200 ms timeout" in row.error_message
    fast = engine.executor.run(_call("probe_slow", {"seconds": 0.0}))
    assert fast.status == "SUCCEEDED"


def test_same_idempotency_key_runs_once(engine) -> None:
    call = _call("get_dental_chart", {"patient_id": str(DEMO_PATIENT_IDS[0])})
    first = engine.executor.run(call)
    second = engine.executor.run(call)
    assert first.ok and second.duplicate and second.tool_execution_id == first.tool_execution_id


def test_rate_limit_holds_in_the_process_while_redis_is_down() -> None:
    """Redis unreachable (a real client on a port nobody listens on): calls are counted here instead."""
    with socket.socket() as s:  # a free loopback port, closed again: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # no retries with backoff: three refused calls stay within one minute's window
    down = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    tenant = uuid.uuid4()
    assert [rate_limit.allow(down, tenant, "probe_down", 2) for _ in range(3)] == [True, True, False]
    assert rate_limit.allow(down, uuid.uuid4(), "probe_down", 2)  # another clinic counts apart
