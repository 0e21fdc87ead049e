"""create_clinical_note: a free-text clinical note on a patient (and optionally a visit)."""

from __future__ import annotations

import uuid

from pydantic import Field

from core_schema.models import ClinicalNote
from tools.clinical.common import CHART_WRITE, StrictModel, load_encounter, load_patient
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

NOTE_TYPES = ("PROGRESS", "EXAM", "TREATMENT", "PERIO", "RADIOLOGY_REPORT", "CONSULT", "POST_OP", "OTHER")
MAX_NOTE_CHARS = 20_000


class CreateClinicalNoteInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit the note belongs to (optional; must be this patient's).")
    note_type: str = Field(default="PROGRESS", description="One of " + ", ".join(NOTE_TYPES) + ".",
                           json_schema_extra={"enum": list(NOTE_TYPES)})
    content: str = Field(description="The note text, as dictated or written.")
    language: str | None = Field(default=None, max_length=16, description="Optional language code, e.g. 'en'.")


@tool(
    "create_clinical_note",
    description=(
        "Write a free-text clinical note on a patient's record (needs a quick confirmation): note_type "
        "(PROGRESS by default; EXAM, TREATMENT, PERIO, RADIOLOGY_REPORT, CONSULT, POST_OP, OTHER) and the "
        "content, optionally attached to a visit of that patient."
    ),
    category=Category.DATA_MUTATION,
    input_model=CreateClinicalNoteInput,
    risk_tier=2,
    **CHART_WRITE,
)
def create_clinical_note(ctx: ToolContext, args: CreateClinicalNoteInput) -> ToolResult:
    s, tid = ctx.session, ctx.tenant_id
    load_patient(s, tid, args.patient_id)
    if args.encounter_id is not None:
        load_encounter(s, tid, args.patient_id, args.encounter_id)
    note_type = args.note_type.strip().upper()
    if note_type not in NOTE_TYPES:
        raise ToolError(f"unknown note type {args.note_type!r} (use {', '.join(NOTE_TYPES)})")
    content = args.content.strip()
    if not content:
        raise ToolError("the note is empty")
    if len(content) > MAX_NOTE_CHARS:
        raise ToolError(f"the note is too long ({len(content)} characters; at most {MAX_NOTE_CHARS})")
    note = ClinicalNote(id=uuid.uuid4(), tenant_id=tid, patient_id=args.patient_id, encounter_id=args.encounter_id,
                        author_id=ctx.user_id, note_type=note_type, content=content, language=args.language)
    s.add(note)
    s.flush()
    return ToolResult(
        output={"patient_id": str(args.patient_id), "note_id": str(note.id), "note_type": note_type,
                "encounter_id": str(args.encounter_id) if args.encounter_id else None},
        mutation=Mutation(
            entity_type="CLINICAL_NOTE", entity_id=note.id, action_type="CREATE", previous_state=None,
            new_state={"patient_id": str(args.patient_id), "note_id": str(note.id), "note_type": note_type,
                       "encounter_id": str(args.encounter_id) if args.encounter_id else None, "content": content},
            summary=f"{note_type.replace('_', ' ').capitalize()} note added ({len(content)} characters)",
        ),
    )
