"""``dentalagent eval``: run an eval and write its report (JSON + Markdown)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Evaluations.", no_args_is_help=True)


@app.command("voice")
def voice(
    audio: bool = typer.Option(False, "--audio", help="Synthesise, transcribe and interpret (else text only)."),
    snr: float = typer.Option(None, "--snr", min=-20.0, max=100.0, help="Mix seeded noise at this SNR in dB (audio only)."),
    voice_name: str = typer.Option("piper-joe", "--voice", help="Synthetic voice (piper-joe, espeak-us, ...)."),
    limit: int = typer.Option(None, "--limit", min=1, help="Score only the first N utterances."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Noise seed (reproducible)."),
    report: Path = typer.Option(Path("reports"), "--report", help="Folder for the JSON and Markdown reports."),
) -> None:
    """Score the voice pipeline on the dataset; prints the summary and writes the report."""
    from evals.voice_eval import EvalOptions, run, write_report

    if snr is not None and not audio:
        raise ValueError("--snr needs --audio")
    result = run(EvalOptions(audio=audio, snr_db=snr, voice=voice_name, limit=limit, seed=seed))
    json_path, md_path = write_report(result, report)
    typer.echo(md_path.read_text().split("## Slot accuracy")[0].rstrip())
    typer.echo(f"\nreport: {json_path} and {md_path}")
