"""The exporter setting is honoured: console spans go to stderr, stdout stays JSON."""

from __future__ import annotations

import json

from core_schema.seed.demo import DEMO_PATIENT_IDS

PATIENT = str(DEMO_PATIENT_IDS[0])


def test_console_exporter_prints_spans_to_stderr(platform) -> None:
    result = platform.cli("chart", "show", "--patient", PATIENT, "--json", env={"DENTALAGENT_OTEL_EXPORTER": "console"})
    assert result.returncode == 0, result.stderr
    assert '"name": "tool.call"' in result.stderr
    assert "teeth" in json.loads(result.stdout)
    quiet = platform.cli("chart", "show", "--patient", PATIENT, "--json")
    assert "tool.call" not in quiet.stderr
