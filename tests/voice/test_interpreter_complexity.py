"""No function in voice/interpreter is above cyclomatic complexity 20 (issue 18, item 3).

The interpreter's rules are small named steps and tables; a function that grows past 20 decision
points is split again. Counted from the AST as radon counts it (``radon cc``): 1, plus one per
``if``/``elif``, loop (and loop ``else``), ``except``, conditional expression, comprehension
``for``/``if``, ``assert``, ``match`` case and each extra operand of ``and``/``or``. Nested
functions and classes are counted on their own.
"""

from __future__ import annotations

import ast
from pathlib import Path

LIMIT = 20
ROOT = Path(__file__).resolve().parents[2] / "agents" / "interpreter"


def _complexity(fn: ast.AST) -> int:
    count = 1
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue  # counted on its own
        if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.IfExp, ast.Assert, ast.ExceptHandler)):
            count += 1
        elif isinstance(node, ast.comprehension):
            count += 1 + len(node.ifs)
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
        elif isinstance(node, ast.match_case):
            count += 1
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node.orelse:
            count += 1
        stack.extend(ast.iter_child_nodes(node))
    return count


def _functions(tree: ast.AST, prefix: str = "") -> list[tuple[str, ast.AST]]:
    out: list[tuple[str, ast.AST]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((prefix + node.name, node))
            out.extend(_functions(node, prefix + node.name + "."))
        elif isinstance(node, ast.ClassDef):
            out.extend(_functions(node, prefix + node.name + "."))
        else:
            out.extend(_functions(node, prefix))
    return out


def _measure() -> dict[tuple[str, str], int]:
    return {
        (path.name, name): _complexity(fn)
        for path in sorted(ROOT.glob("*.py"))
        for name, fn in _functions(ast.parse(path.read_text(encoding="utf-8")))
    }


def test_no_interpreter_function_above_complexity_20() -> None:
    over = {key: cc for key, cc in _measure().items() if cc > LIMIT}
    assert not over, f"split these into named steps or tables (cyclomatic complexity > {LIMIT}): {over}"


def test_the_counter_counts_branches_and_boolean_operands() -> None:
    fn = ast.parse("def f(a, b):\n    if a and b or a:\n        return [x for x in a if x]\n    return 1 if b else 2\n")
    assert _complexity(fn.body[0]) == 1 + 1 + 2 + 2 + 1
