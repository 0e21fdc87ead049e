"""The LLM planning agent: the same evidence, one OpenAI-compatible chat call, proposals checked.

An option beside the rules agents (``planning.agents``), evaluated side by side with them
(``dentalagent eval plan --llm-base-url URL --llm-model NAME``). The model sees clinical facts
only (teeth, findings, surfaces, confidences, pocket depths, planned codes, diagnosis codes;
never a name), and must answer with one ``propose_plan_items`` call. Each item is checked: a
label the catalog does not know, a tooth that is not an FDI tooth or a phase outside 1-4 is
dropped and counted, never passed on. A refusal or malformed answer is an ``LLMPlanError``.
"""

from __future__ import annotations

import json
from typing import Any

import openai

from agents.llm import chat_client
from core_schema.catalog import PLAN_LABELS
from core_schema.dentition import is_valid_tooth
from core_schema.errors import DomainError
from planning.agents import PHASES, Proposal
from reconciliation.sources import Evidence

FUNCTION = "propose_plan_items"
SYSTEM = (
    "You are a dental treatment-planning assistant. From the patient's findings, propose treatment plan items in "
    "phases: 1 urgent (pain, infection), 2 disease control (caries, periodontitis), 3 restorative (crowns), "
    "4 maintenance (recall). Use only these procedure labels: " + ", ".join(sorted(PLAN_LABELS)) + ". Give FDI teeth "
    "as two-digit strings and surfaces as letters (M O D B L I F P). Do not propose what the open plan already holds. "
    f"Answer with one call of {FUNCTION}."
)
TOOL: dict[str, Any] = {"type": "function", "function": {
    "name": FUNCTION, "description": "The proposed plan items.",
    "parameters": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
        "type": "object", "required": ["label", "phase", "rationale"],
        "properties": {"label": {"type": "string", "enum": sorted(PLAN_LABELS)}, "tooth": {"type": ["string", "null"]},
                       "surfaces": {"type": "array", "items": {"type": "string"}},
                       "phase": {"type": "integer", "minimum": 1, "maximum": 4}, "rationale": {"type": "string"}}}}}}}}


class LLMPlanError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("llm_failed", message, 502)


def facts(ev: Evidence) -> dict[str, Any]:
    """The evidence as the model sees it: clinical facts, no names, no free text of people."""
    return {
        "chart": {t: {"status": e.get("status"), "conditions": [[c["label"], "".join(c.get("surfaces") or [])] for c in e.get("conditions") or []],
                      "restorations": [[r["label"], "".join(r.get("surfaces") or [])] for r in e.get("restorations") or []]}
                  for t, e in (ev.chart.get("teeth") or {}).items()},
        "radiograph": [[f.tooth, f.label, "".join(f.surfaces), round(f.confidence, 2), f.review] for f in ev.radiograph],
        "perio_mm": [[p.tooth, p.site, p.depth_mm] for p in ev.perio if p.depth_mm is not None],
        "open_plan": [[i.cdt_code, i.tooth] for i in ev.plan],
        "diagnoses": [d.code for d in ev.diagnoses],
    }


def propose(ev: Evidence, *, base_url: str, model: str, api_key: str | None = None,
            timeout: float = 60.0) -> tuple[list[Proposal], dict[str, Any]]:
    """(checked proposals, {"dropped", "prompt_tokens", "completion_tokens"}) from one chat call."""
    client = chat_client(base_url, api_key, timeout=timeout)
    try:
        reply = client.chat.completions.create(  # type: ignore[call-overload]  # tools: JSON-schema dicts, not openai's TypedDicts
            model=model, temperature=0, tools=[TOOL],
            tool_choice={"type": "function", "function": {"name": FUNCTION}},
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": json.dumps(facts(ev))}])
    except openai.OpenAIError as exc:
        raise LLMPlanError(f"the planning model failed: {type(exc).__name__}") from None
    calls = reply.choices[0].message.tool_calls or [] if reply.choices else []
    raw = next((c.function.arguments for c in calls if getattr(c, "function", None) and c.function.name == FUNCTION), None)
    if raw is None:
        raise LLMPlanError("the planning model did not propose items")
    try:
        items = json.loads(raw)["items"]
        assert isinstance(items, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise LLMPlanError("the planning model's items are not valid JSON of the schema") from None
    out: list[Proposal] = []
    dropped = 0
    for item in items:
        label, tooth, phase = item.get("label"), item.get("tooth"), item.get("phase")
        surfaces = [str(s).upper() for s in item.get("surfaces") or []]
        if label not in PLAN_LABELS or phase not in PHASES or (tooth is not None and not is_valid_tooth(str(tooth))):
            dropped += 1
            continue
        out.append(Proposal("llm", label, int(phase), str(item.get("rationale") or "")[:500], [],
                            tooth=str(tooth) if tooth is not None else None, surfaces=surfaces))
    usage = reply.usage
    return out, {"dropped": dropped, "prompt_tokens": usage.prompt_tokens if usage else 0,
                 "completion_tokens": usage.completion_tokens if usage else 0}
