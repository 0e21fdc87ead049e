"""Every test folder is in pytest's ``testpaths`` (the default order: fast suites first; no test depends on it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_folder_runs() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"])
    folders = {f"tests/{p.name}" for p in (ROOT / "tests").iterdir()
               if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= listed, f"add {sorted(folders - listed)} to testpaths in pyproject.toml"
