"""The one catalog rule: label + tooth + surfaces -> one code, several candidates, or no fit.

The same rule runs over the reference data (interpreter) and over the catalog rows in the
database (clinical tools, resolver); the parity test checks that they never disagree.
"""

from __future__ import annotations

import pytest

from core_schema.catalog import PLAN_LABELS, PROCEDURES, select_code
from core_schema.identities import DEMO_TENANT_ID
from tools.clinical.common import catalog_entries
from voice.interpreter.codes import procedure_code
from voice.resolver import load_catalog

SURFACES = ["M", "O", "D", "B", "L"]


def _code(label: str, tooth: str | None, n: int = 0) -> str | None:
    return select_code(PROCEDURES, label, tooth, SURFACES[:n]).code


@pytest.mark.parametrize(("tooth", "code"), [("36", "D3330"), ("17", "D3330"), ("24", "D3320"), ("45", "D3320"),
                                             ("11", "D3310"), ("43", "D3310")])
def test_root_canal_by_tooth_class(tooth: str, code: str) -> None:
    choice = select_code(PROCEDURES, "root_canal", tooth, [])
    assert (choice.code, choice.no_fit, choice.ambiguous) == (code, False, False)
    assert choice.entry is not None and choice.entry.code == code


def test_root_canal_without_a_tooth_is_not_guessed() -> None:
    choice = select_code(PROCEDURES, "root_canal", None, [])
    assert choice.code is None and choice.ambiguous and not choice.no_fit
    assert sorted(p.code for p in choice.candidates) == ["D3310", "D3320", "D3330"]


@pytest.mark.parametrize(("n", "anterior", "posterior"), [
    (1, "D2330", "D2391"), (2, "D2331", "D2392"), (3, "D2332", "D2393"), (4, "D2335", "D2394"), (5, "D2335", "D2394"),
])
def test_composite_by_surface_count_anterior_and_posterior(n: int, anterior: str, posterior: str) -> None:
    assert _code("composite", "11", n) == anterior
    assert _code("composite", "46", n) == posterior
    assert _code("composite", "14", n) == posterior  # premolars are posterior


def test_surfaces_are_counted_once_whether_said_as_letters_or_runs() -> None:
    assert select_code(PROCEDURES, "composite", "46", ["MOD"]).code == "D2393"
    assert select_code(PROCEDURES, "composite", "46", ["M", "o", "D"]).code == "D2393"
    assert select_code(PROCEDURES, "composite", "46", ["M", "M"]).code == "D2391"


def test_sealant_on_an_incisor_has_no_code() -> None:
    choice = select_code(PROCEDURES, "sealant", "11", [])
    assert choice.code is None and choice.no_fit and not choice.ambiguous
    assert [p.code for p in choice.candidates] == ["D1351"]  # what the label could have been
    assert _code("sealant", "36") == "D1351"


@pytest.mark.parametrize("label", ["composite", "amalgam"])
def test_filling_without_surfaces_gives_no_single_code(label: str) -> None:
    choice = select_code(PROCEDURES, label, "46", [])
    assert choice.code is None and choice.entry is None
    assert choice.ambiguous and not choice.no_fit
    assert len({p.code for p in choice.candidates}) == 4  # one, two, three, four or more surfaces


def test_amalgam_on_an_anterior_tooth_has_no_code() -> None:
    assert select_code(PROCEDURES, "amalgam", "11", ["M"]).no_fit


def test_labels_without_tooth_or_surface_rules_give_their_code() -> None:
    assert _code("prophylaxis", None) == "D1110"
    assert _code("bitewings", "16") == "D0272"  # a tooth said with a mouth-level label changes nothing
    assert _code("crown", "21") == "D2740"


def test_unknown_label_has_no_fit_and_no_candidates() -> None:
    choice = select_code(PROCEDURES, "teeth_whitening", "11", [])
    assert choice.no_fit and choice.candidates == ()


def test_interpreter_codes_use_the_rule() -> None:
    assert procedure_code("root_canal", "36", []).code == "D3330"
    assert procedure_code("composite", "46", []).code is None
    assert procedure_code("sealant", "11", []).no_fit
    assert procedure_code(None, "11", ["M"]).code is None and not procedure_code(None, "11", ["M"]).no_fit


TEETH = [None, "11", "13", "14", "25", "16", "38", "53", "55", "84"]


def _answer(choice) -> tuple[str | None, bool, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return choice.code, choice.no_fit, tuple(sorted({e.code for e in choice.candidates}))


def test_database_rows_and_reference_data_give_the_same_answer(platform) -> None:
    """Parity: every catalog label x teeth of each class x 0..4 surfaces, over both sources."""
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        tool_rows = catalog_entries(s, DEMO_TENANT_ID)
        resolver_catalog = load_catalog(s, DEMO_TENANT_ID)
    assert {e.code for e in tool_rows} == {p.code for p in PROCEDURES}
    checked = 0
    for label in sorted(PLAN_LABELS):
        for tooth in TEETH:
            for n in range(5):
                surfaces = SURFACES[:n]
                static = _answer(select_code(PROCEDURES, label, tooth, surfaces))
                assert _answer(select_code(tool_rows, label, tooth, surfaces)) == static, (label, tooth, n)
                assert _answer(resolver_catalog.select(label, tooth, surfaces)) == static, (label, tooth, n)
                assert _answer(procedure_code(label, tooth, surfaces)) == static, (label, tooth, n)
                checked += 1
    assert checked == len(PLAN_LABELS) * len(TEETH) * 5
