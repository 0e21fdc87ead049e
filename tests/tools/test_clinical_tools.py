"""The clinical tools against the seeded demo clinic: writes, refusals, catalog codes, undo.

Every test runs in one tenant transaction (row-level security on) that is rolled back at the
end, and works on a patient created inside it, so tests neither see nor leave anything behind.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import tools.clinical  # noqa: F401  (registers the tools)
from core_schema.models import (
    ActionHistory,
    ClinicalNote,
    Encounter,
    EncounterDiagnosis,
    FeeScheduleItem,
    Patient,
    PerioMeasurement,
    Procedure,
    ToothChartSnapshot,
    TreatmentPlan,
    TreatmentPlanItem,
)
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID, sid
from tools.context import ToolContext, ToolError, ToolResult
from tools.registry import REGISTRY, Category
from undo.errors import UndoError
from undo.handlers import UNDO_HANDLERS

DENTIST = sid("user", "dentist@demo.clinic")
OTHER_TENANT_ENCOUNTER = sid("encounter", "universal", "u1")

EXPECTED = {
    "get_patient_history": (Category.DATA_RETRIEVAL, False, 1, "patients:read"),
    "get_dental_chart": (Category.DATA_RETRIEVAL, False, 1, "chart:read"),
    "update_dental_chart": (Category.DATA_MUTATION, True, 3, "chart:write"),
    "record_perio_measurements": (Category.DATA_MUTATION, True, 2, "chart:write"),
    "add_encounter_diagnosis": (Category.DATA_MUTATION, True, 3, "chart:write"),
    "add_treatment_plan_item": (Category.DATA_MUTATION, True, 3, "chart:write"),
    "create_clinical_note": (Category.DATA_MUTATION, True, 2, "chart:write"),
    "record_procedure": (Category.DATA_MUTATION, True, 2, "chart:write"),
    "move_treatment_plan_item": (Category.DATA_MUTATION, True, 2, "chart:write"),
}


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back(platform: Any) -> Iterator[Session]:
    """``platform.db.tenant_session(DEMO_TENANT_ID)``, rolled back instead of committed."""
    cm = platform.db.tenant_session(DEMO_TENANT_ID)
    session = cm.__enter__()
    try:
        yield session
    finally:
        cm.__exit__(_Rollback, _Rollback(), None)


@pytest.fixture
def s(platform: Any) -> Iterator[Session]:
    with rolled_back(platform) as session:
        yield session


@pytest.fixture
def ctx(s: Session) -> ToolContext:
    return ToolContext(session=s, tenant_id=DEMO_TENANT_ID, user_id=DENTIST)


def new_patient(s: Session) -> tuple[uuid.UUID, uuid.UUID]:
    """A patient with one open visit, private to the test's transaction."""
    pid, eid = uuid.uuid4(), uuid.uuid4()
    s.add(Patient(id=pid, tenant_id=DEMO_TENANT_ID, primary_location_id=sid("location", "demo"),
                  first_name="Test", last_name=f"Patient-{pid.hex[:6]}"))
    s.flush()
    s.add(Encounter(id=eid, tenant_id=DEMO_TENANT_ID, patient_id=pid, location_id=sid("location", "demo"),
                    provider_id=DENTIST, encounter_type="EXAM", status="IN_PROGRESS",
                    scheduled_start_at=datetime.now(timezone.utc)))
    s.flush()
    return pid, eid


@pytest.fixture
def patient(s: Session) -> tuple[uuid.UUID, uuid.UUID]:
    return new_patient(s)


def call(ctx: ToolContext, name: str, **kwargs: Any) -> ToolResult:
    tool = REGISTRY.get(name)
    result = tool.fn(ctx, tool.input_model(**kwargs))
    json.dumps(result.output)  # JSON-native, as the executor stores it
    return result


def undo(ctx: ToolContext, result: ToolResult) -> str:
    """Undo ``result`` the way the undo service will: from an action_history row (JSON round trip)."""
    m = result.mutation
    assert m is not None
    action = ActionHistory(
        id=uuid.uuid4(), tenant_id=ctx.tenant_id, user_id=ctx.user_id, entity_type=m.entity_type, entity_id=m.entity_id,
        action_type=m.action_type, previous_state=json.loads(json.dumps(m.previous_state)),
        new_state=json.loads(json.dumps(m.new_state)), change_summary=m.summary,
        undo_expires_at=datetime.now(timezone.utc) + timedelta(minutes=5),
    )
    return UNDO_HANDLERS[m.entity_type](ctx.session, action)


def chart_of(ctx: ToolContext, pid: uuid.UUID) -> dict[str, Any]:
    return call(ctx, "get_dental_chart", patient_id=pid).output["teeth"]


# ---------------------------------------------------------------------------------------------
# Registration


def test_every_clinical_tool_is_registered_with_its_rules() -> None:
    for name, (category, approval, tier, scope) in EXPECTED.items():
        t = REGISTRY.get(name)
        assert (t.category, t.requires_approval, t.risk_tier, t.scope) == (category, approval, tier, scope), name
        assert t.timeout_ms > 0 and t.rate_limit_per_minute and t.description
        if category is Category.DATA_MUTATION:
            assert t.retry.max_attempts == 2
        schema = t.openai_schema()
        json.dumps(schema)
        assert "patient_id" in schema["function"]["parameters"]["properties"]
        with pytest.raises(ValueError):
            t.input_model(patient_id=uuid.uuid4(), not_a_field=1)
    assert set(UNDO_HANDLERS) == {"DENTAL_CHART", "PERIO_CHART", "ENCOUNTER_DIAGNOSIS", "TREATMENT_PLAN",
                                  "CLINICAL_NOTE", "PROCEDURE"}


# ---------------------------------------------------------------------------------------------
# Dental chart


def test_chart_update_and_read_back(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, eid = patient
    empty = call(ctx, "get_dental_chart", patient_id=pid).output
    assert empty["teeth"] == {} and empty["snapshot_id"] is None

    r = call(ctx, "update_dental_chart", patient_id=pid, encounter_id=eid, changes=[
        {"tooth": "16", "label": "caries", "surfaces": ["O"]},
        {"tooth": 17, "label": "missing"},
        {"tooth": "46", "label": "restoration", "surfaces": ["MOD"]},
        {"tooth": "31", "label": "mobility", "grade": 2},
    ])
    m = r.mutation
    assert m is not None and (m.entity_type, m.action_type) == ("DENTAL_CHART", "UPDATE")
    assert m.summary == ("Tooth 16: caries (O) added; tooth 17 marked missing; tooth 46: restoration (MOD) added; "
                         "tooth 31: mobility grade 2")
    assert m.previous_state == {"patient_id": str(pid), "snapshot_id": None, "chart": {"teeth": {}}}
    assert m.new_state["snapshot_id"] == r.output["snapshot_id"] == str(m.entity_id)

    read = call(ctx, "get_dental_chart", patient_id=pid, teeth=["11"]).output
    assert read["snapshot_id"] == r.output["snapshot_id"]
    assert read["teeth"] == {
        "11": {"status": "present", "conditions": [], "restorations": [], "mobility": None},
        "16": {"status": "present", "conditions": [{"label": "caries", "surfaces": ["O"]}], "restorations": [], "mobility": None},
        "17": {"status": "missing", "conditions": [], "restorations": [], "mobility": None},
        "31": {"status": "present", "conditions": [], "restorations": [], "mobility": 2},
        "46": {"status": "present", "conditions": [], "restorations": [{"label": "restoration", "surfaces": ["M", "O", "D"]}], "mobility": None},
    }
    assert m.new_state["chart"]["teeth"] == {k: v for k, v in read["teeth"].items() if k != "11"}
    snap = ctx.session.get(ToothChartSnapshot, m.entity_id)
    assert snap.encounter_id == eid and snap.created_by_id == DENTIST

    # A second change in the same transaction is the newer chart version.
    r2 = call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "26", "label": "crown"}])
    assert r2.mutation.previous_state["snapshot_id"] == r.output["snapshot_id"]
    assert set(chart_of(ctx, pid)) == {"16", "17", "26", "31", "46"}


def test_duplicate_finding_is_a_no_op(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    first = call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "36", "label": "caries", "surfaces": ["M", "O"]}])
    again = call(ctx, "update_dental_chart", patient_id=pid, changes=[
        {"tooth": "36", "label": "caries", "surfaces": ["O"]},
        {"tooth": "36", "label": "caries", "surfaces": ["OM"]},
    ])
    assert again.mutation is None and again.output["changed"] == 0
    assert again.output["snapshot_id"] == first.output["snapshot_id"]
    assert chart_of(ctx, pid)["36"]["conditions"] == [{"label": "caries", "surfaces": ["M", "O"]}]


def test_chart_update_on_a_seeded_patient_adds_to_what_was_there(ctx: ToolContext) -> None:
    pid = DEMO_PATIENT_IDS[2]
    before = chart_of(ctx, pid)
    r = call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "85", "label": "sealant", "surfaces": ["O"]}])
    after = chart_of(ctx, pid)
    assert {k: v for k, v in after.items() if k != "85"} == {k: v for k, v in before.items() if k != "85"}
    assert {"label": "sealant", "surfaces": ["O"]} in after["85"]["restorations"]
    assert undo(ctx, r).startswith("Dental chart change undone")
    assert chart_of(ctx, pid) == before


@pytest.mark.parametrize(("change", "message"), [
    ({"tooth": "19", "label": "caries"}, "tooth 19 is not a valid FDI tooth"),
    ({"tooth": "56", "label": "caries"}, "tooth 56 is not a valid FDI tooth"),
    ({"tooth": "16", "label": "cavity"}, "unknown finding label 'cavity'"),
    ({"tooth": "16", "label": "caries", "surfaces": ["X"]}, "surface 'X' is not valid"),
    ({"tooth": "11", "label": "caries", "surfaces": ["O"]}, "no occlusal (O) surface"),
    ({"tooth": "46", "label": "caries", "surfaces": ["P"]}, "no palatal (P) surface"),
    ({"tooth": "16", "label": "missing", "surfaces": ["O"]}, "leave surfaces empty"),
    ({"tooth": "16", "label": "mobility"}, "needs a grade"),
    ({"tooth": "16", "label": "mobility", "grade": 4}, "needs a grade from 0 to 3"),
])
def test_chart_refusals(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID], change: dict[str, Any], message: str) -> None:
    pid, _ = patient
    with pytest.raises(ToolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "21", "label": "watch"}, change])
    assert chart_of(ctx, pid) == {}  # all or nothing


def test_missing_tooth_cannot_get_findings(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "16", "label": "caries", "surfaces": ["O"]}])
    r = call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "16", "label": "extracted"}])
    assert r.mutation.summary == "Tooth 16 marked extracted (its findings cleared)"
    assert chart_of(ctx, pid)["16"] == {"status": "extracted", "conditions": [], "restorations": [], "mobility": None}
    with pytest.raises(ToolError, match="tooth 16 is recorded as extracted"):
        call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "16", "label": "crown"}])


def test_other_clinics_patient_and_other_patients_encounter_are_refused(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    not_found = f"patient {UNIVERSAL_PATIENT_ID} not found in this clinic"
    for name, kwargs in [
        ("get_dental_chart", {}),
        ("get_patient_history", {}),
        ("update_dental_chart", {"changes": [{"tooth": "16", "label": "caries"}]}),
        ("add_treatment_plan_item", {"label": "crown", "tooth": "16"}),
        ("create_clinical_note", {"content": "x"}),
    ]:
        with pytest.raises(ToolError, match=not_found):
            call(ctx, name, patient_id=UNIVERSAL_PATIENT_ID, **kwargs)
    other_patients_encounter = sid("encounter", "demo", "p1")
    with pytest.raises(ToolError, match=f"encounter {other_patients_encounter} belongs to another patient"):
        call(ctx, "update_dental_chart", patient_id=pid, encounter_id=other_patients_encounter,
             changes=[{"tooth": "16", "label": "caries"}])
    with pytest.raises(ToolError, match=f"encounter {other_patients_encounter} belongs to another patient"):
        call(ctx, "add_encounter_diagnosis", patient_id=pid, encounter_id=other_patients_encounter, label="gingivitis")
    with pytest.raises(ToolError, match=f"encounter {OTHER_TENANT_ENCOUNTER} not found in this clinic"):
        call(ctx, "create_clinical_note", patient_id=pid, encounter_id=OTHER_TENANT_ENCOUNTER, content="x")


# ---------------------------------------------------------------------------------------------
# Treatment plan: catalog codes, fees, order


def _fee(s: Session, code: str) -> Decimal:
    return s.scalar(select(FeeScheduleItem.amount).where(FeeScheduleItem.procedure_catalog_id == sid("procedure", code)))


def test_plan_items_get_catalog_codes_and_scheduled_fees(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    cases = [
        ({"label": "root_canal", "tooth": "36"}, "D3330"),
        ({"label": "root_canal", "tooth": "15"}, "D3320"),
        ({"label": "root_canal", "tooth": "11"}, "D3310"),
        ({"label": "composite", "tooth": "46", "surfaces": ["M", "O"]}, "D2392"),
        ({"label": "composite", "tooth": "21", "surfaces": ["M"]}, "D2330"),
        ({"label": "amalgam", "tooth": "37", "surfaces": ["MOD"]}, "D2160"),
        ({"label": "extraction", "tooth": "48"}, "D7140"),
        ({"label": "prophylaxis"}, "D1110"),
        ({"code": "D2740", "tooth": "26"}, "D2740"),
    ]
    plan_ids, total = set(), Decimal("0")
    for n, (kwargs, code) in enumerate(cases, start=1):
        r = call(ctx, "add_treatment_plan_item", patient_id=pid, **kwargs)
        fee = _fee(ctx.session, code)
        total += fee
        assert (r.output["code"], r.output["estimated_fee"], r.output["sequence_order"]) == (code, str(fee), n), kwargs
        assert r.output["plan_created"] is (n == 1)
        assert r.mutation.entity_type == "TREATMENT_PLAN" and r.mutation.action_type == "CREATE"
        assert r.mutation.entity_id == uuid.UUID(r.output["plan_item_id"])
        plan_ids.add(r.output["plan_id"])
    assert _fee(ctx.session, "D3330") == Decimal("1120.00") and _fee(ctx.session, "D2392") == Decimal("215.00")
    assert len(plan_ids) == 1
    plan = ctx.session.get(TreatmentPlan, uuid.UUID(plan_ids.pop()))
    assert plan.status == "DRAFT" and plan.total_estimated_cost == total and plan.patient_id == pid
    item = ctx.session.scalar(select(TreatmentPlanItem).where(TreatmentPlanItem.plan_id == plan.id, TreatmentPlanItem.cdt_code == "D2392"))
    assert (item.tooth_number, item.surface) == ("46", "MO")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"label": "root_canal", "tooth": "19"}, "tooth 19 is not a valid FDI tooth"),
    ({"label": "laser_whitening", "tooth": "11"}, "unknown procedure label 'laser_whitening'"),
    ({"code": "D9999", "tooth": "11"}, "code D9999 is not in the procedure catalog"),
    ({"code": "D3330", "tooth": "15"}, "code D3330 does not fit tooth 15 (premolar)"),
    ({"label": "composite", "code": "D2392", "tooth": "46", "surfaces": ["MOD"]}, "code D2392 does not fit tooth 46 (molar) with 3 surfaces"),
    ({"label": "root_canal", "code": "D2392", "tooth": "46"}, "code D2392 is a composite code, not root_canal"),
    ({"label": "sealant", "tooth": "11"}, "the catalog has no sealant code for tooth 11 (anterior)"),
    ({"label": "composite", "tooth": "46"}, "composite needs at least one surface"),
    ({"label": "crown"}, "crown needs a tooth"),
    ({"label": "crown", "tooth": "16", "surfaces": ["O"]}, "crown is not charted by surface"),
])
def test_plan_refusals(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID], kwargs: dict[str, Any], message: str) -> None:
    pid, _ = patient
    with pytest.raises(ToolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(ctx, "add_treatment_plan_item", patient_id=pid, **kwargs)


def test_plan_refuses_a_duplicate_item(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    call(ctx, "add_treatment_plan_item", patient_id=pid, label="crown", tooth="16")
    with pytest.raises(ToolError, match="the plan already has D2740 on tooth 16"):
        call(ctx, "add_treatment_plan_item", patient_id=pid, label="crown", tooth="16")


def _order(s: Session, plan_id: str) -> list[str]:
    rows = s.scalars(select(TreatmentPlanItem).where(TreatmentPlanItem.plan_id == uuid.UUID(plan_id))
                     .order_by(TreatmentPlanItem.sequence_order))
    return [str(i.id) for i in rows]


def test_move_plan_item_and_undo(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    items = [call(ctx, "add_treatment_plan_item", patient_id=pid, label="extraction", tooth=t).output for t in ("18", "28", "38")]
    plan_id = items[0]["plan_id"]
    a, b, c = (i["plan_item_id"] for i in items)
    assert _order(ctx.session, plan_id) == [a, b, c]

    r = call(ctx, "move_treatment_plan_item", patient_id=pid, plan_item_id=c, new_position=1)
    assert _order(ctx.session, plan_id) == [c, a, b]
    m = r.mutation
    assert (m.entity_type, m.action_type, m.previous_state["order"], m.new_state["order"]) == ("TREATMENT_PLAN", "UPDATE", [a, b, c], [c, a, b])
    assert m.summary == "Plan item D7140 on tooth 38 moved from position 3 to 1"
    seqs = [ctx.session.get(TreatmentPlanItem, uuid.UUID(x)).sequence_order for x in (c, a, b)]
    assert seqs == [1, 2, 3]

    assert call(ctx, "move_treatment_plan_item", patient_id=pid, plan_item_id=c, new_position=1).mutation is None
    with pytest.raises(ToolError, match="position 4 is outside the plan's 3 item"):
        call(ctx, "move_treatment_plan_item", patient_id=pid, plan_item_id=a, new_position=4)
    other, _ = new_patient(ctx.session)
    with pytest.raises(ToolError, match="belongs to another patient"):
        call(ctx, "move_treatment_plan_item", patient_id=other, plan_item_id=a, new_position=1)

    assert undo(ctx, r) == "Treatment plan order restored"
    assert _order(ctx.session, plan_id) == [a, b, c]
    with pytest.raises(UndoError, match="reordered since"):
        undo(ctx, r)  # the order is no longer what that action left


def test_undo_plan_item_restores_plan_exactly(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    first = call(ctx, "add_treatment_plan_item", patient_id=pid, label="root_canal", tooth="46")
    plan = ctx.session.get(TreatmentPlan, uuid.UUID(first.output["plan_id"]))
    total_before = plan.total_estimated_cost
    second = call(ctx, "add_treatment_plan_item", patient_id=pid, label="crown", tooth="46")
    assert plan.total_estimated_cost == total_before + Decimal("1150.00")
    assert "removed from the plan" in undo(ctx, second)
    assert plan.total_estimated_cost == total_before
    assert _order(ctx.session, first.output["plan_id"]) == [first.output["plan_item_id"]]
    assert "draft plan it started removed" in undo(ctx, first)
    assert ctx.session.get(TreatmentPlan, plan.id) is None
    with pytest.raises(UndoError, match="no longer exists"):
        undo(ctx, first)


# ---------------------------------------------------------------------------------------------
# Perio, diagnoses, notes, procedures


def test_perio_rows_and_undo(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, eid = patient
    r = call(ctx, "record_perio_measurements", patient_id=pid, encounter_id=eid, teeth=[
        {"tooth": "17", "depths_mm": {"MB": 3, "B": 2, "DB": 3}},
        {"tooth": "16", "depths_mm": {"MB": 3, "B": 5, "DB": 4}, "bleeding_sites": ["B"], "recession_mm": {"B": 1},
         "mobility_grade": 1},
    ])
    ids = r.output["measurement_ids"]
    rows = [ctx.session.get(PerioMeasurement, uuid.UUID(i)) for i in ids]
    got = [(x.tooth_number, x.site, x.pocket_depth_mm, x.bleeding_on_probing, x.gingival_margin_mm, x.mobility_grade) for x in rows]
    assert got == [  # charting order: 17 before 16 on the upper right
        ("17", "MB", 3, None, None, None), ("17", "B", 2, None, None, None), ("17", "DB", 3, None, None, None),
        ("16", "MB", 3, False, None, "1"), ("16", "B", 5, True, -1, "1"), ("16", "DB", 4, False, None, "1"),
    ]
    assert all(x.encounter_id == eid and x.measured_by_id == DENTIST for x in rows)
    m = r.mutation
    assert (m.entity_type, m.action_type, m.new_state["measurement_ids"]) == ("PERIO_CHART", "CREATE", ids)
    assert m.summary == "Perio recorded: 6 sites on teeth 17, 16; deepest pocket 5 mm; 1 bleeding"
    # The same sites again in the same transaction are a new measurement, not a clash.
    again = call(ctx, "record_perio_measurements", patient_id=pid, encounter_id=eid, teeth=[{"tooth": "16", "depths_mm": {"B": 4}}])

    assert undo(ctx, r) == "Perio measurements removed: 6 sites on teeth 16, 17"
    left = ctx.session.scalars(select(PerioMeasurement.id).where(PerioMeasurement.patient_id == pid)).all()
    assert [str(x) for x in left] == again.output["measurement_ids"]


@pytest.mark.parametrize(("entry", "message"), [
    ({"tooth": "19", "depths_mm": {"B": 3}}, "tooth 19 is not a valid FDI tooth"),
    ({"tooth": "16", "depths_mm": {"XB": 3}}, "perio site XB is not valid"),
    ({"tooth": "16", "depths_mm": {"B": 16}}, "pocket depth 16 mm at tooth 16 B is out of range"),
    ({"tooth": "16", "depths_mm": {"B": -1}}, "pocket depth -1 mm at tooth 16 B is out of range"),
    ({"tooth": "16", "bleeding_sites": ["Q"]}, "perio site Q is not valid"),
    ({"tooth": "16", "mobility_grade": 2}, "no site measured"),
    ({"tooth": "16", "depths_mm": {"B": 3}, "mobility_grade": 5}, "mobility grade 5 on tooth 16 is out of range"),
])
def test_perio_refusals(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID], entry: dict[str, Any], message: str) -> None:
    pid, _ = patient
    with pytest.raises(ToolError, match=message):
        call(ctx, "record_perio_measurements", patient_id=pid, teeth=[entry])


def test_diagnosis_coded_from_the_catalog_and_undone(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, eid = patient
    first = call(ctx, "add_encounter_diagnosis", patient_id=pid, label="gingivitis")  # the open visit
    assert first.output["encounter_id"] == str(eid) and first.output["is_primary"] is True
    r = call(ctx, "add_encounter_diagnosis", patient_id=pid, encounter_id=eid, label="irreversible_pulpitis", tooth="36",
             is_primary=True)
    assert (r.output["code"], r.output["sequence"], r.output["is_primary"]) == ("K04.02", 2, True)
    row = ctx.session.get(EncounterDiagnosis, uuid.UUID(r.output["diagnosis_id"]))
    assert (row.diagnosis_code, row.notes, row.code_value_id) == ("K04.02", "tooth 36", sid("code", "ICD-10-CM", "K04.02"))
    gingivitis = ctx.session.get(EncounterDiagnosis, uuid.UUID(first.output["diagnosis_id"]))
    assert gingivitis.is_primary is False
    assert r.mutation.summary == "Diagnosis K04.02 irreversible pulpitis on tooth 36 added as primary"
    with pytest.raises(ToolError, match="already recorded"):
        call(ctx, "add_encounter_diagnosis", patient_id=pid, label="irreversible_pulpitis", tooth="36")
    with pytest.raises(ToolError, match="unknown diagnosis label 'toothache'"):
        call(ctx, "add_encounter_diagnosis", patient_id=pid, label="toothache")
    with pytest.raises(ToolError, match="diagnosis code K99.9 is not in this clinic's diagnosis codes"):
        call(ctx, "add_encounter_diagnosis", patient_id=pid, code="K99.9")
    with pytest.raises(ToolError, match="tooth 19 is not a valid FDI tooth"):
        call(ctx, "add_encounter_diagnosis", patient_id=pid, label="pulp_necrosis", tooth="19")

    assert undo(ctx, r) == "Diagnosis K04.02 removed from the encounter"
    assert ctx.session.get(EncounterDiagnosis, row.id) is None
    assert gingivitis.is_primary is True


def test_clinical_note_and_undo(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, eid = patient
    r = call(ctx, "create_clinical_note", patient_id=pid, encounter_id=eid, content="  Patient tolerated the procedure well. ")
    note = ctx.session.get(ClinicalNote, uuid.UUID(r.output["note_id"]))
    assert (note.note_type, note.content, note.author_id) == ("PROGRESS", "Patient tolerated the procedure well.", DENTIST)
    assert r.mutation.summary == "Progress note added (37 characters)"
    with pytest.raises(ToolError, match="unknown note type 'diary'"):
        call(ctx, "create_clinical_note", patient_id=pid, note_type="diary", content="x")
    with pytest.raises(ToolError, match="the note is empty"):
        call(ctx, "create_clinical_note", patient_id=pid, content="   ")
    assert undo(ctx, r) == "Progress note removed"
    assert ctx.session.get(ClinicalNote, note.id) is None


def test_procedure_start_complete_and_undo(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, eid = patient
    item = call(ctx, "add_treatment_plan_item", patient_id=pid, label="composite", tooth="46", surfaces=["M", "O"]).output
    started = call(ctx, "record_procedure", patient_id=pid, action="start", plan_item_id=item["plan_item_id"])
    proc = ctx.session.get(Procedure, uuid.UUID(started.output["procedure_id"]))
    assert (proc.status, proc.cdt_code, proc.tooth_number, proc.surface, proc.encounter_id) == ("IN_PROGRESS", "D2392", "46", "MO", eid)
    assert proc.start_at is not None and proc.end_at is None
    assert started.mutation.action_type == "CREATE" and started.mutation.summary == "Procedure D2392 composite on tooth 46 (MO) started"
    with pytest.raises(ToolError, match="already in progress"):
        call(ctx, "record_procedure", patient_id=pid, action="start", plan_item_id=item["plan_item_id"])

    done = call(ctx, "record_procedure", patient_id=pid, action="complete", plan_item_id=item["plan_item_id"])
    assert done.output["procedure_id"] == str(proc.id) and done.mutation.action_type == "UPDATE"
    assert proc.status == "COMPLETED" and proc.end_at is not None
    with pytest.raises(ToolError, match="already completed"):
        call(ctx, "record_procedure", patient_id=pid, action="complete", procedure_id=proc.id)

    assert undo(ctx, done) == "Procedure D2392 back to IN_PROGRESS"
    assert (proc.status, proc.end_at) == ("IN_PROGRESS", None)
    assert undo(ctx, started) == "Procedure D2392 removed"
    assert ctx.session.get(Procedure, proc.id) is None
    with pytest.raises(ToolError, match="unknown action 'finish'"):
        call(ctx, "record_procedure", patient_id=pid, action="finish", plan_item_id=item["plan_item_id"])


def test_completed_extraction_marks_the_chart_and_undo_restores_it(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "38", "label": "caries", "surfaces": ["D"]},
                                                              {"tooth": "11", "label": "watch"}])
    before = chart_of(ctx, pid)
    r = call(ctx, "record_procedure", patient_id=pid, action="complete", label="extraction", tooth="38")
    assert r.mutation.action_type == "CREATE" and r.output["status"] == "COMPLETED"
    assert r.mutation.summary == "Procedure D7140 extraction on tooth 38 completed; tooth 38 marked extracted on the chart"
    after = chart_of(ctx, pid)
    assert after["38"]["status"] == "extracted" and after["11"] == before["11"]
    assert undo(ctx, r) == "Procedure D7140 removed; tooth 38 restored on the chart"
    assert chart_of(ctx, pid) == before


# ---------------------------------------------------------------------------------------------
# Undo of chart changes


def test_chart_undo_restores_the_previous_chart_exactly(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "16", "label": "caries", "surfaces": ["O"]}])
    before = call(ctx, "get_dental_chart", patient_id=pid).output
    r = call(ctx, "update_dental_chart", patient_id=pid, changes=[
        {"tooth": "16", "label": "crown"}, {"tooth": "17", "label": "missing"}, {"tooth": "16", "label": "mobility", "grade": 1}])
    assert chart_of(ctx, pid) != before["teeth"]
    assert undo(ctx, r).startswith("Dental chart change undone (teeth 16, 17 restored")
    after = call(ctx, "get_dental_chart", patient_id=pid).output
    assert after["teeth"] == before["teeth"] and after["snapshot_id"] not in (before["snapshot_id"], r.output["snapshot_id"])
    snap = ctx.session.get(ToothChartSnapshot, uuid.UUID(after["snapshot_id"]))
    assert snap.source == "UNDO" and snap.chart_json == {"teeth": before["teeth"]}
    with pytest.raises(UndoError, match="already undone"):
        undo(ctx, r)

    # Undoing the very first change (no chart before it) leaves an empty chart.
    first_only, _ = new_patient(ctx.session)
    r1 = call(ctx, "update_dental_chart", patient_id=first_only, changes=[{"tooth": "55", "label": "caries", "surfaces": ["O"]}])
    undo(ctx, r1)
    assert chart_of(ctx, first_only) == {}


def test_chart_undo_keeps_later_changes_and_refuses_to_overwrite_them(ctx: ToolContext, patient: tuple[uuid.UUID, uuid.UUID]) -> None:
    pid, _ = patient
    older = call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "16", "label": "caries", "surfaces": ["O"]}])
    call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "24", "label": "fracture"}])
    undo(ctx, older)  # tooth 24's later change survives
    assert set(chart_of(ctx, pid)) == {"24"}

    older = call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "36", "label": "caries", "surfaces": ["O"]}])
    call(ctx, "update_dental_chart", patient_id=pid, changes=[{"tooth": "36", "label": "crown"}])
    with pytest.raises(UndoError, match="tooth 36 has changed since"):
        undo(ctx, older)


# ---------------------------------------------------------------------------------------------
# History


def test_patient_history_has_clinical_facts_and_no_identity(ctx: ToolContext) -> None:
    pid = DEMO_PATIENT_IDS[0]
    out = call(ctx, "get_patient_history", patient_id=pid).output
    assert out["patient_id"] == str(pid)
    assert [a["substance"] for a in out["allergies"]] == ["Penicillin"]
    assert [m["name"] for m in out["medications"]] == ["Lisinopril"]
    assert [c["code"] for c in out["conditions"]] == ["I10"]
    assert str(sid("encounter", "demo", "p1")) in [e["id"] for e in out["encounters"]]
    text = json.dumps(out)
    for identity in ("Ada", "1984-03-12", "first_name", "last_name", "dob"):
        assert identity not in text

    fresh, eid = new_patient(ctx.session)
    call(ctx, "add_encounter_diagnosis", patient_id=fresh, label="apical_abscess", tooth="46")
    call(ctx, "add_treatment_plan_item", patient_id=fresh, label="root_canal", tooth="46")
    out = call(ctx, "get_patient_history", patient_id=fresh).output
    assert out["encounters"][0]["id"] == str(eid) and out["encounters"][0]["diagnoses"][0]["code"] == "K04.7"
    assert out["treatment_plans"][0]["items"][0]["code"] == "D3330"
    assert out["allergies"] == [] and out["chart_snapshot_id"] is None
