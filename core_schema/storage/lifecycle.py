"""The life of stored objects: a patient's erasure, ``storage verify`` and ``storage migrate``.

Rows that reference objects, and the field of each that holds the reference:

| table | field | erased when |
| --- | --- | --- |
| ``voice_recordings`` | ``audio_uri`` | ``is_redacted`` |
| ``imaging_objects`` | ``storage_uri``, ``processing_pipeline.display.uri``, ``.thumbnail.uri`` | ``processing_pipeline.erased`` |
| ``ai_inference_jobs`` | ``compute_env.findings_uri`` (vendor findings) | ``compute_env.erased`` |

A reference is a key of the object store, or (rows written before it) a ``file://`` URI under
the home, which ``migrate`` moves into the store. Erasing marks the rows first, commits, then
deletes the objects no other live row of the clinic references (the same radiograph filed for
two patients is one object): a failure in between leaves an orphan ``verify`` reports, never a
live row without its object.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.db import Database, get_database
from core_schema.models import AIInferenceJob, ImagingObject, ImagingStudy, VoiceRecording, VoiceSession
from core_schema.settings import Settings, get_settings
from core_schema.storage import blob_store, default_root
from core_schema.storage.base import BlobMissing, BlobStore, content_key, content_type, digest_of, is_key, sha256
from core_schema.storage.blobs import legacy_allowed, legacy_path
from core_schema.storage.local import LocalBlobStore

_RENDERINGS = ("display", "thumbnail")


@dataclass(frozen=True)
class Ref:
    """One row's reference to one object."""

    table: str
    row_id: uuid.UUID
    tenant_id: uuid.UUID
    patient_id: uuid.UUID | None
    field: str  # the column, or a JSON path under it ("processing_pipeline.display")
    ref: str
    erased: bool

    @property
    def kind(self) -> str:
        return {"voice_recordings": "recordings", "imaging_objects": "images", "ai_inference_jobs": "findings"}[self.table]

    def as_json(self) -> dict[str, str]:
        return {"table": self.table, "row_id": str(self.row_id), "field": self.field,
                "key": self.ref if is_key(self.ref) else "(file in the home)"}


def refs(s: Session, patient_id: uuid.UUID | None = None) -> Iterator[Ref]:
    """Every reference the session can see (a tenant session: its clinic's; the system session: all)."""
    q = select(VoiceRecording, VoiceSession.patient_id).join(VoiceSession, VoiceSession.id == VoiceRecording.session_id)
    for rec, pid in s.execute(q if patient_id is None else q.where(VoiceSession.patient_id == patient_id)):
        yield Ref("voice_recordings", rec.id, rec.tenant_id, pid, "audio_uri", rec.audio_uri, bool(rec.is_redacted))
    q2 = select(ImagingObject, ImagingStudy.tenant_id, ImagingStudy.patient_id).join(
        ImagingStudy, ImagingStudy.id == ImagingObject.study_id)
    for obj, tid, pid in s.execute(q2 if patient_id is None else q2.where(ImagingStudy.patient_id == patient_id)):
        pipeline = obj.processing_pipeline or {}
        erased = bool(pipeline.get("erased"))
        yield Ref("imaging_objects", obj.id, tid, pid, "storage_uri", obj.storage_uri, erased)
        for kind in _RENDERINGS:
            if (pipeline.get(kind) or {}).get("uri"):
                yield Ref("imaging_objects", obj.id, tid, pid, f"processing_pipeline.{kind}", pipeline[kind]["uri"], erased)
    q3 = select(AIInferenceJob, ImagingStudy.patient_id).join(
        ImagingObject, ImagingObject.id == AIInferenceJob.input_ref_id).join(
        ImagingStudy, ImagingStudy.id == ImagingObject.study_id)
    for job, pid in s.execute(q3 if patient_id is None else q3.where(ImagingStudy.patient_id == patient_id)):
        env = job.compute_env or {}
        if env.get("findings_uri"):
            yield Ref("ai_inference_jobs", job.id, job.tenant_id, pid, "compute_env.findings_uri", env["findings_uri"],
                      bool(env.get("erased")))


def _mark_erased(s: Session, ref: Ref) -> None:
    if ref.table == "voice_recordings":
        rec = s.get(VoiceRecording, ref.row_id)
        if rec is not None:
            rec.is_redacted = True
    elif ref.table == "imaging_objects":
        obj = s.get(ImagingObject, ref.row_id)
        if obj is not None:
            obj.processing_pipeline = {**(obj.processing_pipeline or {}), "erased": True}
    else:
        job = s.get(AIInferenceJob, ref.row_id)
        if job is not None:
            job.compute_env = {**(job.compute_env or {}), "erased": True}


def _rewrite(s: Session, ref: Ref, key: str) -> None:
    """Point the row's field at ``key`` (``migrate``)."""
    if ref.table == "voice_recordings":
        rec = s.get(VoiceRecording, ref.row_id)
        if rec is not None and rec.audio_uri == ref.ref:
            rec.audio_uri = key
    elif ref.table == "imaging_objects":
        obj = s.get(ImagingObject, ref.row_id)
        if obj is None:
            return
        if ref.field == "storage_uri" and obj.storage_uri == ref.ref:
            obj.storage_uri = key
        elif ref.field.startswith("processing_pipeline."):
            kind = ref.field.split(".", 1)[1]
            pipeline: dict[str, Any] = dict(obj.processing_pipeline or {})
            if (pipeline.get(kind) or {}).get("uri") == ref.ref:
                pipeline[kind] = {**pipeline[kind], "uri": key}
                obj.processing_pipeline = pipeline
    else:
        job = s.get(AIInferenceJob, ref.row_id)
        if job is not None and (job.compute_env or {}).get("findings_uri") == ref.ref:
            job.compute_env = {**(job.compute_env or {}), "findings_uri": key}


def erase_patient(db: Database, store: BlobStore, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> int:
    """Mark the patient's rows erased, then delete their objects no other live row of the clinic
    references; returns how many objects were deleted (a second call deletes what the first left)."""
    with db.tenant_session(tenant_id) as s:
        mine = list(refs(s, patient_id))
        for ref in mine:
            _mark_erased(s, ref)
        s.flush()
        kept = {r.ref for r in refs(s) if not r.erased and r.patient_id != patient_id}
    deleted = 0
    for target in sorted({r.ref for r in mine} - kept):
        path = legacy_path(target)
        if path is not None:
            if legacy_allowed(tenant_id, path) and path.is_file():
                path.unlink()
                deleted += 1
        elif store.delete(target):
            deleted += 1
    return deleted


def verify(db: Database, store: BlobStore, *, check_hashes: bool = True) -> dict[str, Any]:
    """Rows against objects: live rows whose object is missing, objects whose bytes are not their
    name's SHA-256 (tampered), objects no live row references (orphaned), rows still on files."""
    with db.system_session() as s:
        all_refs = list(refs(s))
    live = [r for r in all_refs if not r.erased]
    by_key: dict[str, list[Ref]] = {}
    legacy: list[Ref] = []
    for r in live:
        if is_key(r.ref):
            by_key.setdefault(r.ref, []).append(r)
        else:
            legacy.append(r)
    missing: list[dict[str, str]] = []
    tampered: list[dict[str, str]] = []
    for key, rows in sorted(by_key.items()):
        try:
            ok = not check_hashes or _digest(store, key) == digest_of(key)
        except BlobMissing:
            missing += [r.as_json() for r in rows]
            continue
        if not ok:
            tampered += [r.as_json() for r in rows]
    stored = set(store.keys())
    orphaned = sorted(stored - set(by_key))
    legacy_missing = [r.as_json() for r in legacy if (p := legacy_path(r.ref)) is None or not p.is_file()]
    return {"store": store.url, "objects": len(stored), "references": len(live), "missing": missing + legacy_missing,
            "tampered": tampered, "orphaned": orphaned, "on_files": len(legacy),
            "ok": not (missing or tampered or orphaned or legacy_missing)}


def _digest(store: BlobStore, key: str) -> str:
    h = hashlib.sha256()
    for chunk in store.stream(key):
        h.update(chunk)
    return str(h.hexdigest())


def migrate(db: Database, store: BlobStore, settings: Settings) -> dict[str, Any]:
    """Move a home's files into ``store``: rows still on ``file://`` URIs (one transaction per
    row, then the file is removed), and the home's own object folder when ``store`` is another
    one. Resumable and idempotent: each step is done once and a second run finds nothing to do."""
    home = Path(settings.home).expanduser().resolve()
    with db.system_session() as s:
        on_files = [(r, path) for r in refs(s) if (path := legacy_path(r.ref)) is not None]
    pending = [(r, path) for r, path in on_files if _under(path, home)]  # this home's files only
    rewritten = 0
    unreadable: list[dict[str, str]] = []
    files: set[Path] = set()
    for r, path in pending:
        if not path.is_file():
            unreadable.append(r.as_json())
            continue
        data = path.read_bytes()
        ext = path.suffix.lstrip(".").lower() or "bin"
        key = content_key(r.tenant_id, r.kind, data, ext)
        store.put(key, data, content_type(r.kind, ext))
        with db.system_session() as s:
            _rewrite(s, r, key)
        rewritten += 1
        files.add(path)
    removed = 0
    for path in files:  # after every row that named it points at the store
        if _under(path, home) and path.is_file():
            path.unlink()
            removed += 1
    copied = 0
    local = LocalBlobStore(default_root(settings))
    if local.url != store.url:
        for key in list(local.keys()):
            if not is_key(key):
                continue
            data = local.read(key)
            if sha256(data) != digest_of(key):
                unreadable.append({"key": key, "reason": "its bytes are not its name's SHA-256: left in the home"})
                continue
            store.put(key, data, content_type(key.split("/", 2)[1], key.rsplit(".", 1)[1]))
            copied += 1
            local.delete(key)
    left = sorted(str(p.relative_to(home)) for d in ("recordings", "images") if (home / d).is_dir()
                  for p in (home / d).rglob("*") if p.is_file())
    return {"store": store.url, "rows_rewritten": rewritten, "files_removed": removed, "objects_copied": copied,
            "unreadable": unreadable, "files_left": len(left), "rows_on_other_homes": len(on_files) - len(pending)}


def _under(path: Path, home: Path) -> bool:
    try:
        path.resolve().relative_to(home)
        return True
    except ValueError:
        return False


def verify_configured(*, check_hashes: bool = True) -> dict[str, Any]:
    """``verify`` on this process's database and configured store (``dentalagent storage verify``)."""
    return verify(get_database(), blob_store(), check_hashes=check_hashes)


def migrate_configured() -> dict[str, Any]:
    """``migrate`` this process's home into its configured store (``dentalagent storage migrate``)."""
    return migrate(get_database(), blob_store(), get_settings())
