"""The one direction of dependency (``docs/architecture.md``, "Slices and layers").

Every import between the project's packages, wherever it is written (module top, inside a
function, under ``TYPE_CHECKING``), runs down this list, never up it and never sideways between
two slices of the same layer; and no module imports itself back through others (no cycle).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A package may import its own modules and those of any lower layer.
LAYERS: list[tuple[str, ...]] = [
    ("core_schema",),  # models, migrations, connections, settings, catalog and seed data, errors
    ("memory",),  # long-term agent memory
    ("tools",),  # the tool registry, the executor, the clinical tools
    ("agents",),  # model adapters shared by slices
    ("workflows",),  # the engine: runs, steps, checkpoints, leases, the run queue, recovery
    ("undo",),  # undo handlers and the undo service
    ("approvals",),  # statuses, decisions, the review queue, the approval graph steps
    ("patients",),  # patient lists and chart reads
    ("voice", "imaging"),  # the domain slices with their graphs
    ("reconciliation", "interop"),  # reasoning across the slices' sources; the FHIR export of a patient's record
    ("planning",),  # the treatment-planning conversation of rules agents (reads reconciliation's evidence)
    ("runtime",),  # the process composition: the engine with every graph, the worker
    ("agentserver",),  # the LangGraph agent protocol over the platform's threads, runs, interrupts and memory
    ("evals",),  # datasets, solvers, scorers, reports
    ("api",),  # the faces: HTTP API, web app, CLI
    ("benchmarks",),
]
LAYER = {package: n for n, layer in enumerate(LAYERS) for package in layer}
SKIP = {"migrations"}  # Alembic's revision files are loaded by path, not imported


def _modules(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in LAYER:
        for path in (root / package).rglob("*.py"):
            if SKIP & set(path.relative_to(root).parts):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in the file, each ``from m import n`` as m and m.n."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return out


def _graph(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    """Module -> modules it imports (the project's own); and every import that runs up the layers."""
    modules = _modules(root)
    graph: dict[str, set[str]] = defaultdict(set)
    upward: list[str] = []
    for module, path in modules.items():
        here = module.split(".")[0]
        for line, name in _imports(path):
            there = name.split(".")[0]
            if there not in LAYER:
                continue
            if there != here and LAYER[there] >= LAYER[here]:
                upward.append(f"{path.relative_to(root)}:{line} imports {name} ({here} may not import {there})")
            target = name
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                graph[module].add(target)
    return graph, sorted(set(upward))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in list(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"}
    assert packages <= set(LAYER), f"place {sorted(packages - set(LAYER))} in LAYERS (tests/test_layering.py) and architecture.md"


def test_imports_run_down_the_layers() -> None:
    _, upward = _graph(ROOT)
    assert upward == []


def test_no_import_cycles() -> None:
    graph, _ = _graph(ROOT)
    assert _cycles(graph) == []


@pytest.mark.parametrize("source, problem", [
    ({"tools/x.py": "from voice.service import dictate\n", "voice/service.py": ""}, "upward"),
    ({"voice/a.py": "def f():\n    from imaging import b\n", "imaging/b.py": ""}, "upward"),
    ({"voice/a.py": "from voice import b\n", "voice/b.py": "import voice.a\n"}, "cycle"),
])
def test_the_checks_catch_a_violation(tmp_path: Path, source: dict[str, str], problem: str) -> None:
    for name, text in source.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph, upward = _graph(tmp_path)
    assert (upward != []) == (problem == "upward")
    assert (_cycles(graph) != []) == (problem == "cycle")
