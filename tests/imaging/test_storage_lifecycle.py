"""Stored objects over their life, on the S3 backend (moto's server, real HTTP on loopback):
``storage verify`` finds a deleted, a tampered and an orphaned object; ``storage migrate`` moves
a populated home (files named by ``file://`` rows and the home's own object folder) and is
idempotent; erasing a patient deletes that patient's objects only; a rendering's presigned URL
is made only after the clinic's check (another clinic: 404).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core_schema.errors import DomainError
from core_schema.models import ImagingObject, VoiceRecording
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_TENANT_ID, UNIVERSAL_TENANT_ID
from core_schema.storage import BlobMissing, LocalBlobStore, blob_store, blobs, default_root, lifecycle
from core_schema.storage.base import content_key
from imaging import phantom, service
from imaging.ingest import ingest
from tests.object_store import files_under, moto_s3, process_env, servers_env
from voice import sessions as voice_store

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def s3(platform) -> Iterator[dict[str, str]]:
    """This process (and the commands it runs) stores in a fresh S3 bucket prefix."""
    with moto_s3() as env, process_env(env):
        yield env


def _image(engine, actor, patient: uuid.UUID, seed: int) -> dict:
    ph = phantom.make_phantom(size=(320, 240), seed=seed)
    return ingest(engine.db, actor(), patient, phantom.to_png(ph.pixels), f"bw-{seed}.png")


def _refs(engine, object_id: str) -> dict[str, str]:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        obj = s.get(ImagingObject, uuid.UUID(object_id))
        pipeline = obj.processing_pipeline or {}
        return {"original": obj.storage_uri, "display": pipeline["display"]["uri"], "thumbnail": pipeline["thumbnail"]["uri"]}


def _recording(engine, actor, patient: uuid.UUID, audio: bytes, uri: str | None = None) -> uuid.UUID:
    """A dictation's recording row (stored through the store, or pointing at ``uri`` as old rows did)."""
    who = actor()
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        vs = voice_store.start_or_continue(s, tenant_id=DEMO_TENANT_ID, user_id=who.user_id, patient_id=patient,
                                           session_id=None, channel="AUDIO_FILE")
        u = voice_store.add_utterance(s, vs.id, None)
        if uri is None:
            return voice_store.store_recording(s, tenant_id=DEMO_TENANT_ID, session_id=vs.id, utterance_id=u.id,
                                               audio=audio, fmt="wav", duration_s=1.0, sample_rate=16000).id
        rec = VoiceRecording(session_id=vs.id, utterance_id=u.id, tenant_id=DEMO_TENANT_ID, audio_uri=uri, format="wav")
        s.add(rec)
        s.flush()
        return rec.id


def test_verify_finds_a_deleted_a_tampered_and_an_orphaned_object(platform, engine, actor, new_patient, s3) -> None:
    patient = new_patient("Verify")
    refs = _refs(engine, _image(engine, actor, patient, seed=31)["object_id"])
    store = blob_store()
    assert all(store.exists(k) for k in refs.values())
    store.delete(refs["display"])  # lost
    store.client.put_object(Bucket=store.bucket, Key=store._name(refs["original"]), Body=b"not the radiograph")  # type: ignore[attr-defined]
    orphan = blobs.put(DEMO_TENANT_ID, "images", b"no row names me", "png")
    result = platform.cli("storage", "verify", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["store"] == s3["DENTALAGENT_STORAGE_URL"] and not report["ok"]
    assert {"table": "imaging_objects", "field": "processing_pipeline.display", "key": refs["display"]} in [
        {k: m[k] for k in ("table", "field", "key")} for m in report["missing"]]
    assert [m["field"] for m in report["tampered"] if m["key"] == refs["original"]] == ["storage_uri"]
    assert refs["thumbnail"] not in {m["key"] for m in report["missing"] + report["tampered"]}
    assert orphan in report["orphaned"] and refs["thumbnail"] not in report["orphaned"]


def test_migrate_moves_a_populated_home_and_is_idempotent(platform, engine, actor, new_patient, s3, tmp_path) -> None:
    """An embedded home as it was before object storage: files under recordings/ and images/ named by
    ``file://`` rows, plus its own object folder; ``storage migrate`` empties it into S3, resuming
    after a file it could not read, and a second run does nothing."""
    old = tmp_path / "old-home"
    patient = new_patient("Migrate")
    store = blob_store()
    # a radiograph filed the old way: three files under images/{tenant}/, the row names them by path
    obj_id = _image(engine, actor, patient, seed=32)["object_id"]
    refs = _refs(engine, obj_id)
    legacy: dict[str, str] = {}
    for kind, key in refs.items():
        name = key.rsplit("/", 1)[1]
        path = old / "images" / str(DEMO_TENANT_ID) / name[:2] / (name if kind == "original" else f"{name}.{kind}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(store.read(key))
        store.delete(key)
        legacy[kind] = path.as_uri()
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        obj = s.get(ImagingObject, uuid.UUID(obj_id))
        obj.storage_uri = legacy["original"]
        obj.processing_pipeline = {**obj.processing_pipeline, "display": {**obj.processing_pipeline["display"], "uri": legacy["display"]},
                                   "thumbnail": {**obj.processing_pipeline["thumbnail"], "uri": legacy["thumbnail"]}}
    # a recording filed the old way, and one already keyed but kept in the home's own object folder
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF-old-recording")
    old_wav = old / "recordings" / str(DEMO_TENANT_ID) / "a.wav"
    old_wav.parent.mkdir(parents=True)
    old_wav.write_bytes(wav.read_bytes())
    rec_old = _recording(engine, actor, patient, b"", uri=old_wav.as_uri())
    keyed = content_key(DEMO_TENANT_ID, "recordings", b"RIFF-keyed-recording", "wav")
    LocalBlobStore(default_root(_settings(old))).put(keyed, b"RIFF-keyed-recording")
    rec_keyed = _recording(engine, actor, patient, b"", uri=keyed)
    assert len(files_under(old)) == 5
    with process_env({"DENTALAGENT_HOME": str(old)}):  # old rows stay readable in place until migrated
        assert blobs.read(DEMO_TENANT_ID, legacy["original"]).startswith(PNG_MAGIC)
        assert blobs.read(DEMO_TENANT_ID, old_wav.as_uri()) == b"RIFF-old-recording"
        for tenant, refused in ((UNIVERSAL_TENANT_ID, legacy["original"]), (DEMO_TENANT_ID, wav.as_uri())):
            with pytest.raises(BlobMissing):  # another clinic's file; a file outside the home
                blobs.read(tenant, refused)

    env = {"DENTALAGENT_HOME": str(old), **servers_env(platform)}
    aside = old_wav.rename(tmp_path / "aside.wav")  # one file unreadable: the others move, it is reported
    first = platform.cli("storage", "migrate", "--json", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    moved = json.loads(first.stdout)
    assert (moved["rows_rewritten"], moved["files_removed"], moved["objects_copied"]) == (3, 3, 1)
    assert [(u["table"], u["row_id"]) for u in moved["unreadable"]] == [("voice_recordings", str(rec_old))]
    aside.rename(old_wav)  # resumed: only what is left is done
    resumed = lifecycle.migrate(engine.db, store, _settings(old))
    assert (resumed["rows_rewritten"], resumed["files_removed"], resumed["objects_copied"], resumed["unreadable"]) == (
        1, 1, 0, [])
    assert files_under(old) == []  # the old home holds no recording or image
    rows = _refs(engine, obj_id)
    assert rows == refs  # the same content, the same keys: rows now name objects, not paths
    assert blobs.read(DEMO_TENANT_ID, rows["original"]).startswith(PNG_MAGIC)
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        audio = {r: s.get(VoiceRecording, r).audio_uri for r in (rec_old, rec_keyed)}
    assert audio[rec_keyed] == keyed and blobs.read(DEMO_TENANT_ID, audio[rec_old]) == b"RIFF-old-recording"
    again = platform.cli("storage", "migrate", "--json", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {k: json.loads(again.stdout)[k] for k in ("rows_rewritten", "files_removed", "objects_copied", "unreadable")} == {
        "rows_rewritten": 0, "files_removed": 0, "objects_copied": 0, "unreadable": []}


def _settings(home: Path):
    from core_schema.settings import Settings

    return Settings(home=home)


def test_erasing_a_patient_deletes_that_patients_objects_only(engine, actor, new_patient, s3) -> None:
    from memory.service import forget_patient

    erased, kept = new_patient("Erased"), new_patient("Kept")
    shared = phantom.to_png(phantom.make_phantom(size=(320, 240), seed=33).pixels)
    mine = _refs(engine, ingest(engine.db, actor(), erased, shared, "shared.png")["object_id"])
    theirs_id = ingest(engine.db, actor(), kept, shared, "shared.png")["object_id"]  # the same file: the same objects
    own_id = _image(engine, actor, erased, seed=34)["object_id"]
    own = _refs(engine, own_id)
    rec = _recording(engine, actor, erased, b"RIFF-erased-patient-dictation")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        audio_key = s.get(VoiceRecording, rec).audio_uri
    assert forget_patient(DEMO_TENANT_ID, erased).objects_deleted == 4  # own radiograph (3 objects) + recording
    store = blob_store()
    assert not any(store.exists(k) for k in [*own.values(), audio_key])
    assert all(store.exists(k) for k in mine.values()) and _refs(engine, theirs_id) == mine  # still the other patient's
    with pytest.raises(DomainError) as gone:
        service.rendering(DEMO_TENANT_ID, uuid.UUID(own_id), "display")
    assert gone.value.status == 410 and gone.value.code == "erased"
    assert b"".join(service.rendering(DEMO_TENANT_ID, uuid.UUID(theirs_id), "display")).startswith(PNG_MAGIC)
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(VoiceRecording, rec).is_redacted
    assert forget_patient(DEMO_TENANT_ID, erased).objects_deleted == 0


def _login(http: TestClient, email: str) -> dict[str, str]:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_presigned_url_only_after_the_clinics_check(engine, actor, new_patient, s3) -> None:
    from api.app import create_app

    http = TestClient(create_app())
    object_id = _image(engine, actor, new_patient("Presigned"), seed=35)["object_id"]
    ours, other = _login(http, "dentist@demo.clinic"), _login(http, "dentist@universal.clinic")
    link = http.get(f"/api/v1/imaging/objects/{object_id}/display/url", headers=ours)
    assert link.status_code == 200, link.text
    assert link.json()["expires_in_s"] == 300 and link.json()["url"].startswith(s3["DENTALAGENT_S3_ENDPOINT_URL"])
    with urllib.request.urlopen(link.json()["url"]) as presigned:
        assert presigned.read().startswith(PNG_MAGIC)
    streamed = http.get(f"/api/v1/imaging/objects/{object_id}/thumbnail", headers=ours)
    assert streamed.status_code == 200 and streamed.content.startswith(PNG_MAGIC)
    for url in (f"/api/v1/imaging/objects/{object_id}/display/url", f"/api/v1/imaging/objects/{object_id}/thumbnail/url",
                f"/api/v1/imaging/objects/{object_id}/display"):
        refused = http.get(url, headers=other)
        assert refused.status_code == 404 and refused.json()["code"] == "not_found", url
