"""``dentalagent eval reconcile`` and ``eval plan``: the cross-source rules on written cases.

``evals/datasets/reasoning_cases.jsonl`` holds 52 patients (40 ``dev``, 12 ``heldout``) written from public dental guidance
(ADA caries management, AAP/EFP 2017 periodontal classification, AAE endodontic guidance), each
with its chart, radiograph findings, perio sites, dictations, open plan and diagnoses, and the
disagreements and plan items a clinician expects (``guidance`` names the source of each family).
The expectations were set per case family by hand, not from the rules: some families are there
because the rules were expected to miss them (teeth named in words: read since). The 12 held-out
cases were written after the rules and never tuned on.

Scores: disagreements as (kind, tooth) pairs, micro precision / recall / F1 over every case;
plan items as (label, tooth) pairs, micro precision / recall / F1, and the share of matched items
drafted in the expected phase. Solvers side by side: ``rules`` (``reconciliation.rules``,
``planning.agents``) and, for the plan, the LLM agent (``planning.llm_agent``) over any
OpenAI-compatible endpoint when one is given; reconciliation has no LLM solver yet.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core_schema.errors import DomainError
from planning import llm_agent
from planning.agents import SPECIALISTS, assess, supervise
from reconciliation.rules import reconcile
from reconciliation.sources import Diagnosis, Evidence, PerioSite, PlanItem, RadiographFinding, Utterance

DATASET = Path(__file__).parent / "datasets" / "reasoning_cases.jsonl"
SAID_AT = datetime(2026, 12, 1, tzinfo=timezone.utc)
LLM_NOT_RUN = {"status": "not run", "reason": "no LLM reconciliation agent is implemented yet (rules only)"}


def load_cases(path: Path = DATASET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def by_split(cases: list[dict[str, Any]], score: Any) -> dict[str, Any]:
    """``score`` over every split of the cases (``dev``: the set the rules were written against;
    ``heldout``: cases written afterwards and never tuned on) and over all of them."""
    splits = sorted({c.get("split", "dev") for c in cases})
    return {"dataset_cases": len(cases), "splits": {name: score([c for c in cases if c.get("split", "dev") == name])
                                                    for name in splits}, "all": score(cases)}


def evidence(case: dict[str, Any]) -> Evidence:
    """The case as the evidence a run would load (ids are the case's own names)."""
    cid = case["id"]
    teeth: dict[str, Any] = {}
    for tooth, entry in (case.get("chart") or {}).items():
        teeth[tooth] = {"status": entry.get("status", "present"),
                        "conditions": [{"label": label, "surfaces": list(s)} for label, s in entry.get("conditions", [])],
                        "restorations": [{"label": label, "surfaces": list(s)} for label, s in entry.get("restorations", [])],
                        "mobility": None}
    return Evidence(
        snapshot_id=f"{cid}:chart" if teeth else None, chart={"teeth": teeth},
        radiograph=[RadiographFinding(f"{cid}:p{n}", t, label, tuple(s), conf, review, "case")
                    for n, (t, label, s, conf, review) in enumerate(case.get("radiograph", []))],
        perio=[PerioSite(f"{cid}:m{n}", t, site, mm, None) for n, (t, site, mm) in enumerate(case.get("perio", []))],
        dictations=[Utterance(f"{cid}:u{n}", f"{cid}:s", text, SAID_AT) for n, text in enumerate(case.get("dictations", []))],
        plan=[PlanItem(f"{cid}:i{n}", f"{cid}:plan", code, t, None) for n, (code, t) in enumerate(case.get("plan", []))],
        diagnoses=[Diagnosis(f"{cid}:d{n}", code, "encounter_diagnosis") for n, code in enumerate(case.get("diagnoses", []))])


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def eval_reconcile(cases: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = 0
    misses: list[dict[str, Any]] = []
    for case in cases:
        got = {(d.kind.value, d.tooth) for d in reconcile(evidence(case))}
        want = {(k, t) for k, t in case["expect"]["disagreements"]}
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        if got != want:
            misses.append({"id": case["id"], "expected": sorted(map(list, want), key=str), "got": sorted(map(list, got), key=str)})
    kinds = sorted({k for c in cases for k, _ in c["expect"]["disagreements"]})
    per_kind = {}
    for kind in kinds:
        k_tp = k_fp = k_fn = 0
        for case in cases:
            got = {x for x in ((d.kind.value, d.tooth) for d in reconcile(evidence(case))) if x[0] == kind}
            want = {(k, t) for k, t in case["expect"]["disagreements"] if k == kind}
            k_tp, k_fp, k_fn = k_tp + len(got & want), k_fp + len(got - want), k_fn + len(want - got)
        per_kind[kind] = _prf(k_tp, k_fp, k_fn)
    return {"eval": "reconcile", "cases": len(cases), "solvers": {
        "rules": {**_prf(tp, fp, fn), "per_kind": per_kind, "cases_exact": len(cases) - len(misses), "misses": misses},
        "llm": LLM_NOT_RUN}}


def draft_items(case: dict[str, Any]) -> list[tuple[str, str | None, int]]:
    ev = evidence(case)
    proposals = []
    endo: set[str] = set()
    for agent in ("endodontic", "surgical", "restorative", "periodontal"):
        found = assess(agent, ev, endo)
        if agent == "endodontic":
            endo = {p.tooth for p in found if p.tooth}
        proposals += found
    planned_crowns = {t for code, t in case.get("plan", []) if code.startswith("D27")}
    return [(p.label, p.tooth, p.phase) for p in supervise(proposals)
            if not (p.label == "crown" and p.tooth in planned_crowns)]


def _score_plan(cases: list[dict[str, Any]], drafter: Any) -> dict[str, Any]:
    tp = fp = fn = phase_ok = failed = 0
    misses: list[dict[str, Any]] = []
    for case in cases:
        try:
            drafted = drafter(case)
        except DomainError as exc:
            drafted, failed = [], failed + 1
            misses.append({"id": case["id"], "error": exc.message})
        got = {(label, tooth): phase for label, tooth, phase in drafted}
        want = {(label, tooth): phase for label, tooth, phase in case["expect"]["plan"]}
        matched = set(got) & set(want)
        tp, fp, fn = tp + len(matched), fp + len(set(got) - set(want)), fn + len(set(want) - set(got))
        phase_ok += sum(1 for k in matched if got[k] == want[k])
        if got != want and not any(m["id"] == case["id"] for m in misses):
            misses.append({"id": case["id"], "expected": sorted(map(list, case["expect"]["plan"]), key=str),
                           "got": sorted(map(list, drafted), key=str)})
    return {**_prf(tp, fp, fn), "phase_agreement": round(phase_ok / tp, 3) if tp else 1.0, "failed_cases": failed,
            "cases_exact": len(cases) - len(misses), "misses": misses}


def eval_plan(cases: list[dict[str, Any]], llm: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules agents and, given ``llm`` (base_url, model, api_key), the LLM agent, side by side."""
    solvers: dict[str, Any] = {"rules": _score_plan(cases, draft_items)}
    if llm and llm.get("base_url") and llm.get("model"):
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "dropped_items": 0}
        answered: dict[str, Any] = llm.setdefault("answered", {})  # case id -> (items, usage): one call per case and run

        def llm_items(case: dict[str, Any]) -> list[tuple[str, str | None, int]]:
            if case["id"] not in answered:
                proposals, used = llm_agent.propose(evidence(case), base_url=llm["base_url"], model=llm["model"],
                                                    api_key=llm.get("api_key"))
                answered[case["id"]] = ([(p.label, p.tooth, p.phase) for p in proposals], used)
            items, used = answered[case["id"]]
            usage["prompt_tokens"] += used["prompt_tokens"]
            usage["completion_tokens"] += used["completion_tokens"]
            usage["dropped_items"] += used["dropped"]
            return list(items)

        solvers["llm"] = {**_score_plan(cases, llm_items), "model": llm["model"], **usage}
    else:
        solvers["llm"] = {"status": "not run", "reason": "no --llm-base-url / --llm-model given"}
    return {"eval": "plan", "cases": len(cases), "agents": list(SPECIALISTS), "solvers": solvers}
