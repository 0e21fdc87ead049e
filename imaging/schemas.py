"""What the imaging routes return: the ``imaging review --json`` shapes, extended only by keys."""

from __future__ import annotations

from pydantic import Field

from core_schema.responses import Out


class ImagingFindingOut(Out):
    prediction_id: str
    label: str
    tooth: str | None = Field(description="FDI tooth; None until a reviewer sets it (missing: ['tooth']).")
    surfaces: list[str]
    confidence: float
    box: list[float] | None = Field(description="x0, y0, x1, y1 in the original image's pixels.")
    status: str | None = Field(description="new, duplicate, conflict or below_threshold.")
    missing: list[str]
    approval_id: str | None
    approval_status: str | None = Field(default=None, description="PENDING, APPROVED, REJECTED, TIMED_OUT...")
    edited: bool = False
    review_comment: str | None = None
    conflict_reason: str | None = None


class ImagingReviewOut(Out):
    run_id: str
    job_id: str | None
    status: str = Field(description="The run's status, e.g. WAITING_APPROVAL or COMPLETED.")
    patient_id: str
    object_id: str
    width: int | None
    height: int | None
    model: str | None
    started_at: str | None
    findings: list[ImagingFindingOut]
    approval_ids: list[str]


class ReviewSummaryOut(Out):
    run_id: str
    status: str
    started_at: str | None
    pending: int


class ImagingObjectOut(Out):
    object_id: str
    study_id: str
    series_id: str | None
    object_type: str
    modality: str
    width: int | None
    height: int | None
    sha256: str | None
    created_at: str | None
    display_url: str
    thumbnail_url: str
    reviews: list[ReviewSummaryOut] = Field(description="Review runs of this image, newest first.")


class ImagingStudyOut(Out):
    study_id: str
    modality: str
    acquired_at: str | None
    created_at: str | None
    objects: list[ImagingObjectOut]


class ImagingUploadOut(ImagingReviewOut):
    study_id: str
    series_id: str
    sha256: str
    created: bool = Field(description="False when the same file was already filed for this patient.")


class RenderingUrlOut(Out):
    """A download URL of a rendering; ``expires_in_s`` null for this API's own (authenticated) route."""

    url: str
    expires_in_s: int | None
