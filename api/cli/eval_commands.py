"""``dentalagent eval``: run evals, compare two reports, run the CI gate (thin over ``evals``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from api.cli import imaging_commands, memory_commands
from api.cli.output import fail

app = typer.Typer(help="Evaluations: voice (any dataset, any solvers), imaging, memory, compare two reports, the CI gate.",
                  no_args_is_help=True)

_PROGRESS = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr (default: when it is a terminal).")


@app.command("voice")
def voice(
    dataset: Path = typer.Option(None, "--dataset", help="A JSONL dataset (text and/or audio rows); default: the built-in set."),
    solver: str = typer.Option(None, "--solver", help="Comma-separated: rules, llm, asr, asr+llm, workflow (side by side)."),
    audio: bool = typer.Option(False, "--audio", help="Built-in set: synthesise, transcribe and interpret (else text only)."),
    snr: float = typer.Option(None, "--snr", min=-20.0, max=100.0, help="Mix seeded noise at this SNR in dB (synthesised rows)."),
    voice_name: str = typer.Option("piper-joe", "--voice", help="Synthetic voice for rows without a recording (piper-joe, espeak-us, ...)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Score only the first N utterances."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Noise seed (reproducible)."),
    llm_base_url: str = typer.Option(None, "--llm-base-url", envvar="DENTALAGENT_LLM_BASE_URL", help="OpenAI-compatible endpoint (llm solvers)."),
    llm_model: str = typer.Option(None, "--llm-model", envvar="DENTALAGENT_LLM_MODEL", help="Model name (llm solvers)."),
    llm_api_key: str = typer.Option(None, "--llm-api-key", envvar="DENTALAGENT_LLM_API_KEY", help="API key (never written to reports)."),
    report: Path = typer.Option(Path("reports"), "--report", help="Folder for the JSON and Markdown reports."),
    junit: Path = typer.Option(None, "--junit", help="Also write JUnit XML here (CI dashboards)."),
    matrix: bool = typer.Option(False, "--matrix", help="The project set and the blind set, as text and spoken by Piper "
                                "and espeak, clean and at 10 dB, by the configured recogniser and by tiny.en, in one table "
                                "(--dataset adds sets, --conditions narrows)."),
    conditions: str = typer.Option(None, "--conditions", help="With --matrix: comma-separated text, VOICE, VOICE@SNR, VOICE@SNR/MODEL."),
    progress: bool = _PROGRESS,
) -> None:
    """Score solvers on a dataset; prints the summary and writes the report."""
    if matrix:
        _matrix(dataset, conditions, limit, report, progress)
        return
    if snr is not None and not audio and not solver and dataset is None:
        fail("--snr needs --audio (or an asr solver)", False)
    if dataset is None and solver is None:  # the built-in eval, report shape unchanged
        from evals.voice_eval import EvalOptions, run, write_report

        try:
            result = run(EvalOptions(audio=audio, snr_db=snr, voice=voice_name, limit=limit, seed=seed, progress=progress))
        except (KeyError, ValueError, RuntimeError) as exc:
            fail(str(exc), False)
        json_path, md_path = write_report(result, report, junit)
        typer.echo(md_path.read_text().split("## Slot accuracy")[0].rstrip())
        typer.echo(f"\nreport: {json_path} and {md_path}" + (f" and {junit}" if junit else ""))
        return
    from evals import report as reports
    from evals.dataset import load_dataset
    from evals.solvers import AudioSettings, LLMSettings, build_solvers
    from evals.task import run_eval
    from evals.text_scoring import DATASET_PATH

    path = dataset or DATASET_PATH
    if not path.is_file():
        fail(f"no such dataset: {path}", False)
    ds = load_dataset(path).subset(limit=limit)
    names = [s for s in (solver or ("asr" if audio or any(s.audio for s in ds.samples) else "rules")).split(",") if s.strip()]
    try:
        solvers = build_solvers(names, llm=LLMSettings(llm_base_url, llm_model, llm_api_key),
                                audio=AudioSettings(voice_name, snr, seed))
    except (KeyError, ValueError) as exc:
        fail(str(exc), False)
    result = run_eval(ds, solvers, progress=progress)
    stem = f"eval-{path.stem}-" + "-".join(s.name.replace("+", "_") for s in solvers)
    json_path, md_path = reports.write(result, report, stem, junit)
    for p in ds.problems:
        typer.echo(f"dataset line {p.line}: {p.error}", err=True)
    typer.echo(md_path.read_text().split("## Slot accuracy")[0].rstrip())
    typer.echo(f"\nreport: {json_path} and {md_path}" + (f" and {junit}" if junit else ""))


def _matrix(dataset: Path | None, conditions: str | None, limit: int | None, folder: Path, progress: bool | None) -> None:
    from evals.matrix import DEFAULT_CONDITIONS, Condition, default_datasets, markdown, run_matrix

    paths = default_datasets() + ([dataset] if dataset is not None else [])
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        fail(f"no such dataset: {', '.join(missing)}", False)
    try:
        conds = [Condition.parse(c) for c in (conditions.split(",") if conditions else DEFAULT_CONDITIONS) if c.strip()]
        table = markdown(run_matrix(paths, conds, folder, limit=limit, progress=progress))
    except (KeyError, ValueError, RuntimeError) as exc:
        fail(str(exc), False)
    table += "\n" + _exam_table(conds, folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix-voice.md").write_text(table)
    typer.echo(table + f"\nreport: {folder / 'matrix-voice.md'} (and one report per cell beside it)")


def _exam_table(conditions: list, folder: Path) -> str:
    """The exam-session dataset under the same listening conditions (site accuracy, controls)."""
    import json

    from evals.exam_eval import DATASET, SpeechHearing, evaluate, hear_text, markdown
    from evals.matrix import transcriber_for

    rows = []
    transcribers: dict = {}
    for cond in conditions:
        speech = SpeechHearing(cond.voice, cond.snr_db, transcriber_for(cond, transcribers)) if cond.voice is not None else None
        result = evaluate(DATASET, speech or hear_text)
        folder.mkdir(parents=True, exist_ok=True)
        stem = cond.name.replace('@', '-at-').replace('/', '-by-')
        (folder / f"exam-sessions-{stem}.json").write_text(json.dumps(result, indent=2))
        rows.append((cond.name + (f" ({speech.transcriber.model_name})" if speech else ""), result))
    return markdown(rows)


@app.command("reconcile")
def reconcile_eval(
    dataset: Path = typer.Option(None, "--dataset", help="A JSONL of cases (default: evals/datasets/reasoning_cases.jsonl)."),
    report: Path = typer.Option(None, "--report", help="Also write the JSON report to this file."),
) -> None:
    """Precision / recall of the reconciliation rules' disagreements on written patient cases (per split)."""
    _reasoning("reconcile", dataset, report)


@app.command("plan")
def plan_eval(
    dataset: Path = typer.Option(None, "--dataset", help="A JSONL of cases (default: evals/datasets/reasoning_cases.jsonl)."),
    report: Path = typer.Option(None, "--report", help="Also write the JSON report to this file."),
    llm_base_url: str = typer.Option(None, "--llm-base-url", envvar="DENTALAGENT_LLM_BASE_URL", help="OpenAI-compatible endpoint: the LLM agent beside the rules."),
    llm_model: str = typer.Option(None, "--llm-model", envvar="DENTALAGENT_LLM_MODEL", help="Model name (LLM agent)."),
    llm_api_key: str = typer.Option(None, "--llm-api-key", envvar="DENTALAGENT_LLM_API_KEY", help="API key (never written to reports)."),
) -> None:
    """Plan-item agreement of the planning agents on written patient cases (per split), rules and LLM side by side."""
    _reasoning("plan", dataset, report, {"base_url": llm_base_url, "model": llm_model, "api_key": llm_api_key})


def _reasoning(which: str, dataset: Path | None, report: Path | None, llm: dict[str, Any] | None = None) -> None:
    from functools import partial

    from evals import reasoning_eval

    cases = reasoning_eval.load_cases(dataset or reasoning_eval.DATASET)
    score = reasoning_eval.eval_reconcile if which == "reconcile" else partial(reasoning_eval.eval_plan, llm=llm)
    out = {"eval": which, **reasoning_eval.by_split(cases, score)}
    text = json.dumps(out, indent=2)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text + "\n")
    typer.echo(text)


@app.command("compare")
def compare(
    old: Path = typer.Argument(..., help="The earlier report (JSON)."),
    new: Path = typer.Argument(..., help="The later report (JSON)."),
    solver: str = typer.Option(None, "--solver", help="Compare only this solver's column."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    fail_on_regression: bool = typer.Option(False, "--fail-on-regression", help="Exit 1 when an utterance went from right to wrong."),
) -> None:
    """Utterances that went from right to wrong and back, and the change in each measure."""
    from evals.report import compare as diff_reports
    from evals.report import compare_markdown

    docs = []
    for p in (old, new):
        try:
            doc = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            fail(f"cannot read report {p}: {exc}", as_json)
        if not isinstance(doc, dict) or "rows" not in doc or "solvers" not in doc:
            fail(f"{p} is not an eval report with per-utterance rows (run the eval again with this version)", as_json)
        docs.append(doc)
    try:
        diff = diff_reports(docs[0], docs[1], solver)
    except ValueError as exc:
        fail(str(exc), as_json)
    typer.echo(json.dumps(diff, indent=2, default=str) if as_json else compare_markdown(diff))
    if fail_on_regression and any(s["right_to_wrong"] for s in diff["solvers"].values()):
        sys.exit(1)


@app.command("gate")
def gate(
    config: Path = typer.Option(None, "--config", help="Gate file (default: evals/gate.toml)."),
    only: str = typer.Option(None, "--only", help="Comma-separated gate names (default: all)."),
    report: Path = typer.Option(Path("reports"), "--report", help="Folder for each gate's JSON and Markdown report."),
    junit: Path = typer.Option(None, "--junit", help="JUnit XML of the gates' rows (one file per gate: NAME inserted)."),
    progress: bool = _PROGRESS,
) -> None:
    """Run the CI regression gate from its configuration file; exit 1 when a threshold is missed."""
    from evals import report as reports
    from evals.gate import GATE_CONFIG, check, load_gates, run_gate

    try:
        gates = load_gates(config or GATE_CONFIG)
    except (OSError, ValueError, KeyError) as exc:
        fail(f"cannot read the gate file: {exc}", False)
    wanted = [g.strip() for g in only.split(",")] if only else list(gates)
    unknown = [g for g in wanted if g not in gates]
    if unknown:
        fail(f"unknown gates {unknown}; the file has {list(gates)}", False)
    missed = False
    for name in wanted:
        g = gates[name]
        lacking = g.missing_needs()
        if lacking:
            typer.echo(f"gate {name}: skipped ({', '.join(lacking)} not installed)")
            continue
        result = run_gate(g, progress=progress)
        junit_path = junit.with_name(f"{junit.stem}-{name}{junit.suffix}") if junit else None
        json_path, _ = reports.write(result, report, f"gate-{name}", junit_path)
        failures = check(result, g)
        missed = missed or bool(failures)
        typer.echo(f"gate {name}: {'FAILED' if failures else 'passed'} ({json_path})")
        for f in failures:
            typer.echo(f"  {f}")
    if missed:
        sys.exit(1)


app.command("imaging")(imaging_commands.eval_command)  # the phantom-set imaging eval (imaging/eval.py)
app.command("memory")(memory_commands.eval_command)  # retrieval by ranking mode, habit learning (evals/memory_eval.py)
