"""The reviewer's side of imaging review: proposals in words, review events, the report note.

Review events: when a run's findings are all decided, each decision becomes one
``ai_review_events`` row -- CONFIRMED (approved as proposed), EDITED (approved with a
correction: the approval's edit also wrote an ``agent_interventions`` row) or REJECTED with
its reason code. The reason code is read from the decision's comment: ``--reason CODE`` (or a
comment starting with one of ``REASON_CODES``); anything else is ``other`` with the comment
kept. Rows are written once per decision, even when the run is resumed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core_schema.db import Database
from core_schema.models import (
    AgentApprovalRequest,
    AIInferenceJob,
    AIModel,
    AIModelVersion,
    AIPrediction,
    AIReviewEvent,
    ToolExecution,
)
from core_schema.rows import get_row
from core_schema.statuses import ApprovalStatus, ReviewAction
from imaging.labels import REASON_CODES
from memory.writers import earlier_mention


def _finding_text(tooth: str | None, label: str, surfaces: list[str] | None) -> str:
    detail = f" ({''.join(surfaces)})" if surfaces else ""
    return f"tooth {tooth or '?'}: {label.replace('_', ' ')}{detail}"


def describe_proposals(db: Database, tenant_id: uuid.UUID,
                       texec_ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """(the request's sentence, details for the reviewer's screen) of each proposed finding."""
    out = []
    with db.tenant_session(tenant_id) as s:
        for texec_id in texec_ids:
            args = get_row(s, ToolExecution, uuid.UUID(texec_id)).input_params["arguments"]
            p = get_row(s, AIPrediction, uuid.UUID(args["prediction_id"]))
            raw = dict(p.raw_output or {})
            job = get_row(s, AIInferenceJob, p.job_id)
            version = get_row(s, AIModelVersion, job.model_version_id)
            model = get_row(s, AIModel, version.model_id)
            confidence = float(p.confidence or 0)
            chart = raw.get("chart") or {}
            text = (f"Radiograph finding: {_finding_text(args.get('tooth'), args['label'], args.get('surfaces'))}, "
                    f"AI confidence {confidence:.2f} ({model.name} {version.version_tag})")
            if chart.get("status") == "conflict":
                text += f"; CONFLICT: {chart.get('reason')}"
            seen = earlier_mention(s, uuid.UUID(args["patient_id"]), args["tooth"], args["label"]) if args.get("tooth") else None
            if seen:  # the patient's memory: the same finding on the same tooth at an earlier visit
                text += f"; under watch since {seen['since']} (memory {seen['memory_id'][:8]})"
            if not args.get("tooth"):
                text += "; no tooth found: set the tooth before approving"
            extra = {"prediction_id": args["prediction_id"], "imaging_object_id": str(p.imaging_object_id),
                     "label": args["label"], "confidence": confidence, "box": raw.get("box"),
                     "chart_status": chart.get("status"), "conflict_reason": chart.get("reason"),
                     "model": f"{model.name} {version.version_tag}"}
            if seen:
                extra["history"] = seen
            if not args.get("tooth"):
                extra["missing"] = ["tooth"]
            out.append((text, extra))
    return out


def annotate_requests(db: Database, tenant_id: uuid.UUID, approval_ids: list[uuid.UUID],
                      details: dict[str, dict[str, Any]]) -> None:
    """Add the finding's details (and ``missing``) to each request, unless a reviewer already corrected it."""
    with db.tenant_session(tenant_id) as s:
        for req in s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.id.in_(approval_ids))):
            extra = details.get(str(req.tool_execution_id))
            if not extra or req.action_details.get("edited") or req.status != ApprovalStatus.PENDING:
                continue
            req.action_details = {**req.action_details, **extra}


def reason_of(comment: str | None) -> tuple[str | None, str | None]:
    """(reason code, remaining comment) from a decision's comment."""
    if not comment:
        return None, None
    m = re.match(r"\s*([a-z_]+)\s*(?:[:\-]\s*(.*))?$", comment, re.S)
    if m and m.group(1) in REASON_CODES:
        return m.group(1), (m.group(2) or None)
    return "other", comment


def _decisions(s: Any, texec_ids: list[str]) -> list[tuple[ToolExecution, AgentApprovalRequest | None]]:
    out = []
    for texec_id in texec_ids:
        texec = s.get(ToolExecution, uuid.UUID(texec_id))
        req = s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.tool_execution_id == texec.id, AgentApprovalRequest.status.in_((ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)))
            .order_by(AgentApprovalRequest.reviewed_at.desc())).first()
        out.append((texec, req))
    return out


def record_events(db: Database, tenant_id: uuid.UUID, texec_ids: list[str], for_training: bool = True) -> int:
    """One ``ai_review_events`` row per decided finding (skipping those already recorded);
    ``for_training`` False for eval runs (kept out of training sets and monitoring)."""
    written = 0
    with db.tenant_session(tenant_id) as s:
        for texec, req in _decisions(s, texec_ids):
            if req is None:
                continue
            prediction_id = uuid.UUID(texec.input_params["arguments"]["prediction_id"])
            original = s.get(AIPrediction, prediction_id)
            if original is None or s.scalar(select(AIReviewEvent.id).where(
                    AIReviewEvent.prediction_id == prediction_id, AIReviewEvent.reviewer_id == req.reviewer_id,
                    AIReviewEvent.created_at >= req.reviewed_at).limit(1)) is not None:
                continue
            if req.status == ApprovalStatus.REJECTED:
                action, (code, comment) = ReviewAction.REJECTED, reason_of(req.review_comment)
            else:
                action = ReviewAction.EDITED if req.action_details.get("edited") else ReviewAction.CONFIRMED
                code, comment = None, req.review_comment
            s.add(AIReviewEvent(id=uuid.uuid4(), prediction_id=prediction_id, reviewer_id=req.reviewer_id,
                                review_action=action, reason_code=code, comment=comment, use_for_training=for_training))
            written += 1
    return written


def report_text(db: Database, tenant_id: uuid.UUID, state: Mapping[str, Any]) -> str:
    """The radiology report: image, model, and each finding confirmed / edited / rejected / not proposed."""
    confirmed, edited, rejected, not_proposed = [], [], [], []
    with db.tenant_session(tenant_id) as s:
        for texec, req in _decisions(s, state.get("awaiting_ids") or []):
            args = texec.input_params["arguments"]
            p = get_row(s, AIPrediction, uuid.UUID(args["prediction_id"]))
            now = _finding_text(args.get("tooth"), args["label"], args.get("surfaces"))
            conf = f"AI {float(p.confidence or 0):.2f}"
            if req is None or req.status != ApprovalStatus.APPROVED:
                code, comment = reason_of(req.review_comment if req else None)
                why = f"reason: {code}" + (f" ({comment})" if comment else "") if code else "no reason given"
                rejected.append(f"- {now} [{conf}; {why}]")
            elif req.action_details.get("edited"):
                a = (p.raw_output or {}).get("assignment", {})
                was = _finding_text(a.get("tooth"), p.prediction_type, a.get("surfaces"))
                edited.append(f"- {now} [{conf}; proposed as {was}]")
            else:
                confirmed.append(f"- {now} [{conf}]")
        if state.get("job_id"):
            job = get_row(s, AIInferenceJob, uuid.UUID(state["job_id"]))
            version = get_row(s, AIModelVersion, job.model_version_id)
            model = get_row(s, AIModel, version.model_id)
            model_text = f"{model.name} {version.version_tag} ({model.regulatory_class})"
            for p in s.scalars(select(AIPrediction).where(AIPrediction.job_id == job.id)):
                raw = p.raw_output or {}
                if p.prediction_type != "tooth" and raw.get("triage") == "duplicate":
                    a = raw.get("assignment", {})
                    not_proposed.append(f"- {_finding_text(a.get('tooth'), p.prediction_type, a.get('surfaces'))} "
                                        "[already charted]")
        else:
            model_text = "none"
    lines = [f"Radiology report: AI-assisted review of imaging object {state['imaging_object_id']}",
             f"Model: {model_text}. Findings charted only as confirmed by the reviewer.", ""]
    for title, items in (("Confirmed", confirmed), ("Edited", edited), ("Rejected", rejected),
                         ("Already on the chart", not_proposed)):
        lines.append(f"{title} ({len(items)}):")
        lines.extend(items or ["- none"])
    return "\n".join(lines)
