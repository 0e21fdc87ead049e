"""Eval reports for people (Markdown), machines (JSON), CI dashboards (JUnit XML), and
``compare``: which utterances went from right to wrong (and back) between two reports,
and how each measure moved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from evals.scorers import HIGHER_IS_BETTER, LOWER_IS_BETTER

_MEASURES = ("command_accuracy", "kind_accuracy", "word_error_rate", "critical_term_error", "doubtful_flagged",
             "critical_errors", "critical_errors_unflagged", "errors")


def _fmt(value: Any, pct: bool = True) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and pct:
        return f"{value:.1%}"
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    """Solvers side by side: measures, slots, latency, failures per solver, refused rows."""
    cols = report["solvers"]
    names = list(cols)
    env, ds = report["environment"], report["dataset"]
    head = "| measure | " + " | ".join(names) + " |"
    sep = "| --- |" + " --- |" * len(names)
    lines = [f"# Eval: {report['eval']} on {ds['name']}", "",
             f"Rows: {ds['rows']} scored, {len(ds['problems'])} refused. Git commit: `{env.get('git_commit')}`"
             + (" (with uncommitted changes)" if env.get("git_dirty") else "") + f". Created {report['created_at']}.",
             "", head, sep]
    for m in _MEASURES + ("n",):
        values = [cols[n]["measures"].get(m) for n in names]
        if all(v is None for v in values):
            continue
        lines.append(f"| {m.replace('_', ' ')} | " + " | ".join(_fmt(v, m != "errors" and m != "n") for v in values) + " |")
    stages = sorted({s for n in names for s in cols[n]["measures"].get("latency_ms", {})})
    for stage in stages:
        cells = []
        for n in names:
            lat = cols[n]["measures"].get("latency_ms", {}).get(stage)
            cells.append(f"{lat['p50']:.1f} / {lat['p95']:.1f} ms" if lat else "–")
        lines.append(f"| {stage} latency p50 / p95 | " + " | ".join(cells) + " |")
    fields = sorted({f for n in names for f in cols[n]["measures"].get("slot_accuracy", {})})
    if fields:
        lines += ["", "## Slot accuracy", "", "| field | " + " | ".join(names) + " |", sep]
        for f in fields:
            lines.append(f"| {f} | " + " | ".join(_fmt(cols[n]["measures"]["slot_accuracy"].get(f)) for n in names) + " |")
    lines += ["", "## Solvers", ""]
    for n in names:
        lines.append(f"- **{n}**: config `{json.dumps(cols[n]['config'], sort_keys=True)}`, "
                     f"models `{json.dumps(cols[n]['models'], sort_keys=True)}`")
    for n in names:
        wrong = [r for r in report["rows"] if r["results"][n]["correct"] is False]
        if wrong:
            lines += ["", f"## Wrong with {n} ({len(wrong)})", ""]
            for r in wrong[:50]:
                res = r["results"][n]
                got = f"error: {res['error']}" if res["error"] else f"got {(res['predicted'] or {}).get('kind')}"
                heard = f" heard as {res['transcript']!r}" if res.get("transcript") and res["transcript"] != r.get("text") else ""
                lines.append(f"- `{r['id']}` (line {r['line']}) {r.get('text') or r.get('audio')!r}{heard}: "
                             f"expected {(r['expected'] or {}).get('kind')}, {got}")
    if ds["problems"]:
        lines += ["", "## Refused rows", ""]
        lines += [f"- line {p['line']}" + (f" (`{p['id']}`)" if p.get("id") else "") + f": {p['error']}" for p in ds["problems"]]
    return "\n".join(lines) + "\n"


def junit(report: dict[str, Any]) -> str:
    """One test suite per solver, one test case per row (wrong = failure, solver error = error)."""
    suites = ET.Element("testsuites", name=f"eval {report['eval']}")
    for n in report["solvers"]:
        cases = [r for r in report["rows"] if r["results"][n]["correct"] is not None]
        failures = sum(r["results"][n]["correct"] is False and not r["results"][n]["error"] for r in cases)
        errors = sum(bool(r["results"][n]["error"]) for r in cases)
        suite = ET.SubElement(suites, "testsuite", name=f"{report['eval']}.{n}", tests=str(len(cases)),
                              failures=str(failures), errors=str(errors))
        for r in cases:
            res = r["results"][n]
            case = ET.SubElement(suite, "testcase", classname=f"{report['eval']}.{n}", name=str(r["id"]),
                                 time=f"{sum(res['latency_ms'].values()) / 1000 if res['latency_ms'] else 0:.4f}")
            if res["error"]:
                ET.SubElement(case, "error", message=res["error"][:500])
            elif res["correct"] is False:
                el = ET.SubElement(case, "failure", message=f"expected {r['expected'].get('kind')}, "
                                                            f"got {(res['predicted'] or {}).get('kind')}")
                el.text = json.dumps({"expected": r["expected"], "predicted": res["predicted"]}, default=str)[:4000]
    problems = report["dataset"]["problems"]
    if problems:  # refused rows are errors of the dataset, shown once
        bad = ET.SubElement(suites, "testsuite", name=f"{report['eval']}.dataset", tests=str(len(problems)),
                            failures="0", errors=str(len(problems)))
        for p in problems:
            ET.SubElement(ET.SubElement(bad, "testcase", classname=f"{report['eval']}.dataset",
                                        name=f"line {p['line']}"), "error", message=p["error"])
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write(report: dict[str, Any], folder: Path, stem: str, junit_path: Path | None = None) -> tuple[Path, Path]:
    """``STEM.json`` and ``STEM.md`` in ``folder`` (and the JUnit XML where asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, default=str))
    md_path.write_text(markdown(report))
    if junit_path is not None:
        junit_path.parent.mkdir(parents=True, exist_ok=True)
        junit_path.write_text(junit(report))
    return json_path, md_path


def _row_verdicts(report: dict[str, Any], solver: str) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): {"text": r.get("text") or r.get("audio"), **r["results"][solver]}
            for r in report["rows"] if solver in r["results"]}


def solver_pairs(old: dict[str, Any], new: dict[str, Any], solver: str | None = None) -> list[tuple[str, str]]:
    """Which column of OLD to compare with which of NEW: the same names, or the only two."""
    o, n = list(old["solvers"]), list(new["solvers"])
    if solver is not None:
        if solver not in o or solver not in n:
            raise ValueError(f"solver {solver!r} is not in both reports (old: {o}, new: {n})")
        return [(solver, solver)]
    common = [s for s in o if s in n]
    if common:
        return [(s, s) for s in common]
    if len(o) == 1 and len(n) == 1:
        return [(o[0], n[0])]
    raise ValueError(f"no solver in common (old: {o}, new: {n}); pick one with --solver")


def compare(old: dict[str, Any], new: dict[str, Any], solver: str | None = None) -> dict[str, Any]:
    """Per solver pair: utterances right->wrong and wrong->right, rows only in one, measure deltas."""
    out: dict[str, Any] = {"old": _identity(old), "new": _identity(new), "solvers": {}}
    for so, sn in solver_pairs(old, new, solver):
        a, b = _row_verdicts(old, so), _row_verdicts(new, sn)
        common = [i for i in b if i in a and a[i]["correct"] is not None and b[i]["correct"] is not None]
        worse = [_change(i, a[i], b[i]) for i in common if a[i]["correct"] and not b[i]["correct"]]
        better = [_change(i, a[i], b[i]) for i in common if not a[i]["correct"] and b[i]["correct"]]
        mo, mn = old["solvers"][so]["measures"], new["solvers"][sn]["measures"]
        deltas = {}
        for m in _MEASURES:
            if mo.get(m) is not None or mn.get(m) is not None:
                deltas[m] = _delta(mo.get(m), mn.get(m), m)
        for f in sorted(set(mo.get("slot_accuracy", {})) | set(mn.get("slot_accuracy", {}))):
            deltas[f"slot_accuracy.{f}"] = _delta(mo.get("slot_accuracy", {}).get(f), mn.get("slot_accuracy", {}).get(f),
                                                  "command_accuracy")
        for stage in sorted(set(mo.get("latency_ms", {})) | set(mn.get("latency_ms", {}))):
            for q in ("p50", "p95"):
                deltas[f"latency_ms.{stage}.{q}"] = _delta((mo.get("latency_ms", {}).get(stage) or {}).get(q),
                                                           (mn.get("latency_ms", {}).get(stage) or {}).get(q), "errors")
        out["solvers"][sn if so == sn else f"{so} -> {sn}"] = {
            "right_to_wrong": worse, "wrong_to_right": better,
            "only_in_old": sorted(set(a) - set(b)), "only_in_new": sorted(set(b) - set(a)),
            "unchanged": len(common) - len(worse) - len(better), "measures": deltas,
        }
    return out


def _identity(report: dict[str, Any]) -> dict[str, Any]:
    return {"created_at": report.get("created_at"), "git_commit": report.get("environment", {}).get("git_commit"),
            "dataset": report.get("dataset", {}).get("name"), "dataset_sha256": report.get("dataset", {}).get("sha256")}


def _change(row_id: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    def said(r: dict[str, Any]) -> Any:
        return {"error": r["error"]} if r["error"] else {"kind": (r["predicted"] or {}).get("kind"),
                                                         "proposals": (r["predicted"] or {}).get("proposals")}

    return {"id": row_id, "text": b.get("text"), "old": said(a), "new": said(b)}


def _delta(old: Any, new: Any, measure: str) -> dict[str, Any]:
    d = None if old is None or new is None else new - old
    verdict = "same"
    if d:
        better = d > 0 if measure in HIGHER_IS_BETTER else d < 0 if measure in LOWER_IS_BETTER else None
        verdict = "better" if better else "worse" if better is not None else "changed"
    return {"old": old, "new": new, "change": d, "verdict": verdict}


def compare_markdown(diff: dict[str, Any]) -> str:
    """The comparison for people."""
    lines = [f"# Compare: {diff['old']['git_commit'] or '?'} -> {diff['new']['git_commit'] or '?'}", ""]
    for name, s in diff["solvers"].items():
        lines += [f"## {name}", "", f"Right to wrong: {len(s['right_to_wrong'])}; wrong to right: "
                  f"{len(s['wrong_to_right'])}; unchanged: {s['unchanged']}.", ""]
        for title, key in (("Right to wrong", "right_to_wrong"), ("Wrong to right", "wrong_to_right")):
            if s[key]:
                lines.append(f"### {title}")
                lines += [f"- `{c['id']}` {c['text']!r}: {_said(c['old'])} -> {_said(c['new'])}" for c in s[key]]
                lines.append("")
        lines += ["| measure | old | new | change |", "| --- | --- | --- | --- |"]
        for m, d in s["measures"].items():
            pct = not (m.startswith("latency") or m == "errors")
            change = "–" if d["change"] is None else (f"{d['change']:+.1%}" if pct else f"{d['change']:+.2f}")
            lines.append(f"| {m} | {_fmt(d['old'], pct)} | {_fmt(d['new'], pct)} | {change} {'' if d['verdict'] == 'same' else d['verdict']} |")
        if s["only_in_old"] or s["only_in_new"]:
            lines += ["", f"Rows only in old: {s['only_in_old']}; only in new: {s['only_in_new']}"]
        lines.append("")
    return "\n".join(lines)


def _said(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"error ({r['error'][:80]})"
    props = r.get("proposals") or []
    return r.get("kind") or "?" if not props else f"{r['kind']} " + ", ".join(
        f"{p.get('command')} {p.get('tooth') or ','.join(p.get('teeth') or [])} {p.get('label') or ''}".strip() for p in props)
