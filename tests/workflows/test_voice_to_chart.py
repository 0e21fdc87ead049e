"""Voice-to-chart end to end: dictation (text and audio) -> proposals -> approvals -> chart,
with roles, undo, perio focus, tier-1 answers, clarify, notation, and malformed audio."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from core_schema.models import AgentExecution, TreatmentPlanItem, VoiceRecording, VoiceSession, VoiceUtterance
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID
from evals.audio_synth import malformed_fixtures, piper_available, synthesize_wav
from tests.workflows.conftest import current_chart
from voice.service import run_dictation as dictate

# an audio suite: the speech model dominates it, the mode adds nothing (tests/conftest.py)
pytestmark = pytest.mark.ci_embedded_only

SENTENCE = "Tooth sixteen occlusal caries and mark seventeen as missing"


def _dictate_cli(platform, *args: str) -> dict:
    result = platform.cli("dictate", *args, "--as", "dentist@demo.clinic", "--json", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _approve_undo_cycle(platform, engine, out: dict, patient: uuid.UUID) -> None:
    before = current_chart(engine, patient)
    assert [(p["command"], p["tooth"], p["label"], p["surfaces"]) for p in out["proposals"]] == [
        ("chart.finding.add", "16", "caries", ["O"]), ("chart.finding.add", "17", "missing", [])]
    assert len(out["approval_ids"]) == 2 and out["status"] == "WAITING_APPROVAL"

    refused = platform.cli("approvals", "approve", out["approval_ids"][0], "--as", "assistant@demo.clinic", "--json")
    assert refused.returncode != 0 and "may not decide tier-3" in json.loads(refused.stdout)["error"]

    approved = platform.cli("approvals", "approve", *out["approval_ids"], "--as", "dentist@demo.clinic", "--json")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert json.loads(approved.stdout)[-1]["run_status"] == "COMPLETED"
    teeth = current_chart(engine, patient)["teeth"]
    assert {"label": "caries", "surfaces": ["O"]} in teeth["16"]["conditions"] and teeth["17"]["status"] == "missing"

    actions = json.loads(platform.cli("actions", "list", "--as", "dentist@demo.clinic", "--json").stdout)
    mine = [a["id"] for a in actions if a["execution_id"] == out["run_id"]]
    assert len(mine) == 2
    for action_id in mine:  # newest first, so each undo sees its own change as the latest
        assert platform.cli("undo", action_id, "--as", "dentist@demo.clinic", "--json").returncode == 0
    assert current_chart(engine, patient) == before


def test_dictate_text_to_chart_and_back(platform, engine, new_patient) -> None:
    patient = new_patient("Voice", "Text")
    out = _dictate_cli(platform, "--text", SENTENCE, "--patient", str(patient))
    assert out["transcript"] == SENTENCE and out["kind"] == "proposal"
    _approve_undo_cycle(platform, engine, out, patient)


@pytest.mark.skipif(not piper_available(), reason="piper-tts voice not installed")
def test_dictate_wav_to_chart_and_back(platform, engine, new_patient, tmp_path) -> None:
    patient = new_patient("Voice", "Wav")
    wav = tmp_path / "dictation.wav"
    wav.write_bytes(synthesize_wav(SENTENCE, cache_dir=None))
    out = _dictate_cli(platform, str(wav), "--patient", str(patient))
    assert out["asr"]["model"] == "tiny.en-dental" and out["asr"]["duration_s"] > 1
    _approve_undo_cycle(platform, engine, out, patient)
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        rec = s.scalars(select(VoiceRecording).where(VoiceRecording.session_id == uuid.UUID(out["session_id"]))).one()
        assert rec.format == "wav" and rec.duration_ms > 1000 and rec.audio_uri.endswith(".wav")
        utterance = s.get(VoiceUtterance, uuid.UUID(out["utterance_id"]))
        assert utterance.is_final and utterance.intent == "chart.finding.add"


def _voice_row_counts(engine) -> tuple[int, ...]:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in
                     (VoiceSession, VoiceUtterance, VoiceRecording, AgentExecution))


@pytest.mark.parametrize(("name", "says"), [
    ("truncated_wav", "cut off"), ("random_bytes", "not a readable audio file"), ("two_hours_header", "long"),
    ("digital_silence", "silen"), ("empty", "empty"),
])
def test_malformed_audio_is_refused_and_nothing_persisted(platform, engine, tmp_path, name, says) -> None:
    data, _ = malformed_fixtures()[name]
    path = tmp_path / f"{name}.wav"
    path.write_bytes(data)
    before = _voice_row_counts(engine)
    result = platform.cli("dictate", str(path), "--patient", str(DEMO_PATIENT_IDS[0]), "--json")
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    error = json.loads(result.stdout)["error"]
    assert error and len(error.splitlines()) == 1
    assert says in error.lower()
    assert _voice_row_counts(engine) == before


def test_perio_mode_keeps_tooth_in_focus_and_advances(engine, actor) -> None:
    dentist, patient = actor(), DEMO_PATIENT_IDS[2]
    first = dictate(engine, dentist, patient, text="pocket depths three two four on sixteen")
    session = uuid.UUID(first["session_id"])
    assert first["proposals"][0]["values"]["depths_mm"] == {"MB": 3, "B": 2, "DB": 4}
    assert first["context"] == {"perio_mode": True, "tooth_in_focus": "16"}
    nxt = dictate(engine, dentist, patient, text="next tooth", session_id=session)
    assert nxt["status"] == "COMPLETED" and nxt["approval_ids"] == [] and nxt["context"]["tooth_in_focus"] == "15"
    third = dictate(engine, dentist, patient, text="two two three bleeding on mesial", session_id=session)
    assert third["proposals"][0]["tooth"] == "15" and third["proposals"][0]["from_context"] == ["tooth"]


def test_tier1_answers_at_once_and_clarify_writes_nothing(engine, actor) -> None:
    shown = dictate(engine, actor(), DEMO_PATIENT_IDS[0], text="show me the chart")
    assert shown["status"] == "COMPLETED" and shown["approval_ids"] == []
    unclear = dictate(engine, actor(), DEMO_PATIENT_IDS[0], text="tooth nineteen caries")
    assert unclear["kind"] == "clarify" and unclear["clarify"]["options"] and unclear["approval_ids"] == []
    small_talk = dictate(engine, actor(), DEMO_PATIENT_IDS[0], text="can you pass me the suction please")
    assert small_talk["kind"] == "no_command" and small_talk["status"] == "COMPLETED"


def test_universal_clinic_stores_fdi(engine, actor) -> None:
    out = dictate(engine, actor("dentist@universal.clinic"), UNIVERSAL_PATIENT_ID, text="sixteen is missing")
    assert out["proposals"][0]["tooth"] == "28"


def test_plan_item_gets_catalog_code_and_fee(engine, actor, new_patient) -> None:
    from core_schema.models import TreatmentPlan

    patient = new_patient("Plan", "Fee")  # its own plan: other tests plan root canals on 36 too
    out = dictate(engine, actor(), patient, text="plan a root canal on thirty six")
    assert out["proposals"][0]["code"] == "D3330" and len(out["approval_ids"]) == 1
    from approvals.decisions import decide

    decide(engine, uuid.UUID(out["approval_ids"][0]), actor(), "approve")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        item = s.scalars(select(TreatmentPlanItem).join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
                         .where(TreatmentPlan.patient_id == patient, TreatmentPlanItem.tooth_number == "36",
                                TreatmentPlanItem.cdt_code == "D3330")).one()
        assert item.estimated_fee and item.estimated_fee > 0


def test_dictation_for_unknown_patient_is_refused(platform) -> None:
    result = platform.cli("dictate", "--text", SENTENCE, "--patient", str(uuid.uuid4()), "--json")
    assert result.returncode != 0 and "not found in this clinic" in json.loads(result.stdout)["error"]


def test_clinic_override_row_proposal_and_apply_pick_the_same_code(engine, actor, new_patient) -> None:
    """The clinic's own catalog rows override the shared ones for the resolver as for the tools.

    This clinic bills a three-surface premolar composite as D2392 (its D2392 row: two to three
    surfaces) and keeps D2393 for molars. Read without its overrides, the shared D2393 would
    still fit a premolar, and the proposal would not be the code the tool applies.
    """
    from approvals.decisions import decide
    from core_schema.models import CodeValue, ProcedureCatalog, TreatmentPlan
    from tools.clinical.common import resolve_procedure
    from voice.resolver import load_catalog

    overrides = {"D2392": {"tooth_classes": ["premolar", "molar"], "min_surfaces": 2, "max_surfaces": 3},
                 "D2393": {"tooth_classes": ["molar"], "min_surfaces": 3, "max_surfaces": 3}}
    with engine.db.system_session() as s:
        ids = []
        for code, meta in overrides.items():
            shared = s.scalars(select(ProcedureCatalog).join(CodeValue, CodeValue.id == ProcedureCatalog.code_value_id)
                               .where(CodeValue.code == code, ProcedureCatalog.tenant_id.is_(None))).one()
            row = ProcedureCatalog(tenant_id=DEMO_TENANT_ID, code_value_id=shared.code_value_id,
                                   procedure_type=shared.procedure_type, requires_tooth=True, requires_surface=True,
                                   metadata_={**(shared.metadata_ or {}), **meta})
            s.add(row)
            s.flush()
            ids.append(row.id)
    try:
        with engine.db.tenant_session(DEMO_TENANT_ID) as s:
            proposed = load_catalog(s, DEMO_TENANT_ID).select("composite", "45", ["M", "O", "D"]).code
            applied = resolve_procedure(s, DEMO_TENANT_ID, label="composite", code=None, tooth="45",
                                        surfaces=["M", "O", "D"]).code
        assert proposed == applied == "D2392"

        patient = new_patient("Override", "Composite")
        out = dictate(engine, actor(), patient, text="composite on forty five mesial occlusal distal")
        assert len(out["approval_ids"]) == 1, out
        decide(engine, uuid.UUID(out["approval_ids"][0]), actor(), "approve")
        with engine.db.tenant_session(DEMO_TENANT_ID) as s:
            item = s.scalars(select(TreatmentPlanItem).join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
                             .where(TreatmentPlan.patient_id == patient, TreatmentPlanItem.tooth_number == "45")).one()
        assert item.cdt_code == "D2392"
    finally:
        with engine.db.system_session() as s:
            for row_id in ids:
                s.delete(s.get(ProcedureCatalog, row_id))


@pytest.mark.parametrize("said,expected", [
    ("move the root canal to the end", ["D2393", "D2740", "D3330"]),
    ("move the root canal up", ["D3330", "D2393", "D2740"]),
    ("move the crown before the filling", ["D2740", "D2393", "D3330"]),
])
def test_plan_item_moves_last_up_and_before_another(engine, actor, new_patient, said, expected) -> None:
    """Positions the interpreter gives besides a number ("last", up/down, before an item) reach the tool."""
    from approvals.decisions import decide
    from core_schema.models import TreatmentPlan

    patient = new_patient("Plan", "Mover")
    for text in ("plan a composite on forty six mesial occlusal distal", "plan a root canal on thirty six",
                 "plan a crown on twenty six"):
        out = dictate(engine, actor(), patient, text=text)
        decide(engine, uuid.UUID(out["approval_ids"][0]), actor(), "approve")
    out = dictate(engine, actor(), patient, text=said)
    assert out["proposals"][0]["command"] == "plan.item.move" and len(out["approval_ids"]) == 1, out
    decide(engine, uuid.UUID(out["approval_ids"][0]), actor(), "approve")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        order = s.scalars(select(TreatmentPlanItem.cdt_code).join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
                          .where(TreatmentPlan.patient_id == patient).order_by(TreatmentPlanItem.sequence_order)).all()
    assert order == expected
