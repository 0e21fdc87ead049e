"""Batch interpretation of JSON lines (the CLI's ``interpret --jsonl``): one output line per input line.

Bad input lines become ``{"id": ..., "error": "..."}`` lines instead of exceptions, so one bad
line never stops a file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from .models import Interpretation, InterpretContext
from .rules import interpret

Interpreter = Callable[[str, str, InterpretContext | None], Interpretation]


def interpret_jsonl(
    lines: Iterable[str], interpreter: Interpreter | None = None, default_notation: str = "FDI"
) -> Iterator[str]:
    """Read ``{"id", "text", "notation"?, "context"?: {"tooth"?, "perio_mode"?}}`` lines, yield results."""
    run = interpreter or interpret
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        ident: Any = None
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("line is not a JSON object")
            ident = obj.get("id")
            text = obj.get("text")
            if not isinstance(text, str):
                raise ValueError("'text' must be a string")
            notation = obj.get("notation") or default_notation
            if not isinstance(notation, str):
                raise ValueError("'notation' must be a string")
            raw_ctx = obj.get("context")
            if raw_ctx is not None and not isinstance(raw_ctx, dict):
                raise ValueError("'context' must be an object")
            ctx = InterpretContext.model_validate(raw_ctx) if raw_ctx else None
            result = run(text, notation, ctx)
            yield json.dumps({"id": ident, **result.model_dump()}, ensure_ascii=False)
        except json.JSONDecodeError as exc:
            yield json.dumps({"id": None, "error": f"line {lineno}: invalid JSON: {exc.msg}"})
        except ValidationError as exc:
            msg = "; ".join(e["msg"] for e in exc.errors())
            yield json.dumps({"id": ident, "error": f"line {lineno}: invalid context: {msg}"})
        except Exception as exc:  # noqa: BLE001 - one bad line must not stop the file
            yield json.dumps({"id": ident, "error": f"line {lineno}: {exc}"})
