"""Ingest: phantom DICOM and PNG in; bad files refused with one line and nothing written."""

from __future__ import annotations

import io
import json
import logging

import numpy as np
import pytest

from core_schema.models import ImagingObject, ImagingStudy
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID
from core_schema.storage import blobs
from imaging import phantom
from imaging.decode import decode
from imaging.errors import ImagingError
from imaging.ingest import ingest
from imaging.storage import read_grey
from tests.imaging.conftest import imaging_counts


def test_dicom_phantom_is_windowed_and_keeps_its_uids(bitewing) -> None:
    data = phantom.to_dicom(bitewing.pixels, monochrome1=True)
    image = decode(data, "bw.dcm")
    assert (image.object_type, image.modality, image.width, image.height) == ("DICOM", "INTRAORAL", 800, 600)
    assert image.study_uid and image.sop_instance_uid and image.window == (2047.5, 4095.0)
    # MONOCHROME1 is inverted back: the display matches the phantom to within rounding
    assert np.abs(image.pixels.astype(int) - bitewing.pixels.astype(int)).max() <= 1
    no_window = decode(phantom.to_dicom(bitewing.pixels, window=False), "bw.dcm")
    assert no_window.pixels.max() == 255 and no_window.pixels.min() == 0  # full range when the file gives none


def test_ingest_dicom_and_png_rows_files_and_same_file_twice(engine, actor, bitewing, new_patient, caplog) -> None:
    patient = new_patient()
    dcm = phantom.to_dicom(bitewing.pixels)
    caplog.set_level(logging.DEBUG)
    first = ingest(engine.db, actor(), patient, dcm, "bw.dcm")
    assert first["created"] and first["modality"] == "INTRAORAL" and (first["width"], first["height"]) == (800, 600)
    again = ingest(engine.db, actor(), patient, dcm, "copy.dcm")
    assert again["object_id"] == first["object_id"] and not again["created"]
    png = ingest(engine.db, actor(), patient, phantom.to_png(bitewing.pixels), "bw.png")
    assert png["object_id"] != first["object_id"] and png["study_id"] != first["study_id"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        obj = s.get(ImagingObject, __import__("uuid").UUID(first["object_id"]))
        study = s.get(ImagingStudy, obj.study_id)
        assert obj.object_type == "DICOM" and obj.byte_size == len(dcm) and obj.hash == first["sha256"]
        assert study.study_uid and study.source_system == "DICOM_FILE" and obj.sop_instance_uid
        assert blobs.read(DEMO_TENANT_ID, obj.storage_uri) == dcm and obj.storage_uri.startswith(f"{DEMO_TENANT_ID}/images/")
        thumb = obj.processing_pipeline["thumbnail"]
        assert max(thumb["width"], thumb["height"]) == 256
        assert read_grey(DEMO_TENANT_ID, obj.processing_pipeline["display"]["uri"]).shape == (600, 800)
        stored = json.dumps([obj.processing_pipeline, study.body_part, study.source_system])
    # the DICOM patient module never reaches rows or logs
    for secret in ("PHANTOM^SECRET", "PHANTOM-ID-4242", "19700101"):
        assert secret not in stored and secret not in caplog.text


def _bad_files() -> dict[str, tuple[bytes, str, str]]:
    pixels = phantom.make_phantom(size=(200, 150)).pixels
    dcm = phantom.to_dicom(pixels)
    png = phantom.to_png(pixels)
    return {
        "text_named_dcm": (b"this is a text file, not a radiograph\n" * 10, "notes.dcm", "not a dicom"),
        "truncated_dicom": (dcm[: len(dcm) // 2], "cut.dcm", "truncated"),
        "malformed_dicom": (dcm[:132] + b"\xff" * 64, "bad.dcm", "truncated or corrupt"),
        "truncated_png": (png[: len(png) // 2], "cut.png", "truncated"),
        "random_bytes": (bytes(range(256)) * 8, "x.png", "not an image"),
        "ct_dicom": (phantom.to_dicom(pixels, modality="CT"), "ct.dcm", "accepted"),
        "jpeg_ls_dicom": (phantom.to_dicom(pixels, transfer_syntax="1.2.840.10008.1.2.4.80"), "jls.dcm", ""),
    }


@pytest.mark.parametrize("name", list(_bad_files()))
def test_bad_files_are_refused_with_one_line_and_nothing_written(engine, actor, name) -> None:
    data, filename, says = _bad_files()[name]
    before = imaging_counts(engine)
    with pytest.raises(ImagingError) as err:
        ingest(engine.db, actor(), DEMO_PATIENT_IDS[0], data, filename)
    assert len(str(err.value).splitlines()) == 1 and says in str(err.value).lower()
    assert imaging_counts(engine) == before


def test_oversized_image_and_other_clinic_patient_are_refused(engine, actor, monkeypatch) -> None:
    from imaging.config import imaging_settings

    png = phantom.to_png(phantom.make_phantom(size=(400, 300)).pixels)
    before = imaging_counts(engine)
    with pytest.raises(ImagingError, match="not found in this clinic"):
        ingest(engine.db, actor(), UNIVERSAL_PATIENT_ID, png, "x.png")
    monkeypatch.setenv("DENTALAGENT_MAX_IMAGE_PIXELS", "100000")
    imaging_settings.cache_clear()
    try:
        with pytest.raises(ImagingError, match="the limit is 100000 pixels") as err:
            ingest(engine.db, actor(), DEMO_PATIENT_IDS[0], png, "x.png")
        assert err.value.code == "image_too_large"
    finally:
        monkeypatch.delenv("DENTALAGENT_MAX_IMAGE_PIXELS")
        imaging_settings.cache_clear()
    assert imaging_counts(engine) == before


def test_cli_ingest_refuses_in_one_line(platform, tmp_path) -> None:
    bad = tmp_path / "notes.dcm"
    bad.write_text("not a radiograph")
    result = platform.cli("imaging", "ingest", str(bad), "--patient", str(DEMO_PATIENT_IDS[0]), "--json")
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    assert "not a dicom" in json.loads(result.stdout)["error"].lower()
    good = tmp_path / "bw.png"
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(phantom.make_phantom(size=(300, 200)).pixels).save(buf, format="PNG")
    good.write_bytes(buf.getvalue())
    ok = platform.cli("imaging", "ingest", str(good), "--patient", str(DEMO_PATIENT_IDS[0]), "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    out = json.loads(ok.stdout)
    assert set(out) >= {"study_id", "series_id", "object_id", "modality", "width", "height", "sha256"}
