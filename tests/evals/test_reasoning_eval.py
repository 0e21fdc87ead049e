"""The reconciliation and planning evals: the written cases load, score per split, and the report
names the rules solver and the LLM solver as not run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app as cli_app
from evals.reasoning_eval import by_split, eval_plan, eval_reconcile, load_cases
from tests.llm_server import JSONHandler, serve


def test_dataset_has_the_cases_the_issue_asks_for() -> None:
    cases = load_cases()
    assert len(cases) >= 40 and len({c["id"] for c in cases}) == len(cases)
    assert {c["split"] for c in cases} == {"dev", "heldout"} and all(c["guidance"] for c in cases)


def test_scores_count_misses_as_misses() -> None:
    case = {"id": "x", "split": "dev", "guidance": "g", "radiograph": [["36", "caries", "D", 0.9, "pending"]],
            "dictations": ["36 is sound"], "expect": {"disagreements": [["perio_without_diagnosis", None]],
                                                      "plan": [["composite", "36", 3]]}}
    rec = eval_reconcile([case])["solvers"]
    assert (rec["rules"]["tp"], rec["rules"]["fp"], rec["rules"]["fn"]) == (0, 1, 1) and rec["llm"]["status"] == "not run"
    plan = eval_plan([case])["solvers"]["rules"]
    assert plan["tp"] == 1 and plan["phase_agreement"] == 0.0 and plan["fp"] == 1  # the prophylaxis recall was not expected


def test_cli_reports_every_split(tmp_path) -> None:
    report = tmp_path / "reconcile.json"
    result = CliRunner().invoke(cli_app, ["eval", "reconcile", "--report", str(report)])
    assert result.exit_code == 0, result.output
    out = json.loads(report.read_text())
    assert set(out["splits"]) == {"dev", "heldout"} and out["all"]["cases"] == out["dataset_cases"]
    assert by_split(load_cases(), eval_plan)["all"]["solvers"]["rules"]["tp"] > 0


class _Planner(JSONHandler):
    """An OpenAI-compatible endpoint whose model fills caries and recalls, and invents one label."""

    calls = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self.read_json()
        type(self).calls += 1
        facts = json.loads(next(m["content"] for m in body["messages"] if m["role"] == "user"))
        items = [{"label": "composite", "tooth": t, "surfaces": list(s), "phase": 2, "rationale": "caries"}
                 for t, label, s, _, _ in facts["radiograph"] if label == "caries" and s]
        items += [{"label": "prophylaxis", "tooth": None, "phase": 4, "rationale": "recall"},
                  {"label": "laser_magic", "tooth": "36", "phase": 2, "rationale": "invented"}]
        self.send_json(200, {"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                             "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                                 "role": "assistant", "content": None, "tool_calls": [{
                                     "id": "call_0", "type": "function", "function": {
                                         "name": body["tool_choice"]["function"]["name"],
                                         "arguments": json.dumps({"items": items})}}]}}],
                             "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})


def test_plan_eval_scores_an_llm_agent_beside_the_rules() -> None:
    cases = [c for c in load_cases() if c["id"].startswith(("rad-vs-dict-3", "periapical-36", "agree-36"))]
    with serve(_Planner) as url:
        llm = {"base_url": url, "model": "m"}
        out = by_split(cases, lambda cs: eval_plan(cs, llm=llm))
    llm_score = out["all"]["solvers"]["llm"]
    assert llm_score["model"] == "m" and llm_score["dropped_items"] == len(cases) and llm_score["prompt_tokens"] > 0
    assert 0 < llm_score["recall"] < 1 and llm_score["precision"] == 1.0  # misses the root canal and crown on 36
    assert _Planner.calls == len(cases)  # one call per case, whatever the splits
    assert out["all"]["solvers"]["rules"]["recall"] == 1.0


class _Broken(JSONHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self.send_json(500, {"error": {"message": "model exploded", "type": "server_error"}})


def test_a_failing_llm_counts_as_failed_cases_not_a_crash() -> None:
    cases = load_cases()[:2]
    with serve(_Broken) as url:
        llm = eval_plan(cases, llm={"base_url": url, "model": "m"})["solvers"]["llm"]
    assert llm["failed_cases"] == 2 and llm["tp"] == 0 and "failed" in llm["misses"][0]["error"]
