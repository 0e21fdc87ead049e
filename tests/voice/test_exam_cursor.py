"""The exam's cursor and grid without a database: the order, moves, sides and what each heard value fills."""

from __future__ import annotations

from voice.exam.controls import move, scratch
from voice.exam.cursor import Row, exam_order
from voice.exam.grid import fold, read_back, tool_entries
from voice.exam.state import ExamMode, ExamState


def _exam(missing: set[str] | None = None) -> ExamState:
    return ExamState(mode=ExamMode.PERIO, order=exam_order(missing or set()))


def _depths(exam: ExamState, mm: tuple[int, int, int], tooth: str | None = None) -> None:
    proposal = {"command": "perio.record", "teeth": [tooth] if tooth else [exam.cursor.tooth],
                "from_context": [] if tooth else ["tooth"], "values": {"depths_mm": dict(zip(("MB", "B", "DB"), mm, strict=True))}}
    fold(exam, proposal, f"u{len(exam.log)}")


def test_the_default_order_is_the_contracts_and_skips_missing_teeth() -> None:
    order = exam_order({"18", "28"})
    assert order[0] == ("17", Row.BUCCAL) and order[13] == ("27", Row.BUCCAL) and order[14] == ("27", Row.LINGUAL)
    assert order[-1] == ("38", Row.BUCCAL) and len(order) == 60 and ("18", Row.BUCCAL) not in order


def test_a_full_row_advances_and_marks_right_after_belong_to_the_tooth_just_probed() -> None:
    exam = _exam()
    _depths(exam, (3, 2, 4))
    assert exam.cursor.tooth == "17" and exam.grid["18"]["depths_mm"] == {"MB": 3, "B": 2, "DB": 4}
    fold(exam, {"command": "perio.record", "teeth": ["17"], "from_context": ["tooth"], "values": {"bleeding_sites": []}}, "b")
    assert exam.grid["18"]["bleeding_sites"] == ["MB", "B", "DB"] and "17" not in exam.grid
    assert read_back(exam, "18") == "Tooth 18: buccal 3 2 4, bleeding MB B DB."
    scratch(exam)
    assert "bleeding_sites" not in exam.grid["18"]


def test_the_lingual_row_gets_lingual_sites_and_palatal_means_lingual() -> None:
    exam = _exam()
    assert move(exam, {"action": "goto", "tooth": "26", "side": "palatal"}) and exam.cursor.position == ("26", Row.LINGUAL)
    _depths(exam, (4, 3, 5))
    assert exam.grid["26"]["depths_mm"] == {"ML": 4, "L": 3, "DL": 5} and exam.cursor.position == ("25", Row.LINGUAL)
    assert move(exam, {"action": "goto", "side": "buccal"}) and exam.cursor.position == ("26", Row.BUCCAL)  # the tooth just probed
    assert not move(exam, {"action": "goto", "tooth": "55"})  # not in this exam: the cursor stays
    assert exam.cursor.position == ("26", Row.BUCCAL)


def test_skip_next_and_the_tool_call_in_exam_order() -> None:
    exam = _exam({"17"})
    move(exam, {"action": "goto", "skip": "18"})
    assert exam.cursor.tooth == "16"
    move(exam, {"action": "goto", "skip": "15"})  # ahead: left out of the walk
    _depths(exam, (2, 2, 2))
    assert exam.cursor.tooth == "14"
    _depths(exam, (3, 3, 3), tooth="46")  # a tooth said aloud moves the cursor there
    assert [e["tooth"] for e in tool_entries(exam)] == ["16", "46"]
