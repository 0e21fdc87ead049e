"""What a finished run leaves in memory: a patient's episodic summary, and the clinician's habits.

The summary is built from the applied tool calls' arguments, keeping clinical vocabulary
only (teeth, surfaces, labels, codes, grades, the visit date and the run id): never a note's
free text, a transcript, a name or a birth date. One summary per run (a stable id, so a run
resumed after a crash rewrites the same row).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core_schema.db import Database
from memory import habits
from memory.records import MemoryWrite, Scope
from memory.repository import MemoryRepository

log = logging.getLogger(__name__)
SUMMARY_NAMESPACE = uuid.UUID("d5a1f3c2-7b64-4e0d-9c1a-2f8e6b4d0a37")
_VERBS = {"update_dental_chart": "charted", "add_treatment_plan_item": "planned", "record_procedure": "procedure",
          "add_encounter_diagnosis": "diagnosis", "record_perio_measurements": "perio", "create_clinical_note": "note",
          "move_treatment_plan_item": "plan reordered", "chart_imaging_finding": "radiograph"}
_VISIT_DATE = re.compile(r"^Visit (\d{4}-\d{2}-\d{2})")


@lru_cache(maxsize=4)
def repository_for(db: Database) -> MemoryRepository:
    return MemoryRepository(db)


def describe_call(tool: str, args: dict[str, Any]) -> list[str]:
    """Clinical facts of one applied call, e.g. ``charted tooth 16 caries (O)``."""
    verb = _VERBS.get(tool)
    if verb is None:
        return []
    if tool == "update_dental_chart":
        return [f"{verb} tooth {c.get('tooth')} {str(c.get('label', '')).replace('_', ' ')}"
                + (f" ({''.join(c['surfaces'])})" if c.get("surfaces") else "")
                + (f" grade {c['grade']}" if c.get("grade") is not None else "") for c in args.get("changes") or []]
    if tool == "chart_imaging_finding":  # "tooth T LABEL" as the chart's lines say it: earlier_mention finds both
        return [f"{verb} tooth {args.get('tooth') or '?'} {str(args.get('label', '')).replace('_', ' ')}"
                + (f" ({''.join(args['surfaces'])})" if args.get("surfaces") else "")]
    if tool == "record_perio_measurements":
        return [f"{verb} tooth {r.get('tooth')}" for r in args.get("teeth") or []] or [verb]
    if tool == "create_clinical_note":
        return [f"{verb} {str(args.get('note_type') or 'PROGRESS').lower()} written"]  # never the note's text
    parts = [verb]
    for key in ("action", "label", "code", "tooth"):
        if args.get(key):
            parts.append(("tooth " if key == "tooth" else "") + str(args[key]).replace("_", " "))
    if args.get("surfaces"):
        parts.append(f"({''.join(args['surfaces'])})")
    if args.get("new_position"):
        parts.append(f"to position {args['new_position']}")
    return [" ".join(parts)]


def run_summary(session: Session, execution_id: uuid.UUID, applied_ids: list[str]) -> tuple[str, datetime] | None:
    """(summary text, visit time) of a run's applied calls; None when nothing was applied."""
    rows = session.execute(text(
        "SELECT t.name, x.input_params -> 'arguments', x.completed_at FROM tool_executions x "
        "JOIN agent_tools t ON t.id = x.tool_id WHERE x.id = ANY(:ids) AND x.status = 'SUCCEEDED' "
        "ORDER BY x.started_at, x.id"), {"ids": [uuid.UUID(i) for i in applied_ids]}).all()
    facts = [f for name, args, _ in rows for f in describe_call(name, args or {})]
    if not facts:
        return None
    when = max((r[2] for r in rows if r[2] is not None), default=datetime.now(timezone.utc))
    return f"Visit {when:%Y-%m-%d}: " + "; ".join(facts) + f". [run {str(execution_id)[:8]}]", when


def after_run(db: Database, state: Mapping[str, Any]) -> dict[str, Any]:
    """Write what a finished run teaches; never fails the run (a failure is logged, ids only)."""
    out: dict[str, Any] = {}
    try:
        tenant, execution = uuid.UUID(state["tenant_id"]), uuid.UUID(state["execution_id"])
        repo = repository_for(db)
        applied = [str(i) for i in state.get("applied_ids") or []]
        summary, corrected = None, 0
        if (state.get("patient_id") and applied) or state.get("user_id"):
            with db.tenant_session(tenant) as s:  # what the run applied and whether it was corrected: one transaction
                if state.get("patient_id") and applied:
                    summary = run_summary(s, execution, applied)
                if state.get("user_id"):
                    corrected = s.execute(text("SELECT count(*) FROM agent_interventions WHERE execution_id = :e "
                                               "AND intervention_type = 'CORRECT'"), {"e": execution}).scalar_one()
        if summary:
            memory = repo.remember(tenant, MemoryWrite(
                scope=Scope.patient(state["patient_id"]), kind="episodic", content=summary[0], importance=0.6,
                source_type="AGENT_RUN", source_id=execution, id=uuid.uuid5(SUMMARY_NAMESPACE, str(execution)),
                api_client_id=uuid.UUID(state["api_client_id"]) if state.get("api_client_id") else None))
            out["summary_memory_id"] = str(memory.id)
        if corrected:
            out["habit_memory_ids"] = [str(i) for i in habits.learn(db, repo, tenant, uuid.UUID(state["user_id"]))]
    except Exception:  # memory is a by-product: the clinical run already happened
        log.exception("memory not written for run %s", state.get("execution_id"))
    return out


def recent_visit_summaries(session: Session, patient_id: uuid.UUID, limit: int = 3) -> list[dict[str, Any]]:
    """The patient's latest run summaries, newest first, counted as read (inside a tool's session)."""
    rows = session.execute(text(
        "UPDATE agent_memories m SET access_count = access_count + 1, last_accessed_at = now() WHERE m.id IN ("
        " SELECT id FROM agent_memories WHERE scope = 'PATIENT' AND scope_id = :p AND memory_type = 'SUMMARY'"
        " AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at DESC LIMIT :n) "
        "RETURNING m.id, m.content, m.created_at, m.source_id"), {"p": patient_id, "n": limit}).all()
    rows = sorted(rows, key=lambda r: r.created_at, reverse=True)
    return [{"memory_id": str(r.id), "summary": r.content, "created_at": r.created_at.isoformat(),
             "run_id": str(r.source_id) if r.source_id else None} for r in rows]


def earlier_mention(session: Session, patient_id: uuid.UUID, tooth: str, label: str) -> dict[str, Any] | None:
    """The patient's first run summary naming ``tooth T LABEL`` (a lesion under watch since ...), or None.

    Inside the caller's tenant session, so row-level security keeps it to the clinic.
    """
    needle = f"tooth {tooth} {label.replace('_', ' ')}"
    row = session.execute(text(
        "SELECT id, content, created_at FROM agent_memories WHERE scope = 'PATIENT' AND scope_id = :p "
        "AND memory_type = 'SUMMARY' AND (expires_at IS NULL OR expires_at > now()) AND strpos(content, :needle) > 0 "
        "ORDER BY created_at, id LIMIT 1"), {"p": patient_id, "needle": needle}).first()
    if row is None:
        return None
    dated = _VISIT_DATE.match(row.content)
    return {"memory_id": str(row.id), "since": dated.group(1) if dated else f"{row.created_at:%Y-%m-%d}"}
