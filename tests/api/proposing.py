"""Dictations that are sure to propose something, whatever other tests of the session charted.

A finding already on the chart is not proposed again, so a fixed sentence stops proposing once
another test has approved it; these helpers move on to the next tooth instead.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

TEETH = ("fourteen", "thirty six", "twenty five", "forty seven", "seventeen", "thirty four", "twenty two",
         "forty five", "eleven", "thirty one", "twenty seven", "forty two")


def dictate_new(http: TestClient, headers: dict[str, str], patient_id: uuid.UUID | str,
                finding: str = "occlusal caries") -> dict[str, Any]:
    """POST a dictation of ``finding`` on the first tooth where it is new; the ``dictate`` object."""
    for tooth in TEETH:
        response = http.post("/api/v1/dictations", headers=headers,
                             json={"patient_id": str(patient_id), "text": f"{tooth} {finding}"})
        assert response.status_code == 200, response.text
        if response.json()["approval_ids"]:
            return response.json()
    raise AssertionError(f"no tooth left without {finding!r} on patient {patient_id}")


def applied_action(decided: Any, run_id: str) -> str:
    """The action row an approved run wrote, read from the database (the owner's view): the id a
    test needs even when the caller's undo list does not show it, and the decision when none exists."""
    from sqlalchemy import text

    from core_schema.db import get_database

    with get_database().system_session() as s:
        found = s.execute(text("SELECT id FROM action_history WHERE agent_execution_id = :r ORDER BY created_at"),
                          {"r": run_id}).scalars().first()
    assert found is not None, f"the approved run {run_id} wrote no action: {decided.status_code} {decided.text}"
    return str(found)
