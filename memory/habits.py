"""Clinician habits (procedural memory): what a reviewer keeps correcting, proposed right next time.

A reviewer's edit of a proposal is an ``agent_interventions`` row (original and corrected
arguments). Each edit is reduced to field-level corrections (``update_dental_chart
changes.tooth "61" -> "16"``); once the same correction was made ``THRESHOLD`` times on runs
of one clinician, it becomes a procedural memory in that clinician's scope. The next
proposal of that clinician that has the original value gets the corrected one, and the
proposal lists the memory that changed it; it still goes through approval. Other
clinicians, and other clinics, never see it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from core_schema.db import Database
from memory.records import Memory, MemoryWrite, Scope
from memory.repository import MemoryFilter, MemoryRepository

THRESHOLD = 3
HABIT_NAMESPACE = uuid.UUID("0c9b6f0e-1d7a-4a51-8f0e-6c2a9d3b7e14")
# Fields a habit may rewrite: clinical vocabulary only (never free text such as notes).
FIELDS = ("tooth", "label", "surfaces", "grade", "code", "note_type", "phase")
_RULE = re.compile(r"^Correction habit: (?P<tool>[a-z_]+) (?P<field>[a-z_.]+) (?P<old>.+?) -> (?P<new>.+?) \(")


@dataclass(frozen=True)
class Correction:
    tool: str
    field: str  # "tooth" for a top-level argument, "changes.tooth" inside update_dental_chart's changes
    old: Any
    new: Any

    def content(self, times: int) -> str:
        return (f"Correction habit: {self.tool} {self.field} {json.dumps(self.old)} -> {json.dumps(self.new)} "
                f"(corrected by the reviewer {times} times)")

    def memory_id(self, clinician_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(HABIT_NAMESPACE, f"{clinician_id}/{self.tool}/{self.field}/{json.dumps(self.old)}/{json.dumps(self.new)}")


def corrections(original: dict[str, Any], corrected: dict[str, Any]) -> list[Correction]:
    """Field-level differences between a proposed call and the reviewer's version of it."""
    tool = str(original.get("tool") or "")
    if tool != corrected.get("tool"):
        return []
    before, after = original.get("arguments") or {}, corrected.get("arguments") or {}
    out = [Correction(tool, f, _freeze(before.get(f)), _freeze(after.get(f)))
           for f in FIELDS if f in after and before.get(f) != after.get(f)]
    old_changes, new_changes = before.get("changes") or [], after.get("changes") or []
    if isinstance(old_changes, list) and isinstance(new_changes, list) and len(old_changes) == len(new_changes):
        for a, b in zip(old_changes, new_changes, strict=True):
            out += [Correction(tool, f"changes.{f}", _freeze(a.get(f)), _freeze(b.get(f)))
                    for f in FIELDS if f in b and a.get(f) != b.get(f)]
    return out


def _freeze(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def learn(db: Database, repo: MemoryRepository, tenant_id: uuid.UUID, clinician_id: uuid.UUID) -> list[uuid.UUID]:
    """(Re)write the habits of one clinician from every correction on their runs; the ids written."""
    with db.tenant_session(tenant_id) as s:
        rows = s.execute(text(
            "SELECT i.original_action, i.corrected_action FROM agent_interventions i "
            "JOIN agent_executions e ON e.id = i.execution_id "
            "WHERE e.user_id = :u AND i.intervention_type = 'CORRECT' AND i.use_for_training"), {"u": clinician_id}).all()
    counts: Counter[str] = Counter()
    seen: dict[str, Correction] = {}
    for original, corrected in rows:
        for c in corrections(original or {}, corrected or {}):
            key = json.dumps([c.tool, c.field, c.old, c.new])
            counts[key] += 1
            seen[key] = c
    writes = [MemoryWrite(scope=Scope.clinician(clinician_id), kind="procedural", content=seen[k].content(n),
                          importance=min(1.0, 0.4 + 0.1 * n), source_type="REVIEWER_EDIT", id=seen[k].memory_id(clinician_id))
              for k, n in counts.items() if n >= THRESHOLD]
    return [m.id for m in repo.remember_many(tenant_id, writes, merge=False)]


def habits_of(repo: MemoryRepository, tenant_id: uuid.UUID, clinician_id: uuid.UUID) -> list[tuple[Memory, Correction]]:
    """The clinician's learned corrections (procedural memories that spell one)."""
    found = repo.list(tenant_id, MemoryFilter(scopes=(Scope.clinician(clinician_id),), kinds=("procedural",)), limit=200)
    out = []
    for m in found:
        match = _RULE.match(m.content)
        if match:
            try:
                out.append((m, Correction(match["tool"], match["field"], json.loads(match["old"]), json.loads(match["new"]))))
            except json.JSONDecodeError:
                continue
    return out


def apply(habits: list[tuple[Memory, Correction]], tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[uuid.UUID]]:
    """``args`` with every matching habit applied, and the ids of the memories that changed them."""
    new = json.loads(json.dumps(args))
    used: list[uuid.UUID] = []
    for memory, c in habits:
        mid = memory.id
        if c.tool != tool:
            continue
        if c.field.startswith("changes."):
            f = c.field.split(".", 1)[1]
            for change in new.get("changes") or []:
                if f in change and _freeze(change[f]) == c.old:
                    change[f] = c.new
                    used.append(mid)
        elif c.field in new and _freeze(new[c.field]) == c.old:
            new[c.field] = c.new
            used.append(mid)
    return new, list(dict.fromkeys(used))


# Whisper keeps about 223 prompt tokens (voice.asr.vocabulary); counted here with cl100k_base,
# an approximation of Whisper's own BPE of the same order.
ASR_PROMPT_TOKENS = 223
ASR_PROMPT_CHARS = 760


def habit_terms(learned: list[tuple[Memory, Correction]]) -> list[tuple[Memory, str]]:
    """The words a clinician's corrections introduced (labels such as "watch"), for ASR biasing."""
    out: list[tuple[Memory, str]] = []
    seen: set[str] = set()
    for memory, c in learned:
        if isinstance(c.new, str) and re.fullmatch(r"[a-z_ ]{3,40}", c.new):
            term = c.new.replace("_", " ")
            if term not in seen:
                seen.add(term)
                out.append((memory, term))
    return out


def biasing_prompt(base: str | None, learned: list[tuple[Memory, Correction]]) -> tuple[str | None, Any]:
    """The clinic's ASR prompt plus the clinician's habit words that fit, and its context window."""
    from memory.context import ContextItem, assemble

    terms = habit_terms(learned)
    items = [ContextItem.of("asr_vocabulary", "clinic.catalog", base or "", required=True)]
    items += [ContextItem.of("memory", m.id, term, importance=m.importance) for m, term in terms]
    window = assemble(items, ASR_PROMPT_TOKENS)
    kept = [term for (_, term), item in zip(terms, items[1:], strict=True) if item.kept]
    if base is None or not kept:
        return base, window
    prompt = base
    for term in kept:
        if len(prompt) + len(term) + 2 <= ASR_PROMPT_CHARS:
            prompt = f"{prompt.rstrip('.')}, {term}."
    return prompt, window
