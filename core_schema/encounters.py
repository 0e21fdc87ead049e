"""Which of a patient's encounters is "the open one": the visit new work attaches to.

One rule for every caller (the clinical tools and the voice sessions), so a dictation and the
tool it turns into never pick two different visits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.models import Encounter
from core_schema.statuses import EncounterStatus

# Encounters in these states are over: new work is not attached to them.
CLOSED_ENCOUNTER_STATUSES: tuple[str, ...] = (
    EncounterStatus.COMPLETED, EncounterStatus.CANCELLED, EncounterStatus.CHECKED_OUT, EncounterStatus.NO_SHOW, EncounterStatus.CLOSED)


def open_encounter(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> Encounter | None:
    """The patient's encounter that is not closed, the latest started when several are, or None.

    "Started" is the check-in; a visit not checked in yet counts from its scheduled start, after
    every visit that has begun, so a booking for next month never outranks the visit in the chair.
    """
    return session.scalar(
        select(Encounter)
        .where(
            Encounter.tenant_id == tenant_id,
            Encounter.patient_id == patient_id,
            Encounter.status.not_in(CLOSED_ENCOUNTER_STATUSES),
        )
        .order_by(
            Encounter.check_in_at.desc().nulls_last(),
            Encounter.scheduled_start_at.desc().nulls_last(),
            Encounter.created_at.desc(),
            Encounter.id.desc(),
        )
        .limit(1)
    )
