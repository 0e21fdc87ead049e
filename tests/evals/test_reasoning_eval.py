"""The reconciliation and planning evals: the written cases load, score per split, and the report
names the rules solver and the LLM solver as not run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app as cli_app
from evals.reasoning_eval import by_split, eval_plan, eval_reconcile, load_cases


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
