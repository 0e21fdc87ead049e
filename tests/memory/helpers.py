"""Shared ids and helpers of the memory tests."""

from __future__ import annotations

from sqlalchemy import text

from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, UNIVERSAL_TENANT_ID, sid

DENTIST_ID = sid("user", "dentist@demo.clinic")
HYGIENIST_ID = sid("user", "hygienist@demo.clinic")
P1, P2, P3 = DEMO_PATIENT_IDS
__all__ = ["DEMO_TENANT_ID", "UNIVERSAL_TENANT_ID", "DENTIST_ID", "HYGIENIST_ID", "P1", "P2", "P3", "count_rows"]


def count_rows(db, where: str = "true", **params: object) -> int:
    """Rows (and so vectors) in agent_memories as the owner sees them (no row-level security)."""
    with db.system_session() as s:
        return int(s.execute(text(f"SELECT count(*) FROM agent_memories WHERE {where}"), params).scalar_one())
