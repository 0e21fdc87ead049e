"""Tools are typed, exported to OpenAI and LangChain, and synced into agent_tools."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from core_schema.models import AgentTool
from tools.registry import REGISTRY

CLINICAL = {"get_patient_history", "get_dental_chart", "update_dental_chart", "record_perio_measurements",
            "add_encounter_diagnosis", "add_treatment_plan_item", "create_clinical_note", "record_procedure",
            "move_treatment_plan_item"}


def test_clinical_tools_are_registered_with_rules(engine) -> None:
    assert CLINICAL <= {t.name for t in REGISTRY}
    chart = REGISTRY.get("update_dental_chart")
    assert chart.requires_approval and chart.risk_tier == 3 and chart.category.value == "DATA_MUTATION"
    assert not REGISTRY.get("get_dental_chart").requires_approval


def test_openai_and_langchain_forms(engine) -> None:
    schema = REGISTRY.get("update_dental_chart").openai_schema()
    assert schema["type"] == "function" and schema["function"]["name"] == "update_dental_chart"
    assert "patient_id" in schema["function"]["parameters"]["properties"]
    calls = []
    lc = REGISTRY.get("get_dental_chart").as_langchain(lambda name, args: calls.append((name, args)) or "ok")
    assert lc.name == "get_dental_chart" and lc.invoke({"patient_id": "5b2b7b3e-3f4e-4b8e-9a57-1c2d3e4f5a6b"}) == "ok"
    assert calls[0][0] == "get_dental_chart"


def test_sync_is_idempotent_and_updates_changed_schema(engine, registry) -> None:
    with engine.db.system_session() as s:
        assert REGISTRY.sync(s) == 0  # synced at start-up already
        rows = {r.name: r for r in s.scalars(select(AgentTool))}
    assert CLINICAL <= set(rows)
    original = REGISTRY.get("create_clinical_note")
    changed = dataclasses.replace(original, timeout_ms=original.timeout_ms + 1)
    REGISTRY._tools[original.name] = changed  # the registry fixture puts the original back and syncs it
    with engine.db.system_session() as s:
        assert REGISTRY.sync(s) == 1
        assert s.scalars(select(AgentTool.timeout_ms).where(AgentTool.name == original.name)).one() == changed.timeout_ms
