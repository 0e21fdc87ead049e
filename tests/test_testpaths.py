"""Every test folder is in pytest's ``testpaths`` (the default order: fast suites first; no test depends on it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tests.conftest import ONE_MODE_MARKERS

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_folder_runs() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"])
    folders = {f"tests/{p.name}" for p in (ROOT / "tests").iterdir()
               if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= listed, f"add {sorted(folders - listed)} to testpaths in pyproject.toml"


def test_each_one_mode_suite_runs_in_its_mode_in_ci() -> None:
    """A suite marked for one mode is deselected in the other by .ci/run, and no marker name is misspelt."""
    ci = (ROOT / ".ci" / "run").read_text()
    server_pass = next(line for line in ci.splitlines() if "make test" in line and "$order" in line)
    embedded_pass = next(line for line in ci.splitlines() if "make test" in line and "-u DATABASE_URL" in line)
    assert "-m 'not ci_embedded_only'" in server_pass and "-m 'not ci_server_only'" in embedded_pass
    used = {m for f in (ROOT / "tests").rglob("test_*.py")
            for m in re.findall(r"pytest\.mark\.(\w+_only)\b", f.read_text())}
    assert used <= set(ONE_MODE_MARKERS), f"unknown one-mode markers: {sorted(used - set(ONE_MODE_MARKERS))}"
