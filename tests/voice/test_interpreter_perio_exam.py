"""Perio charting against the exam cursor (issue 19 defects: each test failed before its fix)."""

from __future__ import annotations

import json

import pytest

from voice.interpreter import InterpretContext, interpret

PERIO = InterpretContext.model_validate({"tooth": "16", "mode": "perio"})


def _one(text: str, ctx: InterpretContext = PERIO):  # noqa: ANN202
    out = interpret(text, context=ctx)
    assert out.kind == "proposal", out
    return out.proposals


def test_chart_page_hint_keeps_the_bleeding_said() -> None:
    """Defect a: "not said: bleeding_sites" although bleeding on 16 buccal was said."""
    for ctx in (None, PERIO):
        props = interpret("pocket depths 16 buccal 3 4 5, bleeding on 16 buccal", context=ctx).proposals
        assert [(p.command, p.tooth) for p in props] == [("perio.record", "16"), ("perio.record", "16")]
        assert props[0].values == {"depths_mm": {"MB": 3, "B": 4, "DB": 5}}
        assert props[1].values == {"bleeding_sites": ["B"]}
        assert all(p.missing == [] for p in props)


def test_recession_row_is_on_the_cursor_tooth() -> None:
    """Defect b: "recession two one two" with 46 in focus became recession on tooth 12."""
    ctx = InterpretContext(tooth="46", perio_mode=True)
    (p,) = _one("recession two one two", ctx)
    assert p.tooth == "46" and p.from_context == ["tooth"]
    assert p.values == {"recession_mm": {"MB": 2, "B": 1, "DB": 2}}
    (p,) = _one("recession two one two on the lingual", ctx)
    assert p.values == {"recession_mm": {"ML": 2, "L": 1, "DL": 2}}
    (p,) = _one("recession 2", ctx)
    assert p.values == {"recession_mm": 2}


def test_depths_keep_the_spoken_order_per_site() -> None:
    """Defect c: "three two four" must read 3 2 4 at MB B DB, in that order in the output."""
    (p,) = _one("three two four")
    assert list(p.values["depths_mm"].items()) == [("MB", 3), ("B", 2), ("DB", 4)]
    dumped = json.loads(interpret("three two four", context=PERIO).model_dump_json())
    assert list(dumped["proposals"][0]["values"]["depths_mm"].values()) == [3, 2, 4]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("bleeding on the distal", {"bleeding_sites": ["DB"]}),
        ("suppuration", {"suppuration": True}),
        ("suppuration on the distal", {"suppuration_sites": ["DB"]}),
        ("furcation grade 2", {"furcation_grade": 2}),
        ("furcation two", {"furcation_grade": 2}),
        ("grade 2 furcation", {"furcation_grade": 2}),
        ("mobility 1", {"mobility_grade": 1}),
        ("plaque", {"plaque": True}),
        ("plaque on the buccal", {"plaque_sites": ["B"]}),
    ],
)
def test_perio_marks_attach_to_the_cursor_tooth(text: str, values: dict) -> None:
    """Defect f: these attach to the cursor's tooth (the context tooth) and row."""
    (p,) = _one(text)
    assert (p.command, p.tooth, p.from_context) == ("perio.record", "16", ["tooth"])
    assert p.values == values


def test_furcation_outside_perio_is_not_charted() -> None:
    assert interpret("Class 3 furcation on 36").kind == "no_command"
