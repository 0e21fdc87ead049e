"""Imaging fixtures: phantom images (generated here, never downloaded) and a phantom ONNX model."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core_schema.models import (
    AIInferenceJob,
    AIPrediction,
    AIReviewEvent,
    ImageAnnotation,
    ImagingObject,
    ImagingSeries,
    ImagingStudy,
    Patient,
)
from core_schema.seed.demo import DEMO_TENANT_ID
from imaging import phantom

# The standard test bitewing: 16 mesial caries + occlusal restoration, 46 distal caries,
# 45 periapical lesion, 15 restoration; 14 missing.
FINDINGS = {"16": ["caries_M", "restoration"], "46": ["caries_D"], "45": ["periapical_radiolucency"],
            "15": ["restoration"]}
MISSING = ("14",)


@pytest.fixture(scope="session")
def bitewing() -> phantom.Phantom:
    return phantom.make_phantom(FINDINGS, missing=MISSING, size=(800, 600), seed=7)


@pytest.fixture(scope="session")
def model_file(tmp_path_factory) -> Path:
    from imaging.test_model import build

    return build(tmp_path_factory.mktemp("models") / "phantom_detector.onnx")


@pytest.fixture(scope="module", autouse=True)
def deployments_restored(engine):
    """Every clinic's model deployments as before the module: its tests deploy models (ACTIVE and
    SHADOW), which the API's imaging tests, run in any order, must not find deployed."""
    from core_schema.models import AIModelDeployment

    with engine.db.system_session() as s:
        before = dict(s.execute(select(AIModelDeployment.id, AIModelDeployment.status)).all())
    yield
    with engine.db.system_session() as s:
        for row in s.scalars(select(AIModelDeployment)):
            row.status = before.get(row.id, "RETIRED")


@pytest.fixture
def new_patient(engine):
    """A fresh patient of the demo clinic (its own chart)."""

    def _make(name: str = "Imaging") -> uuid.UUID:
        with engine.db.system_session() as s:
            row = Patient(tenant_id=DEMO_TENANT_ID, first_name=name, last_name="Tests")
            s.add(row)
            s.flush()
            return row.id

    return _make


def imaging_counts(engine) -> tuple[int, ...]:
    with engine.db.system_session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in
                     (ImagingStudy, ImagingSeries, ImagingObject, AIInferenceJob, AIPrediction, ImageAnnotation,
                      AIReviewEvent))
