"""Ingest: a file -> ``imaging_studies`` / ``imaging_series`` / ``imaging_objects`` rows and stored files.

The file is decoded and checked before anything is written (a refusal leaves no row and no
file); the patient must be visible to the clinic (row-level security hides other clinics'
patients). A DICOM file keeps its Study / Series / SOP UIDs and joins the study and series
with those UIDs; other files get generated UIDs (``2.25.<uuid>``). The same file (same
SHA-256) for the same patient is the same object.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select

from core_schema.db import Database
from core_schema.directory import Actor
from core_schema.models import Encounter, ImagingObject, ImagingSeries, ImagingStudy, Patient
from imaging import storage
from imaging.decode import DecodedImage, decode
from imaging.errors import ImagingError

log = logging.getLogger(__name__)


def generated_uid() -> str:
    """A DICOM UID from a random UUID (the ``2.25`` root, PS3.5 B.2)."""
    return f"2.25.{uuid.uuid4().int}"


def ingest(db: Database, actor: Actor, patient_id: uuid.UUID, data: bytes, filename: str = "",
           encounter_id: uuid.UUID | None = None, modality: str | None = None) -> dict[str, Any]:
    """Ingest one file for ``patient_id``; returns the contract's fields (plus ``created``)."""
    image = decode(data, filename, modality)  # refuses before anything is written
    digest = storage.sha256(data)
    with db.tenant_session(actor.tenant_id) as s:
        if s.get(Patient, patient_id) is None:
            raise ImagingError("patient_not_found", f"patient {patient_id} not found in this clinic", 404)
        if encounter_id is not None:
            enc = s.get(Encounter, encounter_id)
            if enc is None or enc.patient_id != patient_id:
                raise ImagingError("encounter_not_found", f"encounter {encounter_id} not found for this patient", 404)
        existing = s.execute(
            select(ImagingObject, ImagingStudy).join(ImagingStudy, ImagingStudy.id == ImagingObject.study_id)
            .where(ImagingStudy.patient_id == patient_id, ImagingObject.hash == digest).limit(1)).first()
        if existing is not None:
            obj, study = existing
            return _result(study, obj, created=False)
        if image.object_type == "DICOM" and image.sop_instance_uid:
            clash = s.scalar(select(ImagingObject.id).join(ImagingStudy, ImagingStudy.id == ImagingObject.study_id)
                             .where(ImagingObject.sop_instance_uid == image.sop_instance_uid,
                                    ImagingStudy.patient_id != patient_id).limit(1))
            if clash is not None:
                raise ImagingError("dicom_other_patient", "this DICOM instance is already filed for another patient")
        files = storage.store(actor.tenant_id, data, image.extension, image.pixels)
        study = _study(s, actor, patient_id, encounter_id, image)
        series = _series(s, study, image)
        obj = ImagingObject(
            id=uuid.uuid4(), study_id=study.id, series_id=series.id,
            sop_instance_uid=image.sop_instance_uid or generated_uid(), object_type=image.object_type,
            storage_uri=str(files["original"]), hash=digest, byte_size=len(data), width=image.width,
            height=image.height, depth_slices=1, is_original=True,
            processing_pipeline={"display": files["display"], "thumbnail": files["thumbnail"],
                                 "window": list(image.window) if image.window else None,
                                 "transfer_syntax": image.transfer_syntax, "modality": image.modality},
        )
        s.add(obj)
        s.flush()
        log.info("imaging object %s ingested (%s, %dx%d)", obj.id, image.object_type, image.width, image.height)
        return _result(study, obj, created=True)


def _study(s: Any, actor: Actor, patient_id: uuid.UUID, encounter_id: uuid.UUID | None,
           image: DecodedImage) -> ImagingStudy:
    if image.study_uid:
        found = s.scalar(select(ImagingStudy).where(ImagingStudy.patient_id == patient_id,
                                                    ImagingStudy.study_uid == image.study_uid).limit(1))
        if found is not None:
            return found
    study = ImagingStudy(id=uuid.uuid4(), tenant_id=actor.tenant_id, patient_id=patient_id, encounter_id=encounter_id,
                         study_uid=image.study_uid or generated_uid(), modality=image.modality,
                         body_part=image.body_part, acquisition_datetime=image.acquired_at,
                         source_system="DICOM_FILE" if image.object_type == "DICOM" else "FILE_UPLOAD")
    s.add(study)
    s.flush()
    return study


def _series(s: Any, study: ImagingStudy, image: DecodedImage) -> ImagingSeries:
    if image.series_uid:
        found = s.scalar(select(ImagingSeries).where(ImagingSeries.study_id == study.id,
                                                     ImagingSeries.series_uid == image.series_uid).limit(1))
        if found is not None:
            return found
    series = ImagingSeries(id=uuid.uuid4(), study_id=study.id, series_uid=image.series_uid or generated_uid(),
                           series_number=image.series_number or "1", modality=image.modality, body_part=image.body_part)
    s.add(series)
    s.flush()
    return series


def _result(study: ImagingStudy, obj: ImagingObject, created: bool) -> dict[str, Any]:
    return {"study_id": str(study.id), "series_id": str(obj.series_id), "object_id": str(obj.id),
            "modality": study.modality, "width": obj.width, "height": obj.height, "sha256": obj.hash,
            "created": created}
