"""The web app's pages. Each checks the session cookie (no session: off to sign-in) and
renders a template; the page's script then reads and changes data through ``/api/v1``."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.web.viewer import Viewer, current_viewer, demo_mode
from core_schema.db import get_database
from core_schema.models import Patient
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_USERS

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
router = APIRouter(include_in_schema=False)


def _signin_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)


def _page(request: Request, template: str, viewer: Viewer, active: str, **context: Any) -> HTMLResponse:
    page = {"user": {"id": str(viewer.user_id), "email": viewer.email, "name": viewer.full_name, "role": viewer.role,
                     "permissions": sorted(viewer.permissions)}, **context.pop("page", {})}
    return templates.TemplateResponse(request, template, {"viewer": viewer, "active": active, "page": page, **context})


def _safe_next(value: str | None) -> str:
    """Only a path of this site (no scheme, no host, no protocol-relative URL)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/patients"


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/patients" if current_viewer(request) else "/signin", status_code=303)


@router.get("/signin")
def signin(request: Request, next: str | None = None) -> Response:
    if current_viewer(request):
        return RedirectResponse(_safe_next(next), status_code=303)
    demo = [{"email": u.email, "name": u.full_name, "role": u.role} for u in DEMO_USERS if u.email.endswith("@demo.clinic")]
    return templates.TemplateResponse(request, "signin.html", {
        "next": _safe_next(next), "demo_users": demo if demo_mode() else [],
        "demo_password": DEMO_PASSWORD if demo_mode() else None})


@router.get("/patients")
def patients(request: Request) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    return _page(request, "patients.html", viewer, "patients")


def _patient_name(viewer: Viewer, patient_id: uuid.UUID) -> str | None:
    with get_database().tenant_session(viewer.tenant_id) as s:
        p = s.get(Patient, patient_id)
        return f"{p.first_name} {p.last_name}" if p else None


@router.get("/patients/{patient_id}")
def patient(request: Request, patient_id: uuid.UUID) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    name = _patient_name(viewer, patient_id)
    if name is None:
        return templates.TemplateResponse(request, "not_found.html", {"viewer": viewer, "active": "patients", "page": {},
                                                                      "what": "patient"}, status_code=404)
    return _page(request, "patient.html", viewer, "patients", patient_name=name,
                 page={"patient_id": str(patient_id), "patient_name": name})


def _imaging_page(request: Request, viewer: Viewer, patient_id: uuid.UUID | None, run_id: str | None) -> Response:
    from imaging.labels import LABELS, REASON_CODES

    name = _patient_name(viewer, patient_id) if patient_id else None
    if name is None:
        return templates.TemplateResponse(request, "not_found.html", {"viewer": viewer, "active": "patients", "page": {},
                                                                      "what": "radiograph review"}, status_code=404)
    return _page(request, "imaging.html", viewer, "patients", patient_name=name,
                 page={"patient_id": str(patient_id), "patient_name": name, "run_id": run_id,
                       "labels": list(LABELS), "reasons": list(REASON_CODES)})


@router.get("/patients/{patient_id}/plan")
def patient_plan(request: Request, patient_id: uuid.UUID, run: uuid.UUID | None = None) -> Response:
    """Reconciliation and the treatment-plan draft with the agents' conversation beside it."""
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    name = _patient_name(viewer, patient_id)
    if name is None:
        return templates.TemplateResponse(request, "not_found.html", {"viewer": viewer, "active": "patients", "page": {},
                                                                      "what": "patient"}, status_code=404)
    return _page(request, "plan.html", viewer, "patients", patient_name=name,
                 page={"patient_id": str(patient_id), "patient_name": name, "run_id": str(run) if run else None})


@router.get("/patients/{patient_id}/imaging")
def patient_imaging(request: Request, patient_id: uuid.UUID) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    return _imaging_page(request, viewer, patient_id, None)


@router.get("/imaging/runs/{run_id}")
def imaging_run(request: Request, run_id: uuid.UUID) -> Response:
    """One review run's page (its patient found through the run; another clinic's run is not found)."""
    from core_schema.models import AgentExecution

    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    with get_database().tenant_session(viewer.tenant_id) as s:
        run = s.get(AgentExecution, run_id)
        patient_id = run.patient_id if run is not None else None
    return _imaging_page(request, viewer, patient_id, str(run_id))


@router.get("/inbox")
def inbox(request: Request) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    return _page(request, "inbox.html", viewer, "inbox")


@router.get("/runs/{run_id}")
def run(request: Request, run_id: uuid.UUID) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    return _page(request, "run.html", viewer, "runs", page={"run_id": str(run_id)})


@router.get("/runs")
def runs(request: Request) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return _signin_redirect(request)
    return _page(request, "runs.html", viewer, "runs")
