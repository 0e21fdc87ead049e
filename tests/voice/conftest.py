"""Speech fixtures shared by the ASR tests: one CPU transcriber and one synthesis cache per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.asr import Transcriber


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber(device="cpu")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("synth")
