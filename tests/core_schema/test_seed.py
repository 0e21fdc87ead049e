"""The demo clinic seed: complete, and idempotent to the byte."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import inspect, select, text

from core_schema.directory import find_actor, tooth_notation
from core_schema.models import (
    CodeValue,
    FeeScheduleItem,
    ProcedureCatalog,
    UserAuthIdentity,
)
from core_schema.seed.demo import (
    DEMO_PASSWORD,
    DEMO_TENANT_ID,
    UNIVERSAL_TENANT_ID,
    seed,
)

# Every procedure label of voice-contract.md (plan.item.add).
CONTRACT_PROCEDURE_LABELS = {
    "root_canal", "crown", "extraction", "surgical_extraction", "composite", "amalgam", "sealant",
    "periapical_radiograph", "bitewings", "post_and_core", "implant", "implant_crown",
    "scaling_root_planing", "veneer", "fluoride_varnish", "prophylaxis",
}


def _fingerprint(db) -> dict[str, str]:
    out = {}
    with db.system_session() as s:
        for table in sorted(inspect(db.engine).get_table_names()):
            rows = s.execute(text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"))
            out[table] = rows.scalar_one()
    return out


def test_seeding_twice_changes_nothing(platform) -> None:
    before = _fingerprint(platform.db)
    with platform.db.system_session() as s:
        seed(s)
    assert _fingerprint(platform.db) == before


def test_demo_users_roles_and_passwords(platform) -> None:
    with platform.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
        assistant = find_actor(s, "assistant@demo.clinic")
        hashes = s.scalars(select(UserAuthIdentity.password_hash)).all()
    assert dentist.tenant_id == DEMO_TENANT_ID and "dentist" in dentist.roles
    assert dentist.can("approvals.decide.tier3") and not assistant.can("approvals.decide.tier3")
    assert len(hashes) == 5 and all(h.startswith("$argon2") for h in hashes)
    assert PasswordHasher().verify(hashes[0], DEMO_PASSWORD)


def test_notation_per_tenant(platform) -> None:
    with platform.db.system_session() as s:
        assert tooth_notation(s, DEMO_TENANT_ID) == "FDI"
        assert tooth_notation(s, UNIVERSAL_TENANT_ID) == "UNIVERSAL"


def test_fee_schedule_covers_every_contract_procedure_label(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        rows = s.execute(
            select(ProcedureCatalog.metadata_["label"].astext, CodeValue.code, FeeScheduleItem.amount)
            .join(CodeValue, CodeValue.id == ProcedureCatalog.code_value_id)
            .join(FeeScheduleItem, FeeScheduleItem.procedure_catalog_id == ProcedureCatalog.id)
        ).all()
    assert {label for label, _, _ in rows} == CONTRACT_PROCEDURE_LABELS
    assert all(amount > 0 for _, _, amount in rows)
    codes = {code for _, code, _ in rows}
    assert {"D3310", "D3320", "D3330", "D2392"} <= codes

