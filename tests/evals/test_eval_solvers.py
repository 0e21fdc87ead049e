"""Solvers side by side: rules and the LLM interpreter (over the local Chat Completions test
server of tests/voice/test_interpreter_llm.py, the real HTTP protocol), and the whole
workflow on a throwaway platform."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from tests.llm_server import serve
from tests.voice.test_interpreter_llm import SCRIPT, _Handler

FINDING = "chart.finding.add"
ROWS = [
    # both right
    {"id": "two-findings", "text": "sixteen occlusal caries and mark seventeen as missing",
     "expected": {"kind": "proposal", "proposals": [{"command": FINDING, "tooth": "16", "surfaces": ["O"], "label": "caries"},
                                                    {"command": FINDING, "tooth": "17", "label": "missing"}]}},
    {"id": "not-a-tooth", "text": "caries on 40", "expected": {"kind": "clarify"}},
    {"id": "small-talk", "text": "can you pass the suction", "expected": {"kind": "no_command"}},
    # the fake model names tooth 17 for "sixteen": its call is rejected, so llm is wrong, rules right
    {"id": "wrong-tooth", "text": "caries on sixteen",
     "expected": {"kind": "proposal", "proposals": [{"command": FINDING, "tooth": "16", "label": "caries"}]}},
    # the endpoint answers 500: the llm row is wrong with the error kept; the run goes on
    {"id": "endpoint-error", "text": "boom", "expected": {"kind": "no_command"}},
    {"id": "plan", "text": "root canal on 36",
     "expected": {"kind": "proposal", "proposals": [{"command": "plan.item.add", "tooth": "36", "code": "D3330"}]}},
]


@pytest.fixture(scope="module")
def chat_server() -> Iterator[str]:
    assert all(r["text"] in SCRIPT or r["text"] == "boom" for r in ROWS)  # the server's script covers every row
    with serve(_Handler) as url:
        yield url


def test_rules_and_llm_side_by_side_in_one_report(platform, chat_server, tmp_path) -> None:
    ds = tmp_path / "side.jsonl"
    ds.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    _Handler.requests.clear()
    result = platform.cli("eval", "voice", "--dataset", str(ds), "--solver", "rules,llm", "--llm-base-url", chat_server,
                          "--llm-model", "test-model", "--llm-api-key", "sk-secret-test", "--report", str(tmp_path / "out"),
                          "--junit", str(tmp_path / "out" / "junit.xml"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "eval-side-rules-llm.json").read_text())
    assert list(report["solvers"]) == ["rules", "llm"]
    rules, llm = (report["solvers"][n] for n in ("rules", "llm"))
    assert rules["measures"]["command_accuracy"] == 1.0 and rules["measures"]["errors"] == 0
    assert llm["measures"]["command_accuracy"] == pytest.approx(4 / 6) and llm["measures"]["errors"] == 1
    assert llm["config"]["model"] == "test-model" and llm["config"]["base_url"] == chat_server
    assert llm["models"]["interpreter"] == "llm:test-model" and rules["models"]["interpreter"].startswith("rules")
    assert "sk-secret-test" not in json.dumps(report)  # the key is used, never reported
    assert _Handler.requests and all(r["auth"] == "Bearer sk-secret-test" for r in _Handler.requests)
    by_id = {r["id"]: r["results"] for r in report["rows"]}
    assert by_id["endpoint-error"]["llm"]["correct"] is False and by_id["endpoint-error"]["llm"]["predicted"] is None
    assert "LLMInterpreterError" in by_id["endpoint-error"]["llm"]["error"]
    assert "model exploded" in by_id["endpoint-error"]["llm"]["error"]
    assert by_id["endpoint-error"]["rules"]["correct"] is True and by_id["endpoint-error"]["rules"]["error"] is None
    assert by_id["wrong-tooth"]["llm"]["correct"] is False and by_id["wrong-tooth"]["llm"]["error"] is None
    assert by_id["wrong-tooth"]["llm"]["predicted"]["rejected"]  # why it was wrong stays in the report
    assert all(by_id[i]["llm"]["correct"] for i in ("two-findings", "not-a-tooth", "small-talk", "plan"))
    md = (tmp_path / "out" / "eval-side-rules-llm.md").read_text()
    assert "| measure | rules | llm |" in md and "| command accuracy | 100.0% | 66.7% |" in md
    assert "`endpoint-error`" in md and "model exploded" in md
    xml = (tmp_path / "out" / "junit.xml").read_text()
    assert 'name="voice.llm" tests="6" failures="1" errors="1"' in xml
    assert 'name="voice.rules" tests="6" failures="0" errors="0"' in xml


def test_llm_solver_without_an_endpoint_is_a_clear_error(platform, tmp_path) -> None:
    ds = tmp_path / "one.jsonl"
    ds.write_text(json.dumps(ROWS[0]) + "\n")
    env = {"DENTALAGENT_LLM_BASE_URL": "", "DENTALAGENT_LLM_MODEL": ""}
    result = platform.cli("eval", "voice", "--dataset", str(ds), "--solver", "rules,llm", env=env)
    assert result.returncode == 2 and "--llm-base-url" in result.stderr and "Traceback" not in result.stderr
    unknown = platform.cli("eval", "voice", "--dataset", str(ds), "--solver", "rules,magic")
    assert unknown.returncode == 2 and "unknown solver 'magic'" in unknown.stderr


def test_workflow_solver_reaches_the_approval_queue_on_a_throwaway_platform(platform, engine) -> None:
    from core_schema.db import get_database
    from core_schema.models import AgentApprovalRequest
    from evals.dataset import from_rows
    from evals.solvers import build_solvers
    from evals.task import run_eval
    from runtime.process import get_engine

    def approvals() -> int:
        with platform.db.system_session() as s:
            return s.scalar(select(func.count()).select_from(AgentApprovalRequest))

    before = approvals()
    rows = [ROWS[0], ROWS[1], ROWS[5],
            {"id": "in-focus", "text": "add a root canal", "context": {"tooth": "46"},
             "expected": {"kind": "proposal", "proposals": [{"command": "plan.item.add", "tooth": "46", "from_context": ["tooth"]}]}},
            {"id": "universal", "text": "sixteen is missing", "notation": "UNIVERSAL",
             "expected": {"kind": "proposal", "proposals": [{"command": FINDING, "tooth": "28", "label": "missing"}]}}]
    report = run_eval(from_rows(rows), build_solvers(["workflow"]), progress=False)
    m = report["solvers"]["workflow"]["measures"]
    assert m["errors"] == 0 and m["command_accuracy"] == 1.0, report["rows"]
    by_id = {r["id"]: r["results"]["workflow"] for r in report["rows"]}
    assert len(by_id["two-findings"]["predicted"]["approval_ids"]) >= 1  # tier 3: queued for approval
    assert by_id["not-a-tooth"]["predicted"]["approval_ids"] == []
    assert m["latency_ms"]["workflow"]["n"] == len(rows)
    assert approvals() == before  # nothing was written into the platform being evaluated on
    # the process is back on the very handles its callers hold, not on new copies (a second engine
    # would advance the session's queued runs without what tests registered on this one)
    assert get_engine() is engine and get_database() is engine.db
