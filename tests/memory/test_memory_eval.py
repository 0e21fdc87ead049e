"""The memory eval: every ranking mode scored on the labelled set in one run; habits measured."""

from __future__ import annotations

import pytest

from evals import memory_eval as evaluation
from memory.eval_data import dataset
from tests.memory.helpers import DEMO_TENANT_ID, count_rows

pytestmark = pytest.mark.usefixtures("clean")


def test_the_labelled_set_has_at_least_200_queries_with_one_answer_each() -> None:
    memories, queries = dataset()
    keys = {m.key for m in memories}
    assert len(queries) >= 200 and all(q.relevant in keys for q in queries)
    assert {q.family for q in queries} == {"protocol-words", "protocol-paraphrase", "visit-words", "visit-lay"}


def test_retrieval_eval_scores_each_mode_and_leaves_nothing_behind(platform, repo) -> None:
    report = evaluation.retrieval(platform.db, repo, DEMO_TENANT_ID, patients=3)
    assert set(report["modes"]) == {"fts", "vector", "hybrid"}
    modes = report["modes"]
    for m in modes.values():
        assert 0 <= m["mrr@10"] <= 1 and 0 <= m["recall@5"] <= 1
    # own words are found by every mode; paraphrases need the vectors
    assert all(modes[m]["by_family"]["protocol-words"]["recall@5"] == 1.0 for m in modes)
    para = {m: modes[m]["by_family"]["protocol-paraphrase"]["recall@5"] for m in modes}
    assert para["vector"] > para["fts"] and para["hybrid"] > para["fts"]
    assert count_rows(platform.db, "source_type = 'EVAL'") == 0


def test_habit_learning_effect() -> None:
    rows = evaluation.habit_learning((0, 2, 3))["accuracy_after_corrections"]
    before, two, three = (r["accuracy"] for r in rows)
    assert before == two < 1.0 and three == 1.0  # learned at the third identical correction
