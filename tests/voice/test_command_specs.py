"""One spec per voice command: every command of the contract has exactly one, and everything
derived from the specs (the LLM's schemas and validator, the resolver's dispatch, the registry's
slots) covers every spec, so a command added without its handler fails here."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

import tools.clinical  # noqa: F401  (registers the clinical tools)
from core_schema.catalog import DIAGNOSES, PROCEDURES
from tools.registry import REGISTRY
from voice import resolver
from voice.interpreter import commands, interpret, registry
from voice.interpreter.commands import COMMANDS, CommandSpec, Heard
from voice.interpreter.llm import TOOL_TO_COMMAND, _Validator, build_tools
from voice.interpreter.models import InterpretContext

# The command table of voice-contract.md ("Commands (minimum registry)").
CONTRACT_COMMANDS = {
    "chart.finding.add": 3, "perio.record": 2, "perio.next_tooth": 1, "diagnosis.add": 3, "plan.item.add": 3,
    "plan.item.move": 2, "procedure.start": 2, "procedure.complete": 2, "note.add": 2, "history.show": 1,
    "chart.show": 1,
}
CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "docs" / "voice-contract.md"


def test_every_contract_command_has_exactly_one_spec() -> None:
    specs = [c for c in vars(commands).values() if isinstance(c, CommandSpec)] + list(COMMANDS.values())
    assert sorted({c.name for c in specs}) == sorted(CONTRACT_COMMANDS)
    assert all(name == spec.name for name, spec in COMMANDS.items())
    assert {name: spec.risk_tier for name, spec in COMMANDS.items()} == CONTRACT_COMMANDS
    assert len({c.tool_name for c in COMMANDS.values()}) == len(COMMANDS)  # function names do not collide


@pytest.mark.skipif(not CONTRACT.exists(), reason="voice-contract.md is not beside this checkout")
def test_contract_table_matches() -> None:
    table = CONTRACT.read_text().split("## Commands", 1)[1].split("###", 1)[0]
    said: dict[str, int] = {}
    for cells, tier in re.findall(r"^\| (.+?) \| (\d) \|", table, re.M):
        for name in re.findall(r"`([a-z_.]+)`", cells):
            said[name] = int(tier)
    assert said == CONTRACT_COMMANDS


def test_llm_schemas_and_validator_cover_every_spec() -> None:
    tools = {t["function"]["name"]: t["function"] for t in build_tools()}
    assert set(tools) == {c.tool_name for c in COMMANDS.values()} | {"clarify", "no_command"}
    assert TOOL_TO_COMMAND == {c.tool_name: c.name for c in COMMANDS.values()}
    for spec in COMMANDS.values():
        params = tools[spec.tool_name]["parameters"]
        assert params == spec.parameters() and tools[spec.tool_name]["description"] == spec.summary
        # strict function calling: every property required, nothing else allowed, no references
        assert params["required"] == list(params["properties"]) == list(spec.arguments.model_fields)
        assert params["additionalProperties"] is False and "$ref" not in str(params) and "title" not in str(params)
        if spec.labels:
            label = params["properties"]["label"]
            assert [v for v in label["enum"] if v is not None] == list(spec.labels)
        # an empty call is validated by the spec's model (never an unknown command or a crash)
        v = _Validator("", "FDI", InterpretContext())
        v.check(spec.tool_name, "{}")
        assert all("unknown command" not in r.reason for r in v.rejected)


def test_validator_messages() -> None:
    heard = Heard("caries on sixteen occlusal", {"O"}, lambda: [16])
    spec = COMMANDS["chart.finding.add"]
    cases = {
        '{"label": "caries", "code": "D1"}': "unexpected fields: ['code']",
        '{"label": "teeth_whitening", "surfaces": ["X"]}': "label 'teeth_whitening' is not in the registry for this command",
        '{"label": ["caries"]}': "label ['caries'] is not in the registry for this command",
        '{"label": "caries", "surfaces": ["X"], "grade": 9}': "surfaces must be from ['M', 'O', 'D', 'B', 'L', 'I', 'F', 'P']",
        '{"label": "caries", "surfaces": ["M"]}': "surfaces ['M'] are not grounded in the utterance",
        '{"label": "mobility", "grade": true}': "grade must be an integer 0..4",
    }
    for raw, reason in cases.items():
        with pytest.raises(ValueError) as exc:
            spec.validate(json.loads(raw), heard)
        assert str(exc.value) == reason
    ok = spec.validate({"label": "caries", "surfaces": ["O", "O"], "teeth": ["16"]}, heard)
    assert (ok.label_said, ok.surfaces_said, ok.values()) == ("caries", ["O"], {})
    perio = COMMANDS["perio.record"].validate({"depths_mm": {"DB": 4, "MB": 3}, "recession_mm": 2}, Heard("", (), lambda: [3, 4, 2]))
    assert perio.values() == {"depths_mm": {"MB": 3, "DB": 4}, "recession_mm": 2}
    with pytest.raises(ValueError, match="value 2 is not grounded"):
        COMMANDS["perio.record"].validate({"recession_mm": 2}, Heard("", (), lambda: [3]))


def test_resolver_dispatch_covers_every_spec() -> None:
    assert set(resolver._HANDLERS) == set(COMMANDS)
    for spec in COMMANDS.values():
        assert resolver._HANDLERS[spec.name] is resolver._STEPS[spec.step]
        assert spec.tool is None or spec.tool in REGISTRY, spec.tool
    assert {c.name for c in COMMANDS.values() if c.tool is None} == {"perio.next_tooth"}


def test_registry_reads_the_specs() -> None:
    assert registry.COMMANDS is COMMANDS
    assert registry.PROCEDURE_COMMANDS == {"plan.item.add", "plan.item.move", "procedure.start", "procedure.complete"}
    assert registry.required_slots("chart.finding.add", "mobility") == ("tooth", "grade")
    assert registry.required_slots("diagnosis.add", "gingivitis") == ()
    assert registry.required_slots("plan.item.add", "composite") == ("tooth", "surfaces")
    assert registry.required_slots("plan.item.add", None) == ("label",)
    assert registry.required_slots("procedure.start", "bitewings") == ()
    assert registry.required_slots("plan.item.move", None) == ("item", "position")
    assert registry.required_slots("no.such.command", None) == ()
    for spec in COMMANDS.values():  # every slot a spec can require has a rule for when it is filled
        for label in (None, *spec.labels):
            assert set(spec.required_slots(label)) <= set(commands.SLOT_FILLED)


class _OnePlanItem:
    """A session whose patient's open plan holds one root canal on 36."""

    def execute(self, query: object) -> list[SimpleNamespace]:
        return [SimpleNamespace(id=uuid.UUID(int=1), cdt_code="D3330", tooth_number="36")]


@pytest.mark.parametrize("text", [
    "sixteen occlusal caries and mark seventeen as missing", "seventeen mobility grade two",
    "pocket depths three two four on sixteen bleeding on mesial", "irreversible pulpitis on thirty six",
    "plan a root canal on thirty six", "composite on forty six mesial occlusal", "move the root canal on 36 to position 1",
    "start the root canal on thirty six", "complete the root canal on thirty six", "note patient is anxious",
    "show me the chart", "show the history",
])
def test_every_resolved_call_fits_its_tool_input(text: str) -> None:
    catalog = resolver.Catalog(list(PROCEDURES), {d.label: d.code for d in DIAGNOSES})
    interpretation = interpret(text).model_dump()
    assert interpretation["kind"] == "proposal", interpretation
    out = resolver.resolve(interpretation, session=_OnePlanItem(), catalog=catalog,  # type: ignore[arg-type]  # a stand-in session: the plan query only
                           patient_id=uuid.UUID(int=5), encounter_id=uuid.UUID(int=7))
    assert out.calls and not out.problems, out
    for call in out.calls:
        assert call.tool == COMMANDS[call.command].tool
        REGISTRY.get(call.tool).input_model.model_validate(call.args)
