"""Imaging review over HTTP: upload a phantom radiograph with its findings, list, render, decide.

Real PostgreSQL, Redis and the run queue; decisions go through the approvals routes exactly as
the CLI's do (reject with a reason code as the comment, edit with ``set``).
"""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core_schema.models import AIReviewEvent, ImagingObject, ImagingStudy
from core_schema.seed.demo import DEMO_PASSWORD, UNIVERSAL_PATIENT_ID
from tests.api.imaging_upload import phantom_case, upload

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def login(http: TestClient, email: str = "dentist@demo.clinic") -> dict[str, str]:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _counts(platform) -> tuple[int, int]:
    with platform.db.system_session() as s:
        return s.scalar(select(func.count()).select_from(ImagingStudy)), s.scalar(select(func.count()).select_from(ImagingObject))


def _uploaded(http: TestClient, patient: uuid.UUID, seed: int = 11) -> dict:
    png, findings, ph = phantom_case(seed=seed)
    response = upload(http, login(http), patient, png, findings)
    assert response.status_code == 200, response.text
    return {"patient": patient, "out": response.json(), "png": png, "phantom": ph}


@pytest.fixture(scope="module")
def reviewed(app, new_patient) -> dict:
    """A fresh patient, a phantom bitewing and its vendor findings uploaded for review, left undecided
    (the tests that decide findings upload their own)."""
    return _uploaded(TestClient(app), new_patient("Imaging", "Api"))


def test_upload_reviews_and_proposes_every_finding_with_its_box(reviewed) -> None:
    out, ph = reviewed["out"], reviewed["phantom"]
    assert out["status"] == "WAITING_APPROVAL" and out["created"] is True and (out["width"], out["height"]) == (800, 600)
    found = {(f["tooth"], f["label"], tuple(f["surfaces"])): f for f in out["findings"]}
    assert set(found) == {(f["tooth"], f["label"], tuple(f["surfaces"])) for f in ph.findings}
    truth = {(f["tooth"], f["label"]): f["box"] for f in ph.findings}
    for (tooth, label, _), f in found.items():
        assert f["box"] == pytest.approx(truth[(tooth, label)]) and f["status"] == "new"
        assert f["approval_id"] and f["approval_status"] == "PENDING" and f["missing"] == []
    assert sorted(out["approval_ids"]) == sorted(f["approval_id"] for f in out["findings"])


def test_listing_run_view_and_renderings(http, reviewed) -> None:
    dentist = login(http)
    out = reviewed["out"]
    studies = http.get(f"/api/v1/patients/{reviewed['patient']}/imaging", headers=dentist)
    assert studies.status_code == 200, studies.text
    [study] = studies.json()
    [obj] = study["objects"]
    assert obj["object_id"] == out["object_id"] and obj["reviews"][0]["run_id"] == out["run_id"]
    assert obj["reviews"][0]["pending"] == len(out["approval_ids"])
    run = http.get(f"/api/v1/imaging/runs/{out['run_id']}", headers=dentist)
    assert run.status_code == 200 and run.json()["findings"] == out["findings"]
    for kind in ("display", "thumbnail"):
        image = http.get(obj[f"{kind}_url"], headers=dentist)
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content.startswith(PNG_MAGIC)
    assert http.get(f"/api/v1/imaging/objects/{out['object_id']}", headers=dentist).json()["sha256"] == out["sha256"]


def test_another_clinic_sees_nothing(http, reviewed) -> None:
    other = login(http, "dentist@universal.clinic")
    out = reviewed["out"]
    for url in (f"/api/v1/imaging/objects/{out['object_id']}", f"/api/v1/imaging/objects/{out['object_id']}/display",
                f"/api/v1/imaging/objects/{out['object_id']}/thumbnail", f"/api/v1/imaging/runs/{out['run_id']}",
                f"/api/v1/patients/{reviewed['patient']}/imaging"):
        response = http.get(url, headers=other)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    png, findings, _ = phantom_case(seed=12)
    refused = upload(http, login(http), UNIVERSAL_PATIENT_ID, png, findings)  # the other clinic's patient
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"


def test_assistant_cannot_approve_dentist_decides_and_the_chart_changes(http, new_patient) -> None:
    reviewed = _uploaded(http, new_patient("Imaging", "Decided"), seed=21)
    out = reviewed["out"]
    by = {(f["tooth"], f["label"]): f for f in out["findings"]}
    assistant = login(http, "assistant@demo.clinic")
    refused = http.post(f"/api/v1/approvals/{by[('16', 'caries')]['approval_id']}/approve", headers=assistant, json={})
    assert refused.status_code == 403, refused.text
    dentist = login(http)
    assert http.post(f"/api/v1/approvals/{by[('16', 'caries')]['approval_id']}/approve", headers=dentist, json={}).status_code == 200
    assert http.post(f"/api/v1/approvals/{by[('16', 'restoration')]['approval_id']}/approve", headers=dentist, json={}).status_code == 200
    edited = http.post(f"/api/v1/approvals/{by[('46', 'caries')]['approval_id']}/edit", headers=dentist,
                       json={"set": {"tooth": "47"}, "comment": "it is 47"})
    assert edited.status_code == 200, edited.text
    last = http.post(f"/api/v1/approvals/{by[('45', 'periapical_radiolucency')]['approval_id']}/reject", headers=dentist,
                     json={"comment": "false_positive: artefact"})
    assert last.status_code == 200 and last.json()["run_status"] == "COMPLETED", last.text

    run = http.get(f"/api/v1/imaging/runs/{out['run_id']}", headers=dentist).json()
    assert run["status"] == "COMPLETED"
    states = {(f["label"], f["approval_status"], f["edited"]) for f in run["findings"]}
    assert states == {("caries", "APPROVED", False), ("restoration", "APPROVED", False), ("caries", "APPROVED", True),
                      ("periapical_radiolucency", "REJECTED", False)}
    teeth = http.get(f"/api/v1/patients/{reviewed['patient']}/chart", headers=dentist).json()["teeth"]
    assert set(teeth) == {"16", "47"} and [c["label"] for c in teeth["47"]["conditions"]] == ["caries"]


def test_review_event_keeps_the_reason_code(platform, http, new_patient) -> None:
    reviewed = _uploaded(http, new_patient("Imaging", "Rejected"), seed=22)
    rejected = next(f for f in reviewed["out"]["findings"] if f["label"] == "periapical_radiolucency")
    dentist = login(http)
    refused = http.post(f"/api/v1/approvals/{rejected['approval_id']}/reject", headers=dentist,
                        json={"comment": "false_positive: artefact"})
    assert refused.status_code == 200, refused.text
    rest = [f["approval_id"] for f in reviewed["out"]["findings"] if f is not rejected]
    decided = http.post("/api/v1/approvals/decide", headers=dentist, json={"ids": rest, "verdict": "approve"})
    assert decided.status_code == 200 and decided.json()[-1]["run_status"] == "COMPLETED", decided.text  # events now
    with platform.db.system_session() as s:
        event = s.scalars(select(AIReviewEvent).where(AIReviewEvent.prediction_id == uuid.UUID(rejected["prediction_id"]))).one()
    assert (event.review_action, event.reason_code, event.comment) == ("REJECTED", "false_positive", "artefact")


@pytest.mark.parametrize(("name", "data", "status"), [
    ("notes.dcm", b"this is a text file, not a radiograph", 422),
    ("bitewing.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 422),
])
def test_bad_files_are_refused_with_nothing_written(platform, http, new_patient, name: str, data: bytes, status: int) -> None:
    dentist = login(http)
    before = _counts(platform)
    response = upload(http, dentist, new_patient("Bad", "File"), data, None, filename=name)
    assert response.status_code == status, response.text
    assert response.json()["error"] and "Traceback" not in response.text
    assert _counts(platform) == before


def test_oversized_and_mismatched_findings_are_refused(platform, http, new_patient, monkeypatch) -> None:
    from imaging.config import imaging_settings

    dentist = login(http)
    patient = new_patient("Big", "File")
    png, findings, _ = phantom_case(seed=13)
    other_png, _, _ = phantom_case(seed=14)
    before = _counts(platform)
    wrong = upload(http, dentist, patient, other_png, findings)
    assert wrong.status_code == 422 and wrong.json()["code"] == "findings_other_image", wrong.text
    none = upload(http, dentist, patient, png, None)  # the demo clinic's deployed model imports vendor findings
    assert none.status_code == 422 and none.json()["code"] == "findings_required", none.text
    monkeypatch.setattr(imaging_settings(), "max_image_bytes", len(png) - 1)
    big = upload(http, dentist, patient, png, findings)
    assert big.status_code == 413 and big.json()["code"] == "too_large", big.text
    assert _counts(platform) == before


def test_upload_needs_multipart(http) -> None:
    response = http.post("/api/v1/imaging/reviews", headers=login(http), json={"patient_id": str(uuid.uuid4())})
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_a_dicom_bitewing_is_filed_with_its_modality(http, new_patient) -> None:
    import hashlib
    import json

    from imaging import phantom

    _, _, ph = phantom_case(seed=15)
    dcm = phantom.to_dicom(ph.pixels)
    doc = {"model": {"name": "AcmeVision", "version": "3.2"}, "image_sha256": hashlib.sha256(dcm).hexdigest(),
           "findings": [{"label": "caries", "tooth": "16", "surfaces": ["M"], "box": [1, 2, 30, 40], "confidence": 0.9}]}
    response = upload(http, login(http), new_patient("Dicom", "Api"), dcm, json.dumps(doc).encode(), filename="bw.dcm")
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["width"], out["height"]) == ph.size and [f["tooth"] for f in out["findings"]] == ["16"]
    listed = http.get(f"/api/v1/imaging/objects/{out['object_id']}", headers=login(http)).json()
    assert listed["object_type"] == "DICOM" and listed["modality"] == "INTRAORAL"
    assert "PHANTOM" not in response.text  # the DICOM patient identifiers are not echoed


def test_an_api_client_without_the_imaging_scope_is_refused(http, new_patient) -> None:
    from core_schema.seed.demo import VOICE_AGENT_CLIENT_ID, VOICE_AGENT_SECRET

    token = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                           "client_secret": VOICE_AGENT_SECRET}).json()["access_token"]
    png, findings, _ = phantom_case(seed=16)
    response = upload(http, {"Authorization": f"Bearer {token}"}, new_patient("Client", "Api"), png, findings)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
