"""One spec per voice command: everything the platform needs to know about it, declared once.

A ``CommandSpec`` names the command (``voice-contract.md``), its risk tier, the labels it
accepts, the slots a proposal must fill, its arguments (a pydantic model), how it is coded
(CDT from the procedure catalog, ICD from the diagnoses, or not at all), the resolver step
that turns a proposal into a tool call and the tool that step calls. Everything else is
derived from ``COMMANDS``:

- the registry (``registry.required_slots``, ``risk_tier``, ``PROCEDURE_COMMANDS``),
- the LLM interpreter's function-calling schemas (``function_parameters``: the arguments
  model's JSON schema in the strict shape) and its validation of the model's calls
  (``CommandSpec.validate``: the arguments model, with the words said as validation context),
- the resolver's dispatch (``voice.resolver._HANDLERS``, one step per spec).

Adding a command is one spec here (and its resolver step and tests).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SkipValidation,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core_schema.catalog import DIAGNOSIS_LABELS, PLAN_LABELS, procedures_for

from .models import InterpretContext
from .perio import ALL_SITES
from .teeth import next_perio_tooth

SURFACES = ["M", "O", "D", "B", "L", "I", "F", "P"]

FINDING_LABELS: tuple[str, ...] = (
    "caries",
    "fracture",
    "restoration",
    "crown",
    "missing",
    "watch",
    "mobility",
    "root_canal_treated",
    "impacted",
    "implant",
    "sealant",
)
DIAGNOSIS_LABEL_LIST: tuple[str, ...] = tuple(sorted(DIAGNOSIS_LABELS))
PLAN_LABEL_LIST: tuple[str, ...] = tuple(sorted(PLAN_LABELS))

# Diagnoses that describe the whole mouth as often as a tooth: a tooth is not required.
MOUTH_LEVEL_DIAGNOSES: frozenset[str] = frozenset({"gingivitis", "periodontitis"})


# ---------------------------------------------------------------------------------------------
# Validation context: what the utterance grounds


@dataclass
class Heard:
    """The words said, as the arguments models check a call against them (validation context)."""

    text: str
    surfaces: Collection[str]
    numbers: Callable[[], Iterable[int]]  # the numbers said (after normalising number words)


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_argument", message)


def _heard(info: ValidationInfo) -> Heard | None:
    return info.context if isinstance(info.context, Heard) else None


def norm_text(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def _int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _invalid(f"{name} must be an integer {lo}..{hi}")
    return value


def _in_range(name: str, lo: int, hi: int) -> Callable[[Any], int | None]:
    def check(value: Any) -> int | None:
        return None if value is None else _int(value, name, lo, hi)

    return check


def _label_in(allowed: tuple[str, ...], *, nullable: bool) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or value not in allowed:
            raise _invalid(f"label {value!r} is not in the registry for this command")
        return value

    return check


def _enum(allowed: tuple[str, ...], *, nullable: bool) -> WithJsonSchema:
    if nullable:
        return WithJsonSchema({"type": ["string", "null"], "enum": [*allowed, None]})
    return WithJsonSchema({"type": "string", "enum": list(allowed)})


def _surfaces(value: Any, info: ValidationInfo) -> list[str]:
    surfaces = value or []
    if not isinstance(surfaces, list) or any(s not in SURFACES for s in surfaces):
        raise _invalid(f"surfaces must be from {SURFACES}")
    heard = _heard(info)
    ungrounded = [s for s in surfaces if heard is not None and s not in heard.surfaces]
    if ungrounded:
        raise _invalid(f"surfaces {ungrounded} are not grounded in the utterance")
    return list(dict.fromkeys(surfaces))


def _depths(value: Any) -> Any:
    if isinstance(value, PerioDepths):  # the default: nothing measured
        return value
    depths = value or {}
    if not isinstance(depths, dict) or set(depths) - set(ALL_SITES):
        raise _invalid(f"depths_mm keys must be from {list(ALL_SITES)}")
    return {s: _int(v, f"depth {s}", 0, 15) for s, v in depths.items() if v is not None}


def _sites(value: Any) -> list[str]:
    sites = value or []
    if not isinstance(sites, list) or any(b not in ALL_SITES for b in sites):
        raise _invalid(f"bleeding_sites must be from {list(ALL_SITES)}")
    return list(dict.fromkeys(sites))


def _direction(value: Any) -> str | None:
    if value is not None and value not in ("up", "down"):
        raise _invalid("direction must be up or down")
    return value


def _note_text(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid("note text is empty")
    heard = _heard(info)
    if heard is not None and norm_text(value) not in norm_text(heard.text):
        raise _invalid("note text is not in the utterance")
    return value


Surface = Literal["M", "O", "D", "B", "L", "I", "F", "P"]
Site = Literal["MB", "B", "DB", "ML", "L", "DL"]
# Teeth are checked after every other argument, against the label's required slots and the
# tooth in focus (``voice.interpreter.llm``): the model keeps what was sent.
Teeth = Annotated[SkipValidation[list[str]], Field(description='FDI tooth numbers, e.g. "16"')]
Surfaces = Annotated[list[Surface], BeforeValidator(_surfaces)]
Grade = Annotated[int | None, BeforeValidator(_in_range("grade", 0, 4))]
FindingLabel = Annotated[str, BeforeValidator(_label_in(FINDING_LABELS, nullable=False)),
                         _enum(FINDING_LABELS, nullable=False)]
DiagnosisLabel = Annotated[str, BeforeValidator(_label_in(DIAGNOSIS_LABEL_LIST, nullable=False)),
                           _enum(DIAGNOSIS_LABEL_LIST, nullable=False)]
PlanLabel = Annotated[str, BeforeValidator(_label_in(PLAN_LABEL_LIST, nullable=False)),
                      _enum(PLAN_LABEL_LIST, nullable=False)]
PlanLabelOrNone = Annotated[str | None, BeforeValidator(_label_in(PLAN_LABEL_LIST, nullable=True)),
                            _enum(PLAN_LABEL_LIST, nullable=True)]


# ---------------------------------------------------------------------------------------------
# Arguments models (what the LLM sends; the fields of ``Proposal.values`` they carry)


class CommandArguments(BaseModel):
    """Base of every command's arguments: unknown keys are refused, absent keys take defaults."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    # Fields that are proposal slots, not ``values``.
    _SLOTS: ClassVar[frozenset[str]] = frozenset({"teeth", "surfaces", "label"})

    @classmethod
    def takes_teeth(cls) -> bool:
        return "teeth" in cls.model_fields

    @property
    def teeth_sent(self) -> Any:
        """The teeth as sent (checked by the interpreter against the label and the tooth in focus)."""
        return getattr(self, "teeth", None)

    @property
    def label_said(self) -> str | None:
        return getattr(self, "label", None)

    @property
    def surfaces_said(self) -> list[str]:
        return list(getattr(self, "surfaces", []))

    def values(self) -> dict[str, Any]:
        """The proposal's ``values``: every other argument that was given."""
        return {k: v for k in type(self).model_fields if k not in self._SLOTS and (v := getattr(self, k)) is not None}

    def context_values(self, ctx: InterpretContext) -> dict[str, Any]:
        """Values filled from the session context (listed in ``from_context`` as the tooth)."""
        return {}


class FindingArguments(CommandArguments):
    teeth: Teeth = []
    surfaces: Surfaces = []
    label: FindingLabel = None  # type: ignore[assignment]  # absent: refused by the label check
    grade: Grade = None


class PerioDepths(BaseModel):
    # Pocket depths by site (mm); sites not measured are null. (No docstring: it would become
    # the schema's description.)
    model_config = ConfigDict(extra="forbid")

    MB: int | None = None
    B: int | None = None
    DB: int | None = None
    ML: int | None = None
    L: int | None = None
    DL: int | None = None


class PerioArguments(CommandArguments):
    teeth: Teeth = []
    depths_mm: Annotated[PerioDepths, BeforeValidator(_depths)] = PerioDepths()
    bleeding_sites: Annotated[list[Site], BeforeValidator(_sites)] = []
    recession_mm: Annotated[int | None, BeforeValidator(_in_range("recession_mm", 0, 15))] = None
    mobility_grade: Annotated[int | None, BeforeValidator(_in_range("mobility_grade", 0, 4))] = None

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        depths = self.depths_mm.model_dump(exclude_none=True)
        if depths:
            values["depths_mm"] = depths
        if self.bleeding_sites:
            values["bleeding_sites"] = list(self.bleeding_sites)
        if self.recession_mm is not None:
            values["recession_mm"] = self.recession_mm
        if self.mobility_grade is not None:
            values["mobility_grade"] = self.mobility_grade
        return values

    @model_validator(mode="after")
    def _numbers_said(self, info: ValidationInfo) -> PerioArguments:
        heard = _heard(info)
        if heard is not None:
            digits = set(re.findall(r"\d+", " ".join(str(n) for n in heard.numbers())))
            for v in [*self.depths_mm.model_dump(exclude_none=True).values(), self.recession_mm, self.mobility_grade]:
                if v is not None and str(v) not in digits:
                    raise _invalid(f"value {v} is not grounded in the utterance")
        return self


class NextToothArguments(CommandArguments):
    def context_values(self, ctx: InterpretContext) -> dict[str, Any]:
        nxt = next_perio_tooth(ctx.tooth) if ctx.tooth else None
        return {"next_tooth": nxt} if nxt else {}


class DiagnosisArguments(CommandArguments):
    teeth: Teeth = []
    surfaces: Surfaces = []
    label: DiagnosisLabel = None  # type: ignore[assignment]  # absent: refused by the label check


class PlanAddArguments(CommandArguments):
    teeth: Teeth = []
    surfaces: Surfaces = []
    label: PlanLabel = None  # type: ignore[assignment]  # absent: refused by the label check


class PlanMoveArguments(CommandArguments):
    teeth: Teeth = []
    label: PlanLabelOrNone = None
    item: SkipValidation[int | None] = None
    position: Annotated[SkipValidation[int | str | None], Field(description='1-based position, or "last"')] = None
    direction: Annotated[Literal["up", "down"] | None, BeforeValidator(_direction)] = None


class ProcedureArguments(CommandArguments):
    teeth: Teeth = []
    surfaces: Surfaces = []
    label: PlanLabelOrNone = None


class NoteArguments(CommandArguments):
    text: Annotated[str, BeforeValidator(_note_text), Field(description="the note, verbatim from the utterance")] = ""


class ShowArguments(CommandArguments):
    teeth: Teeth = []


# ---------------------------------------------------------------------------------------------
# Required slots (what a proposal must fill, said or from context, before it is complete)


@lru_cache(maxsize=None)
def label_requires_tooth(label: str) -> bool:
    """Whether every catalog entry for a procedure label is per tooth."""
    procs = procedures_for(label)
    return bool(procs) and all(p.requires_tooth for p in procs)


@lru_cache(maxsize=None)
def label_requires_surfaces(label: str) -> bool:
    """Whether the catalog codes a procedure label by surface count (fillings)."""
    procs = procedures_for(label)
    return bool(procs) and all(p.requires_surface for p in procs)


def _always(*slots: str) -> Callable[[str | None], tuple[str, ...]]:
    return lambda label: slots


def _finding_slots(label: str | None) -> tuple[str, ...]:
    return ("tooth", "grade") if label == "mobility" else ("tooth",)


def _diagnosis_slots(label: str | None) -> tuple[str, ...]:
    return () if label in MOUTH_LEVEL_DIAGNOSES else ("tooth",)


def _plan_add_slots(label: str | None) -> tuple[str, ...]:
    if label is None:
        return ("label",)
    return (("tooth",) if label_requires_tooth(label) else ()) + (("surfaces",) if label_requires_surfaces(label) else ())


def _procedure_slots(label: str | None) -> tuple[str, ...]:
    if label is None:
        return ("label",)
    return ("tooth",) if label_requires_tooth(label) else ()


# When a required slot counts as filled, from what a proposal holds.
SLOT_FILLED: dict[str, Callable[[list[str], list[str], str | None, dict[str, Any]], bool]] = {
    "tooth": lambda teeth, surfaces, label, values: bool(teeth),
    "surfaces": lambda teeth, surfaces, label, values: bool(surfaces),
    "label": lambda teeth, surfaces, label, values: bool(label),
    "grade": lambda teeth, surfaces, label, values: "grade" in values,
    "text": lambda teeth, surfaces, label, values: "text" in values,
    "item": lambda teeth, surfaces, label, values: bool(label or teeth or "item" in values),
    "position": lambda teeth, surfaces, label, values: bool({"position", "direction"} & set(values)),
}


# ---------------------------------------------------------------------------------------------
# The spec


@dataclass(frozen=True)
class CommandSpec:
    """One voice command, declared once (see the module docstring for what is derived from it)."""

    name: str
    risk_tier: int
    summary: str
    arguments: type[CommandArguments]
    labels: tuple[str, ...] = ()
    required: Callable[[str | None], tuple[str, ...]] = _always()
    coding: Literal["procedure", "diagnosis"] | None = None  # where its code comes from
    context_item: bool = False  # "it", "same on 27" may refer to it (the session's last item)
    step: str = ""  # the resolver step (``voice.resolver``) that turns a proposal into tool calls
    tool: str | None = None  # the tool that step calls (None: no call, e.g. navigation)

    @property
    def tool_name(self) -> str:
        """The LLM function name: function names may not contain dots ('chart.finding.add' -> 'chart_finding_add')."""
        return self.name.replace(".", "_")

    def required_slots(self, label: str | None) -> tuple[str, ...]:
        return self.required(label)

    def missing(self, teeth: list[str], surfaces: list[str], label: str | None, values: dict[str, Any]) -> list[str]:
        """Required slots a proposal leaves unfilled."""
        return [s for s in self.required(label) if not SLOT_FILLED[s](teeth, surfaces, label, values)]

    def parameters(self) -> dict[str, Any]:
        """The arguments' JSON schema in the strict function-calling shape."""
        return function_parameters(self.arguments)

    def validate(self, arguments: dict[str, Any], heard: Heard | None) -> CommandArguments:
        """The arguments, checked against the words said; raises ``ValueError`` with the first reason.

        Unknown keys are refused first; then the label, then the other arguments in order.
        """
        extra = set(arguments) - set(self.arguments.model_fields)
        if extra:
            raise ValueError(f"unexpected fields: {sorted(extra)}")
        try:
            return self.arguments.model_validate(arguments, context=heard)
        except ValidationError as exc:
            order = list(self.arguments.model_fields)
            errors = sorted(exc.errors(), key=lambda e: (
                bool(e["loc"]) and e["loc"][0] != "label",
                order.index(str(e["loc"][0])) if e["loc"] and e["loc"][0] in order else len(order),
            ))
            raise ValueError(errors[0]["msg"]) from None


COMMANDS: dict[str, CommandSpec] = {
    c.name: c
    for c in (
        CommandSpec("chart.finding.add", 3, "Record an existing condition on a tooth.", FindingArguments,
                    labels=FINDING_LABELS, required=_finding_slots, context_item=True,
                    step="finding", tool="update_dental_chart"),
        CommandSpec("perio.record", 2, "Record pocket depths, bleeding sites, recession or mobility for a tooth.",
                    PerioArguments, required=_always("tooth"), step="perio", tool="record_perio_measurements"),
        CommandSpec("perio.next_tooth", 1, "Move perio charting to the next tooth.", NextToothArguments,
                    step="next_tooth"),
        CommandSpec("diagnosis.add", 3, "Add a diagnosis.", DiagnosisArguments, labels=DIAGNOSIS_LABEL_LIST,
                    required=_diagnosis_slots, coding="diagnosis", context_item=True,
                    step="diagnosis", tool="add_encounter_diagnosis"),
        CommandSpec("plan.item.add", 3, "Add a planned procedure.", PlanAddArguments, required=_plan_add_slots,
                    step="plan_add", tool="add_treatment_plan_item",
                    labels=PLAN_LABEL_LIST, coding="procedure", context_item=True),
        CommandSpec("plan.item.move", 2, "Reorder a planned item.", PlanMoveArguments,
                    required=_always("item", "position"), step="plan_move", tool="move_treatment_plan_item",
                    labels=PLAN_LABEL_LIST, coding="procedure", context_item=True),
        CommandSpec("procedure.start", 2, "Start a planned procedure.", ProcedureArguments, required=_procedure_slots,
                    step="procedure", tool="record_procedure",
                    labels=PLAN_LABEL_LIST, coding="procedure", context_item=True),
        CommandSpec("procedure.complete", 2, "Complete a planned procedure.", ProcedureArguments,
                    required=_procedure_slots, step="procedure", tool="record_procedure",
                    labels=PLAN_LABEL_LIST, coding="procedure", context_item=True),
        CommandSpec("note.add", 2, "Add a free-text clinical note.", NoteArguments, required=_always("text"),
                    step="note", tool="create_clinical_note"),
        CommandSpec("history.show", 1, "Show the treatment history (read-only).", ShowArguments,
                    step="history_show", tool="get_patient_history"),
        CommandSpec("chart.show", 1, "Show the chart (read-only).", ShowArguments,
                    step="chart_show", tool="get_dental_chart"),
    )
}


# ---------------------------------------------------------------------------------------------
# JSON schema in the strict function-calling shape


def function_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema as strict function calling wants it.

    Every property is required (absent values are null or empty), no other property is
    allowed, nested models are inlined, and ``X | None`` is written ``{"type": [X, "null"]}``.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return _strict(schema, defs)


def _strict(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _strict(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    out = {k: _strict(v, defs) for k, v in node.items() if k not in ("title", "default")}
    options = out.get("anyOf")
    if options and all(set(o) <= {"type", "enum"} and isinstance(o.get("type"), str) for o in options) \
            and sum("enum" in o for o in options) <= 1:
        out.pop("anyOf")
        out["type"] = [o["type"] for o in options]
        enum = next((o["enum"] for o in options if "enum" in o), None)
        if enum is not None:
            out["enum"] = [*enum, None] if "null" in out["type"] else enum
        out = {"type": out.pop("type"), **out}
    if out.get("type") == "object" and "properties" in out:
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out
