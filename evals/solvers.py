"""Solvers: what turns one dataset row into the contract's output, each selectable by name.

``rules`` and ``llm`` interpret text; ``asr`` and ``asr+llm`` transcribe the row's recording
(or synthesise its text when it has none) and then interpret; ``workflow`` runs the whole
voice-to-chart workflow up to the approval queue on a throwaway platform. A solver reports
its output, the transcript it worked from, and its latency per stage. A row a solver fails
on is an ``error`` result (counted wrong, message kept), never the end of the run.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol

from evals.dataset import Sample

log = logging.getLogger(__name__)

SOLVER_NAMES = ("rules", "llm", "asr", "asr+llm", "workflow")


@dataclass
class SolverOutput:
    """One row's outcome: the prediction (None on error), transcript and per-stage latency."""

    predicted: dict[str, Any] | None
    transcript: str | None = None
    latency_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    asr: bool = False  # the transcript came from speech recognition (free text is WER-matched)


class Solver(Protocol):
    name: str

    def config(self) -> dict[str, Any]: ...

    def models(self) -> dict[str, Any]: ...

    def solve(self, sample: Sample) -> SolverOutput: ...


@dataclass
class LLMSettings:
    """Where the LLM interpreter is (flags first, then DENTALAGENT_LLM_* settings)."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_s: float = 30.0

    def resolved(self) -> LLMSettings:
        from core_schema.settings import get_settings  # noqa: PLC0415

        s = get_settings()
        return LLMSettings(self.base_url or s.llm_base_url, self.model or s.llm_model,
                           self.api_key or s.llm_api_key or os.environ.get("OPENAI_API_KEY"), self.timeout_s)


@dataclass
class AudioSettings:
    """How rows without a recording are spoken (synthetic voice, optional seeded noise)."""

    voice: str = "piper-joe"
    snr_db: float | None = None
    seed: int = 0


def _context(sample: Sample) -> Any:
    from voice.interpreter import InterpretContext  # noqa: PLC0415

    return InterpretContext.model_validate(sample.context) if sample.context else None


def _need_text(sample: Sample) -> str:
    if sample.text is None:
        raise ValueError("this solver interprets text and the row has only audio (add its transcript as text)")
    return sample.text


class RulesSolver:
    """The deterministic rules interpreter (the platform's default)."""

    name = "rules"

    def config(self) -> dict[str, Any]:
        return {"solver": "rules", "interpreter": "rules"}

    def models(self) -> dict[str, Any]:
        return {"interpreter": f"rules (dentalagent {_version()})"}

    def interpret(self, text: str, sample: Sample) -> dict[str, Any]:
        from voice.interpreter import interpret  # noqa: PLC0415

        return interpret(text, sample.notation, _context(sample)).model_dump()

    def solve(self, sample: Sample) -> SolverOutput:
        text = _need_text(sample)
        t0 = time.perf_counter()
        out = self.interpret(text, sample)
        return SolverOutput(out, text, {"interpret": (time.perf_counter() - t0) * 1000})


class LLMSolver:
    """The LLM interpreter over any OpenAI-compatible Chat Completions endpoint."""

    name = "llm"

    def __init__(self, settings: LLMSettings) -> None:
        from voice.interpreter.llm import LLMInterpreter  # noqa: PLC0415

        s = settings.resolved()
        if not (s.base_url and s.model):
            raise ValueError("the llm solver needs --llm-base-url and --llm-model "
                             "(or DENTALAGENT_LLM_BASE_URL and DENTALAGENT_LLM_MODEL)")
        self.settings = s
        self.client = LLMInterpreter(base_url=s.base_url, model=s.model, api_key=s.api_key or "none", timeout=s.timeout_s)

    def config(self) -> dict[str, Any]:  # the API key is never written to a report
        return {"solver": "llm", "interpreter": "llm", "base_url": self.settings.base_url, "model": self.settings.model,
                "temperature": 0, "timeout_s": self.settings.timeout_s}

    def models(self) -> dict[str, Any]:
        return {"interpreter": f"llm:{self.settings.model}"}

    def interpret(self, text: str, sample: Sample) -> dict[str, Any]:
        return self.client.interpret(text, sample.notation, _context(sample)).model_dump()

    def solve(self, sample: Sample) -> SolverOutput:
        text = _need_text(sample)
        t0 = time.perf_counter()
        out = self.interpret(text, sample)
        return SolverOutput(out, text, {"interpret": (time.perf_counter() - t0) * 1000})


def default_transcriber() -> Any:
    """The recogniser the service uses (DENTALAGENT_ASR_MODEL / _ASR_DEVICE)."""
    from core_schema.settings import get_settings  # noqa: PLC0415
    from voice.asr import Transcriber  # noqa: PLC0415

    settings = get_settings()
    return Transcriber(model=settings.asr_model, device=settings.asr_device)


def interpret_transcription(heard: Any, notation: str, context: Any) -> dict[str, Any]:
    """The rules interpreter over the recogniser's n-best readings and word probabilities."""
    from voice.interpreter.doubt import Heard, HeardWord, interpret_heard  # noqa: PLC0415

    readings = [Heard(h.text, h.score) for h in heard.hypotheses]
    words = [HeardWord(w.word, w.probability) for w in heard.words]
    return interpret_heard(readings, words, notation, context).model_dump()


class AsrSolver:
    """Speech recognition (local Whisper, dental biasing and correction), then an interpreter."""

    def __init__(self, interpreter: RulesSolver | LLMSolver, audio: AudioSettings, transcriber: Any = None) -> None:
        self.interpreter = interpreter
        self.audio = audio
        self.name = "asr" if interpreter.name == "rules" else f"asr+{interpreter.name}"
        self._transcriber = transcriber

    @property
    def transcriber(self) -> Any:
        if self._transcriber is None:
            self._transcriber = default_transcriber()
        return self._transcriber

    def config(self) -> dict[str, Any]:
        return {"solver": self.name, **{k: v for k, v in self.interpreter.config().items() if k != "solver"},
                "synthetic_voice": self.audio.voice, "snr_db": self.audio.snr_db, "seed": self.audio.seed,
                "asr_beam_size": self.transcriber.beam_size, "asr_bias": self.transcriber.bias,
                "asr_correction": self.transcriber.correct}

    def models(self) -> dict[str, Any]:
        return {**self.interpreter.models(), "asr": self.transcriber.model_name, "asr_device": self.transcriber.device}

    def transcribe(self, sample: Sample) -> Any:
        """The row's recording, or its text spoken by the synthetic voice."""
        if sample.audio is not None:
            return self.transcriber.transcribe(sample.audio)
        from evals.audio_synth import synthesize  # noqa: PLC0415

        samples = synthesize(_need_text(sample), self.audio.voice, snr_db=self.audio.snr_db, seed=self.audio.seed)
        return self.transcriber.transcribe(samples)

    def solve(self, sample: Sample) -> SolverOutput:
        t0 = time.perf_counter()
        heard = self.transcribe(sample)
        t1 = time.perf_counter()
        if isinstance(self.interpreter, RulesSolver) and getattr(heard, "hypotheses", None):
            out = interpret_transcription(heard, sample.notation, _context(sample))
        else:
            out = self.interpreter.interpret(heard.text, sample)
        t2 = time.perf_counter()
        return SolverOutput(out, heard.text, {"asr": heard.asr_ms, "interpret": (t2 - t1) * 1000,
                                              "asr_plus_interpret": (t2 - t0) * 1000}, asr=True)


class WorkflowSolver:
    """The whole voice-to-chart workflow up to the approval queue, on a throwaway platform.

    Opened lazily on the first row (a private database and Redis namespace, migrated and
    seeded with the demo clinics) and removed by ``close``: an eval never writes into a
    clinic's data. Each row is one dictation in a new voice session whose context (tooth in
    focus, perio mode) is the row's; UNIVERSAL rows go to the seeded Universal clinic.
    """

    name = "workflow"

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._engine: Any = None
        self._models: dict[str, Any] = {}
        self._failed: str | None = None

    def config(self) -> dict[str, Any]:
        from core_schema.settings import get_settings  # noqa: PLC0415

        return {"solver": "workflow", "workflow": "voice_to_chart", "interpreter": get_settings().interpreter,
                "platform": "throwaway (private database, seeded demo clinics)"}

    def models(self) -> dict[str, Any]:
        return dict(self._models)

    def _open(self) -> Any:
        if self._failed is not None:  # one failed start is every row's error; no retry per row
            raise RuntimeError(self._failed)
        if self._engine is None:
            from evals.sandbox import throwaway_platform  # noqa: PLC0415

            try:
                self._engine = self._stack.enter_context(throwaway_platform())
            except Exception as exc:
                self._failed = f"the throwaway platform did not start: {type(exc).__name__}: {exc}"
                raise
        return self._engine

    def close(self) -> None:
        self._stack.close()
        self._engine = None

    def solve(self, sample: Sample) -> SolverOutput:
        from core_schema.directory import find_actor  # noqa: PLC0415
        from core_schema.seed.demo import DEMO_PATIENT_IDS, UNIVERSAL_PATIENT_ID  # noqa: PLC0415
        from voice import sessions as voice_store  # noqa: PLC0415
        from voice.service import run_dictation as dictate  # noqa: PLC0415

        engine = self._open()
        universal = sample.notation == "UNIVERSAL"
        email, patient = ("dentist@universal.clinic", UNIVERSAL_PATIENT_ID) if universal else \
            ("dentist@demo.clinic", DEMO_PATIENT_IDS[0])
        with engine.db.system_session() as s:
            who = find_actor(s, email)
        session_id = None
        if sample.context:
            with engine.db.tenant_session(who.tenant_id) as s:
                vs = voice_store.start_or_continue(s, tenant_id=who.tenant_id, user_id=who.user_id, patient_id=patient,
                                                   session_id=None, channel="TEXT" if sample.audio is None else "AUDIO_FILE")
                vs.meta = {"perio_mode": bool(sample.context.get("perio_mode")),
                           "tooth_in_focus": sample.context.get("tooth")}
                session_id = vs.id
        audio = sample.audio.read_bytes() if sample.audio is not None else None
        text = None if audio is not None else _need_text(sample)
        t0 = time.perf_counter()
        out = dictate(engine, who, patient, text=text, audio=audio,
                      audio_format=sample.audio.suffix.lstrip(".") if sample.audio else "wav", session_id=session_id)
        total = (time.perf_counter() - t0) * 1000
        if out.get("error"):
            raise RuntimeError(f"workflow run {out['run_id']} failed: {out['error']}")
        latency = {"workflow": total}
        asr = out.get("asr") or {}
        if asr.get("asr_ms") is not None:
            latency["asr"] = float(asr["asr_ms"])
            self._models.setdefault("asr", asr.get("model"))
        predicted = {"kind": out.get("kind"), "proposals": out.get("proposals") or [], "clarify": out.get("clarify"),
                     "approval_ids": out.get("approval_ids"), "status": out.get("status")}
        return SolverOutput(predicted, out.get("transcript"), latency, asr=audio is not None)


def build_solvers(names: list[str], *, llm: LLMSettings | None = None, audio: AudioSettings | None = None) -> list[Any]:
    """Solvers by name, in the order given (``rules,llm`` -> two columns side by side)."""
    out: list[Any] = []
    transcriber = None
    for raw in names:
        name = raw.strip()
        if name == "rules":
            out.append(RulesSolver())
        elif name == "llm":
            out.append(LLMSolver(llm or LLMSettings()))
        elif name in ("asr", "asr+rules", "asr+llm"):
            inner: RulesSolver | LLMSolver = LLMSolver(llm or LLMSettings()) if name == "asr+llm" else RulesSolver()
            solver = AsrSolver(inner, audio or AudioSettings(), transcriber)
            transcriber = solver.transcriber  # one Whisper model for every ASR solver of the run
            out.append(solver)
        elif name == "workflow":
            out.append(WorkflowSolver())
        else:
            raise ValueError(f"unknown solver {name!r}; choose from {', '.join(SOLVER_NAMES)}")
    if len({s.name for s in out}) != len(out):
        raise ValueError("a solver is named twice")
    return out


def run_one(solver: Any, sample: Sample) -> SolverOutput:
    """``solver.solve`` with failures kept as the row's error (type and message, no traceback)."""
    try:
        return solver.solve(sample)
    except Exception as exc:  # noqa: BLE001 - any failure of one row is that row's result
        log.warning("solver %s failed on row %s: %s", solver.name, sample.id, type(exc).__name__)
        log.debug("solver failure", exc_info=True)
        return SolverOutput(None, error=f"{type(exc).__name__}: {exc}")


def _version() -> str:
    try:
        from importlib.metadata import version  # noqa: PLC0415

        return version("dentalagent")
    except Exception:  # noqa: BLE001
        return "unknown"
