"""A reviewer's correction as the run trace shows it: each changed field by its path, proposed vs
approved, a list item that names a tooth keyed by it (pure; no database)."""

from __future__ import annotations

from workflows.run_views import field_changes


def test_a_perio_correction_names_the_tooth_and_site_not_a_list_position() -> None:
    before = {"patient_id": "p", "teeth": [{"tooth": "18", "depths_mm": {"MB": 3, "B": 2}, "bleeding_sites": []},
                                           {"tooth": "17", "depths_mm": {"MB": 2}, "bleeding_sites": ["DB"]}]}
    after = {"patient_id": "p", "teeth": [{"tooth": "18", "depths_mm": {"MB": 3, "B": 2}, "bleeding_sites": []},
                                          {"tooth": "17", "depths_mm": {"MB": 5}, "bleeding_sites": ["DB", "B"]}]}
    assert field_changes(before, after) == [
        {"field": ["tooth 17", "depths_mm", "MB"], "before": 2, "after": 5},
        {"field": ["tooth 17", "bleeding_sites"], "before": ["DB"], "after": ["DB", "B"]},
    ]


def test_unchanged_and_fixed_fields_are_left_out_and_added_ones_shown() -> None:
    before = {"patient_id": "a", "encounter_id": None, "tooth": "36", "label": "caries", "surfaces": ["O"]}
    after = {"patient_id": "a", "encounter_id": None, "tooth": "37", "label": "caries", "surfaces": ["O"], "grade": 2}
    assert field_changes(before, after) == [{"field": ["tooth"], "before": "36", "after": "37"},
                                            {"field": ["grade"], "before": None, "after": 2}]


def test_two_changes_on_one_tooth_stay_apart() -> None:
    before = {"changes": [{"tooth": "36", "label": "caries", "surfaces": ["O"]}, {"tooth": "36", "label": "fracture", "surfaces": ["D"]}]}
    after = {"changes": [{"tooth": "36", "label": "caries", "surfaces": ["O"]}, {"tooth": "36", "label": "fracture", "surfaces": ["M"]}]}
    assert field_changes(before, after) == [{"field": ["tooth 36 (2)", "surfaces"], "before": ["D"], "after": ["M"]}]
