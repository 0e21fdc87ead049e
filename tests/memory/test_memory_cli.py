"""``dentalagent memory``: after a dictation is approved and applied its summary is found; after
``forget`` nothing of the patient remains (rows and vectors)."""

from __future__ import annotations

import json

import pytest

from tests.memory.helpers import DEMO_TENANT_ID, count_rows

pytestmark = pytest.mark.usefixtures("clean")


def _ok(result) -> object:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_dictate_approve_search_forget(platform, engine, new_patient) -> None:
    P1 = new_patient()  # noqa: N806 - a patient only this test charts
    out = _ok(platform.cli("dictate", "--text", "Tooth sixteen occlusal caries and mark seventeen as missing",
                           "--patient", str(P1), "--as", "dentist@demo.clinic", "--json", timeout=300))
    _ok(platform.cli("approvals", "approve", *out["approval_ids"], "--as", "dentist@demo.clinic", "--json"))

    hits = _ok(platform.cli("memory", "search", "caries on 16", "--patient", str(P1), "--json"))
    assert len(hits) == 1 and set(hits[0]) == {"id", "memory_type", "scope", "content", "score"}
    assert hits[0]["memory_type"] == "SUMMARY" and hits[0]["scope"] == "PATIENT" and hits[0]["score"] > 0
    assert "tooth 16 caries (O)" in hits[0]["content"] and out["run_id"][:8] in hits[0]["content"]
    mine = _ok(platform.cli("memory", "search", "caries", "--clinician", "dentist@demo.clinic", "--json"))
    assert mine == []  # no habit learned from an approval without edits
    listed = _ok(platform.cli("memory", "list", "--patient", str(P1), "--kind", "episodic", "--json"))
    assert [m["id"] for m in listed] == [hits[0]["id"]] and listed[0]["access_count"] == 1

    gone = _ok(platform.cli("memory", "forget", "--patient", str(P1), "--json"))
    assert gone == {"patient_id": str(P1), "memories_deleted": 1, "objects_deleted": 0}
    assert count_rows(platform.db, "tenant_id = :t AND (scope_id = :p OR source_id = :p)", t=DEMO_TENANT_ID, p=P1) == 0
    assert _ok(platform.cli("memory", "search", "caries on 16", "--patient", str(P1), "--json")) == []


def test_errors_are_one_line(platform) -> None:
    bad = platform.cli("memory", "search", "x", "--clinician", "nobody@demo.clinic", "--json")
    assert bad.returncode != 0 and "nobody@demo.clinic" in json.loads(bad.stdout)["error"]
    bad = platform.cli("memory", "forget", "--patient", "not-a-uuid")
    assert bad.returncode != 0 and bad.stderr.strip().count("\n") == 0 and "UUID" in bad.stderr
    bad = platform.cli("memory", "search", "x", "--mode", "psychic", "--json")
    assert bad.returncode != 0 and "mode" in json.loads(bad.stdout)["error"]


def test_eval_memory_scores_every_mode_in_one_run(platform) -> None:
    """``dentalagent eval memory`` is the memory eval (``memory eval`` stays): every ranking mode, and habits."""
    report = _ok(platform.cli("eval", "memory", "--patients", "1", "--json", timeout=300))
    assert set(report["retrieval"]["modes"]) == {"fts", "vector", "hybrid"}
    for scores in report["retrieval"]["modes"].values():
        assert 0 <= scores["recall@5"] <= 1 and 0 <= scores["mrr@10"] <= 1
    assert report["habits"]["accuracy_after_corrections"]
    listed = platform.cli("memory", "eval", "--help")
    assert listed.returncode == 0 and "--patients" in listed.stdout
