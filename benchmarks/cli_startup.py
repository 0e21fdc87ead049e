"""CLI start-up: wall time of ``dentalagent --help`` and of a text ``dictate``, against a bare
``python -c pass`` measured in the same run.

Each round runs the three commands once, in turn (so a machine that gets busier weighs on all
of them alike), as fresh processes the way a person runs them: the home is migrated and seeded
first by the CLI itself, and no process of this benchmark holds the embedded servers, so an
embedded-mode ``dictate`` starts and stops PostgreSQL and Redis as a lone command does. With
``DATABASE_URL`` set (server mode) a scratch database on that server is used and dropped.

Also printed: the modules a text dictation imported that it should not need (speech
recognition, ONNX, migrations), which must stay empty.

Usage: python -m benchmarks.cli_startup [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CLI = [sys.executable, "-c", "from api.cli import main; main()"]
# Imported by a text dictation only if a heavy path leaked into it.
HEAVY = ("faster_whisper", "ctranslate2", "onnxruntime", "av", "torch", "alembic", "tokenizers", "soundfile")
_PROBE = ("import sys, atexit, json, os\n"
          "atexit.register(lambda: open(os.environ['DA_MODULES_OUT'], 'w').write(json.dumps(sorted(sys.modules))))\n"
          "sys.argv = ['dentalagent'] + sys.argv[1:]\n"
          "from api.cli import main\n"
          "main()\n")


def _run(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t0) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[3:]) or cmd}: exit {done.returncode}: {done.stderr.strip()[-400:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from core_schema.stats import percentile

    home = tempfile.mkdtemp(prefix="dentalagent-cli-bench-")
    env = {**os.environ, "DENTALAGENT_HOME": home}
    server_url = os.environ.get("DATABASE_URL")
    scratch = f"da_cli_bench_{os.getpid()}"
    if server_url:
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = make_url(server_url).set(database=scratch).render_as_string(hide_password=False)
    try:
        _run([*CLI, "db", "upgrade"], env)
        _run([*CLI, "db", "seed"], env)
        patients = subprocess.run([*CLI, "patients", "list", "--json"], env=env, capture_output=True, text=True, check=True)
        patient = json.loads(patients.stdout)[0]["id"]
        dictate = [*CLI, "dictate", "--text", "tooth 14 occlusal caries", "--patient", patient,
                   "--as", "dentist@demo.clinic", "--json"]
        commands = {"python -c pass": [sys.executable, "-c", "pass"], "dentalagent --help": [*CLI, "--help"],
                    "dentalagent dictate --text": dictate}
        _run(dictate, env)  # warm-up: byte-compiled modules, the page cache
        walls: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                walls[name].append(_run(cmd, env))

        modules_out = os.path.join(home, "modules.json")
        subprocess.run([sys.executable, "-c", _PROBE, *dictate[3:]], env={**env, "DA_MODULES_OUT": modules_out},
                       check=True, capture_output=True)
        with open(modules_out) as fh:
            loaded = {m.split(".")[0] for m in json.load(fh)}

        mode = "server" if server_url else "embedded (each dictate starts and stops PostgreSQL and Redis)"
        print(f"CLI wall time over {args.runs} rounds, {mode}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        base = percentile(walls["python -c pass"], 50)
        for name, values in walls.items():
            extra = f"  (+{percentile(values, 50) - base:7.0f} ms over bare python)" if name != "python -c pass" else ""
            print(f"  {name:28s} p50 {percentile(values, 50):7.0f} ms  p95 {percentile(values, 95):7.0f} ms{extra}")
        leaked = sorted(m for m in HEAVY if m in loaded)
        print(f"  heavy modules a text dictate imported: {', '.join(leaked) if leaked else 'none'}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if server_url:
            import psycopg

            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


if __name__ == "__main__":
    main()
