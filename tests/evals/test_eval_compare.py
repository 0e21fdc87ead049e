"""`dentalagent eval compare`: the utterances that changed between two reports, and nothing else."""

from __future__ import annotations

import copy
import json

from evals.dataset import DATASETS_DIR, load_dataset
from evals.report import compare, write
from evals.solvers import RulesSolver
from evals.task import run_eval
from evals.text_scoring import load_rows


def _write(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _break(row: dict) -> dict:
    """The same utterance with an expectation the interpreter cannot meet."""
    row = copy.deepcopy(row)
    row["expected"] = {"kind": "no_command"} if row["expected"]["kind"] != "no_command" else {"kind": "clarify"}
    return row


def test_compare_lists_exactly_the_three_changed_utterances(platform, tmp_path) -> None:
    rows = load_rows(DATASETS_DIR / "voice_text.jsonl")[:30]
    fixed, broken = rows[3]["id"], {rows[10]["id"], rows[20]["id"]}
    # Old: row 3 is wrong. New: row 3 right again, rows 10 and 20 now wrong; 27 rows unchanged.
    old_rows = [_break(r) if r["id"] == fixed else r for r in rows]
    new_rows = [_break(r) if r["id"] in broken else r for r in rows]
    _write(tmp_path / "old.jsonl", old_rows)
    _write(tmp_path / "new.jsonl", new_rows)
    old_run = platform.cli("eval", "voice", "--dataset", str(tmp_path / "old.jsonl"), "--report", str(tmp_path / "old"))
    assert old_run.returncode == 0, old_run.stderr
    new_report = run_eval(load_dataset(tmp_path / "new.jsonl"), [RulesSolver()], progress=False)  # in-process: faster
    write(new_report, tmp_path / "new", "eval-new-rules")
    old_json, new_json = tmp_path / "old" / "eval-old-rules.json", tmp_path / "new" / "eval-new-rules.json"

    result = platform.cli("eval", "compare", str(old_json), str(new_json), "--json")
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)["solvers"]["rules"]
    assert {c["id"] for c in diff["right_to_wrong"]} == broken
    assert [c["id"] for c in diff["wrong_to_right"]] == [fixed]
    assert diff["unchanged"] == 27 and diff["only_in_old"] == diff["only_in_new"] == []
    acc = diff["measures"]["command_accuracy"]
    assert acc["old"] == 29 / 30 and acc["new"] == 28 / 30 and acc["verdict"] == "worse"
    assert abs(acc["change"] + 1 / 30) < 1e-12
    assert "latency_ms.interpret.p95" in diff["measures"] and "slot_accuracy.command" in diff["measures"]

    text = platform.cli("eval", "compare", str(old_json), str(new_json))
    assert text.returncode == 0
    listed = [line for line in text.stdout.splitlines() if line.startswith("- `")]
    assert sorted(line.split("`")[1] for line in listed) == sorted([fixed, *broken])
    assert "Right to wrong: 2; wrong to right: 1; unchanged: 27." in text.stdout

    gate = platform.cli("eval", "compare", str(old_json), str(new_json), "--fail-on-regression")
    assert gate.returncode == 1
    same = compare(json.loads(old_json.read_text()), json.loads(old_json.read_text()))["solvers"]["rules"]
    assert same["right_to_wrong"] == same["wrong_to_right"] == [] and same["unchanged"] == 30


def test_compare_refuses_what_is_not_a_report(platform, tmp_path) -> None:
    (tmp_path / "a.json").write_text('{"mode": "text"}')
    result = platform.cli("eval", "compare", str(tmp_path / "a.json"), str(tmp_path / "a.json"))
    assert result.returncode == 2 and "not an eval report" in result.stderr
