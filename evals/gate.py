"""The CI regression gate, driven by a configuration file (``evals/gate.toml``).

Why a file: the subset and the thresholds are a team decision that changes with the data;
keeping them out of test code means CI, ``dentalagent eval gate`` and the tests all read
the same numbers, and moving one is a one-line reviewed change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.dataset import DATASETS_DIR, load_dataset

GATE_CONFIG = Path(__file__).resolve().parent / "gate.toml"
_GATE_KEYS = frozenset({"dataset", "ids", "solvers", "voice", "snr_db", "seed", "needs"})


@dataclass(frozen=True)
class Gate:
    """One gate: the rows, the solvers, and ``{measure: (op, threshold)}``."""

    name: str
    dataset: Path
    solvers: tuple[str, ...]
    ids: tuple[str, ...] | None = None
    voice: str = "piper-joe"
    snr_db: float | None = None
    seed: int = 0
    needs: tuple[str, ...] = ()
    thresholds: dict[str, tuple[str, float]] = field(default_factory=dict)

    def missing_needs(self) -> list[str]:
        """Optional engines this gate needs that are not installed (the gate is then skipped)."""
        from evals.audio_synth import espeak_available, piper_available  # noqa: PLC0415

        have = {"piper": piper_available, "espeak": espeak_available}
        return [n for n in self.needs if not have.get(n, lambda: False)()]


def load_gates(path: str | Path = GATE_CONFIG) -> dict[str, Gate]:
    """Parse the gate file; unknown keys are refused so a typo never silently drops a threshold."""
    path = Path(path)
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    gates = {}
    for name, spec in (doc.get("gates") or {}).items():
        thresholds: dict[str, tuple[str, float]] = {}
        for key, value in spec.items():
            if key in _GATE_KEYS:
                continue
            op, _, measure = key.partition("_")
            if op not in ("min", "max") or not measure:
                raise ValueError(f"{path}: gate {name!r}: unknown key {key!r}")
            thresholds[measure] = (op, float(value))
        ds = Path(spec["dataset"])
        if not ds.is_absolute():  # a shipped dataset by name, else relative to the gate file
            ds = DATASETS_DIR / ds if (DATASETS_DIR / ds).is_file() else path.parent / ds
        gates[name] = Gate(name=name, dataset=ds,
                           solvers=tuple(spec.get("solvers") or ["rules"]),
                           ids=tuple(spec["ids"]) if spec.get("ids") else None, voice=spec.get("voice", "piper-joe"),
                           snr_db=spec.get("snr_db"), seed=int(spec.get("seed", 0)), needs=tuple(spec.get("needs") or ()),
                           thresholds=thresholds)
    return gates


def run_gate(gate: Gate, *, llm: Any = None, progress: bool | None = None) -> dict[str, Any]:
    """Run the gate's eval and return the report."""
    from evals.solvers import AudioSettings, build_solvers  # noqa: PLC0415
    from evals.task import run_eval  # noqa: PLC0415

    dataset = load_dataset(gate.dataset).subset(ids=list(gate.ids) if gate.ids else None)
    solvers = build_solvers(list(gate.solvers), llm=llm, audio=AudioSettings(gate.voice, gate.snr_db, gate.seed))
    return run_eval(dataset, solvers, name=f"gate.{gate.name}", progress=progress)


def check(report: dict[str, Any], gate: Gate) -> list[str]:
    """Every threshold missed, per solver, as a sentence (empty: the gate passes)."""
    failures = []
    if report["dataset"]["problems"]:
        failures.append(f"{len(report['dataset']['problems'])} dataset rows refused: {report['dataset']['problems'][:3]}")
    for solver, column in report["solvers"].items():
        m = {**column["measures"], "rows": column["measures"].get("n")}
        for measure, (op, limit) in gate.thresholds.items():
            value = m.get(measure)
            if value is None:
                failures.append(f"{solver}: {measure} was not measured")
            elif (op == "min" and value < limit) or (op == "max" and value > limit):
                failures.append(f"{solver}: {measure} {value:.4g} is {'below' if op == 'min' else 'above'} {limit:g}")
    return failures
