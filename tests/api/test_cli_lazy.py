"""The CLI loads a command's module only when that command runs (api/cli/lazy.py)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

from api.cli import lazy


@pytest.mark.parametrize("name", list(lazy.COMMANDS))
def test_listed_help_is_the_commands_own(name: str) -> None:
    command = lazy.load(name)
    assert command.name == name
    assert lazy.COMMANDS[name][3] == inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ").strip()


def test_help_imports_no_service_database_or_migrations() -> None:
    probe = ("import sys, json\nsys.argv = ['dentalagent', '--help']\nfrom api.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    for name in lazy.COMMANDS:
        assert "dictate" in done.stdout and name in done.stdout
    heavy = {"sqlalchemy", "alembic", "psycopg", "langgraph", "services", "core_schema.models", "api.cli.runtime_commands"}
    assert not heavy & loaded
