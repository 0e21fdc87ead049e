"""The models are the spec: every table, column, type family, nullability, key and index.

The spec lives outside the repository (``../shared/spec``); this test reads it to check the
hand-written models, and is skipped with a reason where the spec is not beside the checkout.
"""

from __future__ import annotations

import re

import pytest
import yaml
from sqlalchemy import BigInteger, Boolean, Date, Integer, Numeric, Text
from sqlalchemy.dialects.postgresql import INET, JSONB, TIMESTAMP, UUID

import core_schema
from core_schema.models import Embedding
from tests.conftest import SPEC_DIR

TYPE_FAMILIES = {
    "uuid": UUID, "text": Text, "timestamptz": TIMESTAMP, "jsonb": JSONB, "integer": Integer,
    "bigint": BigInteger, "boolean": Boolean, "date": Date, "inet": INET, "numeric": Numeric,
}


def _spec_entities() -> list[dict]:
    if not SPEC_DIR.is_dir():
        pytest.skip(f"spec folder {SPEC_DIR} not present beside the checkout")
    entities: list[dict] = []
    for name in ("schema-core.yaml", "schema-agent-extensions.yaml"):
        raw = (SPEC_DIR / name).read_text()
        raw = re.sub(r"type: (numeric\(\d+,\s*\d+\)|vector\(\d+\))", r'type: "\1"', raw)
        entities += yaml.safe_load(raw)["entities"]
    return entities


def test_metadata_holds_all_108_spec_tables() -> None:
    spec_tables = {e["table"] for e in _spec_entities()}
    assert len(spec_tables) == 108
    assert set(core_schema.metadata.tables) == spec_tables


@pytest.mark.parametrize("entity", _spec_entities() if SPEC_DIR.is_dir() else [], ids=lambda e: e["table"])
def test_table_matches_spec(entity: dict) -> None:
    table = core_schema.metadata.tables[entity["table"]]
    assert [c.name for c in table.columns] == [c["name"] for c in entity["columns"]]
    pk = entity["primary_key"] if isinstance(entity["primary_key"], list) else [entity["primary_key"]]
    assert [c.name for c in table.primary_key.columns] == pk
    for spec_col in entity["columns"]:
        col = table.c[spec_col["name"]]
        assert col.nullable == spec_col["nullable"], f"{table.name}.{col.name} nullability"
        spec_type = spec_col["type"]
        if spec_type.startswith("vector"):
            assert isinstance(col.type, Embedding)
            continue
        family = TYPE_FAMILIES[spec_type.split("(")[0]]
        assert isinstance(col.type, family), f"{table.name}.{col.name}: {col.type!r} is not {spec_type}"
        if m := re.match(r"numeric\((\d+),\s*(\d+)\)", spec_type):
            assert (col.type.precision, col.type.scale) == (int(m[1]), int(m[2]))
        if "default" in spec_col:
            assert col.server_default is not None, f"{table.name}.{col.name} lacks its server default"
        if "references" in spec_col:
            targets = {fk.target_fullname for fk in col.foreign_keys}
            assert targets == {spec_col["references"]}, f"{table.name}.{col.name} foreign key"
        if spec_col.get("unique"):
            assert col.unique
    indexes = {ix.name: ix for ix in table.indexes}
    for spec_ix in entity.get("indexes") or []:
        ix = indexes[spec_ix["name"]]
        assert bool(ix.unique) == bool(spec_ix.get("unique")), spec_ix["name"]
        assert [e.name if hasattr(e, "table") else str(e).split()[0] for e in ix.expressions] == [c.split()[0] for c in spec_ix["columns"]]
        if spec_ix.get("where"):
            assert ix.dialect_options["postgresql"]["where"] is not None
