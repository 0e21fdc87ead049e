"""Monitoring: how reviewers receive each model version's findings, and what later care showed.

``review_rates``: per model version and label, the share of reviewed findings CONFIRMED,
EDITED and REJECTED (from ``ai_review_events``), with the top rejection reasons.
``link_procedure``: ``ai_outcome_links`` rows when a later completed procedure on the tooth
confirms or contradicts a finding.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from core_schema.db import Database
from core_schema.models import (
    AIInferenceJob,
    AIModel,
    AIModelVersion,
    AIOutcomeLink,
    AIPrediction,
    AIReviewEvent,
    Procedure,
)
from core_schema.statuses import ProcedureStatus, ReviewAction
from imaging.errors import ImagingError

# A completed procedure that confirms a finding of this label (by the catalog label of the procedure).
CONFIRMING = {"caries": {"filling", "composite", "amalgam", "restoration", "crown", "root_canal", "extraction"},
              "periapical_radiolucency": {"root_canal", "extraction", "apicoectomy"},
              "calculus": {"scaling", "prophylaxis", "scaling_root_planing"}}


def review_rates(db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    with db.tenant_session(tenant_id) as s:
        rows = s.execute(
            select(AIModel.name, AIModelVersion.version_tag, AIModelVersion.id, AIPrediction.prediction_type,
                   AIReviewEvent.review_action, AIReviewEvent.reason_code)
            .join(AIPrediction, AIPrediction.id == AIReviewEvent.prediction_id)
            .join(AIInferenceJob, AIInferenceJob.id == AIPrediction.job_id)
            .join(AIModelVersion, AIModelVersion.id == AIInferenceJob.model_version_id)
            .join(AIModel, AIModel.id == AIModelVersion.model_id)
            .where(AIPrediction.tenant_id == tenant_id, AIReviewEvent.use_for_training.is_(True))).all()
    groups: dict[tuple[str, str, str, str], Counter[str]] = defaultdict(Counter)
    reasons: dict[tuple[str, str, str, str], Counter[str]] = defaultdict(Counter)
    for name, tag, vid, label, action, reason in rows:
        key = (str(vid), name, tag, label)
        groups[key][action] += 1
        if action == ReviewAction.REJECTED and reason:
            reasons[key][reason] += 1
    out = []
    for (version_id, name, tag, label), c in sorted(groups.items(), key=lambda kv: kv[0][1:]):
        n = sum(c.values())
        out.append({"version_id": version_id, "model": name, "version": tag, "label": label, "reviewed": n,
                    "acceptance_rate": round((c[ReviewAction.CONFIRMED] + c[ReviewAction.EDITED]) / n, 4),
                    "confirmed_rate": round(c[ReviewAction.CONFIRMED] / n, 4), "edit_rate": round(c[ReviewAction.EDITED] / n, 4),
                    "rejection_rate": round(c[ReviewAction.REJECTED] / n, 4),
                    "top_rejection_reasons": dict(reasons[(version_id, name, tag, label)].most_common(3))})
    return out


def link_procedure(db: Database, tenant_id: uuid.UUID, procedure_id: uuid.UUID) -> list[dict[str, Any]]:
    """Link a COMPLETED procedure to the patient's earlier findings on its tooth.

    ``ground_truth_code`` is the procedure's CDT code; ``ground_truth_source`` says what it
    shows: ``PROCEDURE_CONFIRMS`` (it treats the finding: a filling for caries, a root canal
    for a periapical lesion...) or ``PROCEDURE_CONTRADICTS`` (work on a tooth the finding said
    was missing). Other procedures on the tooth say nothing about the finding: no link.
    Linking the same procedure twice adds nothing.
    """
    from tools.clinical.common import catalog_entries

    with db.tenant_session(tenant_id) as s:
        proc = s.get(Procedure, procedure_id)
        if proc is None:
            raise ImagingError("procedure_not_found", f"procedure {procedure_id} not found in this clinic", 404)
        if proc.status != ProcedureStatus.COMPLETED or not proc.tooth_number:
            raise ImagingError("outcome_invalid", "only a completed procedure on a tooth confirms or contradicts a finding")
        entries = catalog_entries(s, tenant_id, code=proc.cdt_code)
        label = (entries[0].label or "") if entries else ""
        done = proc.end_at or proc.updated_at
        linked = set(s.scalars(select(AIOutcomeLink.prediction_id).where(AIOutcomeLink.procedure_id == procedure_id)))
        out = []
        for p in s.scalars(select(AIPrediction).where(AIPrediction.patient_id == proc.patient_id,
                                                      AIPrediction.prediction_type != "tooth",
                                                      AIPrediction.created_at <= done)):
            tooth = ((p.raw_output or {}).get("assignment") or {}).get("tooth")
            if tooth != proc.tooth_number or p.id in linked:
                continue
            if any(k in label for k in CONFIRMING.get(p.prediction_type, ())):
                verdict = "PROCEDURE_CONFIRMS"
            elif p.prediction_type == "missing":
                verdict = "PROCEDURE_CONTRADICTS"
            else:
                continue
            link = AIOutcomeLink(id=uuid.uuid4(), prediction_id=p.id, encounter_id=proc.encounter_id,
                                 procedure_id=procedure_id, ground_truth_code=proc.cdt_code,
                                 ground_truth_source=verdict, evaluation_timestamp=datetime.now(timezone.utc))
            s.add(link)
            out.append({"outcome_link_id": str(link.id), "prediction_id": str(p.id), "label": p.prediction_type,
                        "ground_truth_code": proc.cdt_code, "ground_truth_source": verdict})
        return out
