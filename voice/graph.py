"""``voice-to-chart``: transcribe -> interpret -> resolve -> gate -> approve -> apply -> summarize.

One run per dictation, linked to its voice session. The state carries ids only: the
transcript lives in ``voice_utterances``, the audio in ``voice_recordings``, the proposed
arguments in ``tool_executions``. Tier-1 commands answer at once; the proposals of one
dictation go to the reviewer as one batch.
"""

from __future__ import annotations

import uuid
from datetime import date

from langgraph.graph import START, StateGraph

from approvals.steps import ApprovalState, add_approval_steps
from core_schema.directory import tooth_notation
from core_schema.models import Patient, VoiceRecording, VoiceUtterance
from core_schema.rows import get_row, present
from core_schema.storage import blobs
from memory import habits
from memory.context import ContextItem, ContextWindow, assemble
from memory.context import record as record_window
from memory.writers import repository_for
from tools.executor import Call
from voice import clarify
from voice import sessions as voice_store
from voice.brains import interpret_context, interpret_text, transcriber_for
from voice.exam import listen as exam_listen
from voice.interpreter.llm import _system_prompt, build_tools
from voice.resolver import load_catalog, resolve
from workflows.engine import Engine, NodeContext, WorkflowSpec


class VoiceState(ApprovalState, total=False):
    recording_id: str | None
    interpretation_kind: str


def _utterance_id(state: VoiceState) -> uuid.UUID:
    """The run's dictation (every voice-to-chart run is started with one)."""
    return uuid.UUID(present(state["voice_utterance_id"], "voice_utterance_id"))


def _session_id(state: VoiceState) -> uuid.UUID:
    """The run's voice session (every voice-to-chart run is started in one)."""
    return uuid.UUID(present(state["voice_session_id"], "voice_session_id"))


def build(engine: Engine) -> StateGraph:
    graph = StateGraph(VoiceState)

    @engine.node("transcribe", "LLM_CALL")
    def transcribe(state: VoiceState, ctx: NodeContext) -> VoiceState:
        tenant = uuid.UUID(state["tenant_id"])
        with engine.db.tenant_session(tenant) as s:
            rec = get_row(s, VoiceRecording, uuid.UUID(present(state["recording_id"], "recording_id")))
            audio_ref = rec.audio_uri
            transcriber = transcriber_for(s, tenant)
        # The clinic's biasing prompt, plus the words this clinician's corrections taught.
        learned = habits.habits_of(repository_for(engine.db), tenant, uuid.UUID(state["user_id"]))
        base = transcriber.vocabulary.initial_prompt if transcriber.bias and transcriber.vocabulary else None
        prompt, window = habits.biasing_prompt(base, learned)
        # from the object store: the process that took the dictation may be on another host
        result = transcriber.transcribe(blobs.read(tenant, audio_ref), **({"initial_prompt": prompt} if prompt != base else {}))
        step_id = ctx.step_id if learned and base is not None else None
        with engine.db.tenant_session(tenant) as s:
            if step_id is not None:  # the biasing prompt that used memory, in tokens
                record_window(s, uuid.UUID(state["execution_id"]), step_id, window)
            utterance = get_row(s, VoiceUtterance, _utterance_id(state))
            utterance.transcript, utterance.is_final = result.text, True
            utterance.entities = {**(utterance.entities or {}), "asr": {
                "model": result.model, "device": result.device, "asr_ms": round(result.asr_ms, 1),
                "latency_ms": round(result.latency_ms, 1), "duration_s": round(result.duration_s, 3),
                # the close readings and word probabilities the interpreter weighs for doubt
                "hypotheses": [{"text": h.text, "score": round(h.score, 4)} for h in getattr(result, "hypotheses", ())],
                "words": [{"word": w.word, "p": round(w.probability, 3)} for w in getattr(result, "words", ())]}}
        ctx.record_llm("LOCAL", result.model, 0, 0)
        return {}

    @engine.node("interpret", "DECISION")
    def interpret(state: VoiceState, ctx: NodeContext) -> VoiceState:
        tenant = uuid.UUID(state["tenant_id"])
        with engine.db.tenant_session(tenant) as s:
            utterance = get_row(s, VoiceUtterance, _utterance_id(state))
            context = voice_store.session_context(s, _session_id(state))
            notation = tooth_notation(s, tenant)
            text = utterance.transcript or ""
            heard = (utterance.entities or {}).get("asr") or {}
            patient = s.get(Patient, uuid.UUID(state["patient_id"])) if state.get("patient_id") else None
            age = clarify.age_on(patient.dob if patient else None, date.today())
        # The answer to the question asked last time completes that utterance ("which tooth?" - "eleven").
        answer = clarify.answered(context.get("clarify"), text)
        said = text if answer is None else answer
        result, model_call = interpret_text(said, notation, interpret_context(context), heard if answer is None else None)
        result = clarify.fit_to_patient(result, age)
        window = None
        if model_call:
            ctx.record_llm(model_call["provider"], model_call["model"], int(model_call.get("prompt_tokens", 0)),
                           int(model_call.get("completion_tokens", 0)))
            utterance_id = present(state["voice_utterance_id"], "voice_utterance_id")
            window, step_id = _llm_window(text, notation, context, utterance_id), ctx.step_id
        with engine.db.tenant_session(tenant) as s:
            if window is not None:  # what the model call saw, in tokens
                record_window(s, uuid.UUID(state["execution_id"]), step_id, window)
            utterance = get_row(s, VoiceUtterance, _utterance_id(state))
            utterance.normalized_transcript = result.get("normalized") or text.lower()
            utterance.intent = result["kind"] if result["kind"] != "proposal" else result["proposals"][0]["command"]
            utterance.entities = {**(utterance.entities or {}), "interpretation": {k: v for k, v in result.items() if k != "transcript"},
                                  **({"answered": said} if answer is not None else {})}
            voice_store.keep_question(s, _session_id(state), clarify.pending(result, said))
        return {"interpretation_kind": result["kind"]}

    @engine.node("resolve", "DECISION")
    def resolve_node(state: VoiceState, ctx: NodeContext) -> VoiceState:
        """Commands -> tool calls; a call its tool would refuse becomes a problem, never a proposal."""
        tenant, patient = uuid.UUID(state["tenant_id"]), uuid.UUID(state["patient_id"])
        encounter = uuid.UUID(state["encounter_id"]) if state.get("encounter_id") else None
        proposed = engine.executor.recorded_calls(tenant, f"{state['execution_id']}:")
        if proposed:  # resolved before its worker died: keep what was proposed (a reviewer may have decided it)
            return {"tool_execution_ids": [str(i) for i in proposed]}
        with engine.db.tenant_session(tenant) as s:
            utterance = get_row(s, VoiceUtterance, _utterance_id(state))
            interpretation = present(utterance.entities, "the interpreted utterance's entities")["interpretation"]
            # An exam keeps perio values in its grid (one approval at the end) and ignores speech while paused.
            interpretation, in_exam = exam_listen.take(s, _session_id(state), interpretation, str(utterance.id))
            resolution = resolve(interpretation, session=s, catalog=load_catalog(s, tenant), patient_id=patient, encounter_id=encounter)
        learned = habits.habits_of(repository_for(engine.db), tenant, uuid.UUID(state["user_id"]))
        shaped: dict[int, list[str]] = {}  # what the clinician's corrections changed, by call
        for c in resolution.calls:
            c.args, used = habits.apply(learned, c.tool, c.args)
            if used:
                shaped[id(c)] = [str(u) for u in used]
        calls = [
            (c, Call(
                tool=c.tool, args=c.args, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]),
                idempotency_key=f"{state['execution_id']}:{i}", step_id=ctx.step_id,
                api_client_id=uuid.UUID(state["api_client_id"]) if state.get("api_client_id") else None,
                voice_session_id=_session_id(state) if state.get("voice_session_id") else None,
            ))
            for i, c in enumerate(resolution.calls)
        ]
        problems, valid = list(resolution.problems), []
        for c, call in calls:  # dry run: nobody is asked to approve what the tool would refuse
            refused = engine.executor.validate(call)
            if refused:
                problems.append(f"{c.command}: {refused}")
            else:
                valid.append((c, call))
        with engine.db.tenant_session(tenant) as s:
            if learned:  # the memory recall this proposal was shaped with
                record_window(s, uuid.UUID(state["execution_id"]), ctx.step_id, assemble(
                    [ContextItem.of("memory", m.id, m.content, importance=m.importance) for m, _ in learned],
                    HABIT_CONTEXT_TOKENS))
            utterance = get_row(s, VoiceUtterance, _utterance_id(state))
            utterance.entities = {**present(utterance.entities, "the interpreted utterance's entities"), "problems": problems,
                                  **({"exam": in_exam} if in_exam is not None else {}),
                                  "calls": [{"proposal": c.proposal_index, "tool": c.tool,
                                             **({"habit_memory_ids": shaped[id(c)]} if id(c) in shaped else {})}
                                            for c, _ in valid]}
            voice_store.update_context(s, _session_id(state), resolution.focus)
        ids = [str(engine.executor.record_pending(call)) for _, call in valid]
        proposals = interpretation.get("proposals") or []
        doubtful = {t: sorted({d["slot"] for d in proposals[c.proposal_index].get("doubt") or []})
                    for (c, _), t in zip(valid, ids, strict=True)
                    if c.proposal_index < len(proposals) and proposals[c.proposal_index].get("doubt")}
        return {"tool_execution_ids": ids,
                "habit_memories_by_id": {t: shaped[id(c)] for (c, _), t in zip(valid, ids, strict=True) if id(c) in shaped},
                "doubtful_slots_by_id": doubtful}  # slot names only: what was heard stays in the utterance row

    def start_route(state: VoiceState) -> str:
        return "transcribe" if state.get("recording_id") else "interpret"

    def after_resolve(state: VoiceState) -> str:
        return "gate" if state.get("tool_execution_ids") else "summarize"

    graph.add_node("transcribe", transcribe)
    graph.add_node("interpret", interpret)
    graph.add_node("resolve", resolve_node)
    add_approval_steps(graph, engine)
    graph.add_conditional_edges(START, start_route, ["transcribe", "interpret"])
    graph.add_edge("transcribe", "interpret")
    graph.add_edge("interpret", "resolve")
    graph.add_conditional_edges("resolve", engine.route(after_resolve), ["gate", "summarize"])
    return graph


HABIT_CONTEXT_TOKENS = 2000


def _llm_window(text: str, notation: str, context: dict, utterance_id: str) -> ContextWindow:
    """The LLM interpreter's context (system prompt, command schemas, the utterance) in tokens."""
    import json
    import os

    ictx = interpret_context(context)
    return assemble([
        ContextItem.of("system_prompt", "interpreter.system_prompt", _system_prompt(notation, ictx), required=True),
        ContextItem.of("tool_schemas", "interpreter.commands", json.dumps(build_tools()), required=True),
        ContextItem.of("utterance", utterance_id, text, required=True),
    ], int(os.environ.get("DENTALAGENT_LLM_CONTEXT_TOKENS", "8192")))


SPEC = WorkflowSpec(
    name="voice-to-chart",
    description="Dictation to proposed chart changes, approved by a reviewer and applied.",
    workflow_type="CONVERSATIONAL",
    build=build,
)
