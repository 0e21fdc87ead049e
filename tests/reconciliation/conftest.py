"""Reconciliation fixtures."""

from __future__ import annotations

import pytest

from tests.reconciliation.seeding import Seed


@pytest.fixture
def seed(engine, new_patient):
    def _make() -> Seed:
        return Seed(engine, new_patient("Recon", "Tests"))

    return _make
