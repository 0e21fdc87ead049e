"""What a reviewer sees beside a dictated proposal: the utterance it came from, the words of that
utterance the proposal rests on, and whether its recording can be played.

The words are found by reading the transcript again with the interpreter's own tagger (the
same tokens, numbers and lexicon that made the proposal) and keeping the teeth, surfaces and
labels whose values are the request's own arguments: its teeth anywhere in the utterance, and
its surfaces and label in the clauses (between commas and full stops) that name one of its
teeth, or anywhere when the tooth came from context. Nothing is guessed beyond that: a word
that does not read as one of the request's values is not highlighted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from approvals.schemas import ApprovalOut, ReviewContextOut
from core_schema.directory import tooth_notation
from core_schema.errors import NotFound
from core_schema.models import AgentApprovalRequest, AgentExecution, VoiceRecording, VoiceUtterance
from core_schema.storage import blobs
from core_schema.storage.base import BlobMissing
from voice.interpreter.items import Item
from voice.interpreter.normalize import has_perio_hint, normalise
from voice.interpreter.tagger import tag
from workflows.engine import Engine

AUDIO_TYPES = {"wav": "audio/wav", "webm": "audio/webm", "ogg": "audio/ogg", "oga": "audio/ogg", "mp3": "audio/mpeg",
               "m4a": "audio/mp4", "mp4": "audio/mp4", "flac": "audio/flac"}


def _values(args: Any, keys: frozenset[str]) -> Iterator[Any]:
    """Every value under one of ``keys``, at any depth of the arguments."""
    if isinstance(args, dict):
        for k, v in args.items():
            if k in keys:
                yield v
            yield from _values(v, keys)
    elif isinstance(args, list):
        for v in args:
            yield from _values(v, keys)


def _flat(values: Iterable[Any]) -> set[str]:
    out: set[str] = set()
    for v in values:
        if isinstance(v, list):
            out |= _flat(v)
        elif isinstance(v, dict):
            out |= _flat([v.get("tooth")]) if "tooth" in v else set()
        elif v is not None and not isinstance(v, bool):
            out.add(str(v).strip().upper())
    return out


def _words(args: Any) -> set[str]:
    """Every string value of the arguments, lower case (labels, conditions, procedures)."""
    if isinstance(args, dict):
        return set().union(*(_words(v) for v in args.values())) if args else set()
    if isinstance(args, list):
        return set().union(*(_words(v) for v in args)) if args else set()
    return {args.strip().lower()} if isinstance(args, str) else set()


def _label_names(item: Item) -> set[str]:
    label = item.value
    names = {getattr(label, k, None) for k in ("find", "plan", "dx")}
    return {str(n).lstrip("?").lower() for n in names if n}


def highlights(transcript: str, arguments: Any, notation: str = "FDI") -> list[list[int]]:
    """``[start, end]`` character spans of ``transcript`` naming the request's teeth, surfaces and label."""
    teeth = _flat(_values(arguments, frozenset({"tooth", "tooth_number", "teeth"})))
    surfaces = _flat(_values(arguments, frozenset({"surfaces", "surface"})))
    words = _words(arguments)
    if not transcript or not (teeth or surfaces or words):
        return []
    toks = normalise(transcript, has_perio_hint(transcript))
    items = tag(toks, notation, has_perio_hint(transcript))
    clauses: list[list[Item]] = [[]]
    for it in items:
        if it.kind in ("soft", "hard"):
            clauses.append([])
        else:
            clauses[-1].append(it)

    def span(it: Item) -> list[int]:
        return [toks[it.i].start, toks[it.j - 1].end]

    def names_tooth(it: Item) -> bool:
        return it.kind == "teeth" and bool({str(t).upper() for t in (it.value or [])} & teeth)

    said = [c for c in clauses if any(names_tooth(it) for it in c)]
    out: list[list[int]] = []
    for clause in said or clauses:
        for it in clause:
            if names_tooth(it) \
                    or (it.kind == "surf" and surfaces and set(map(str, it.value or [])) <= surfaces) \
                    or (it.kind == "label" and _label_names(it) & words):
                out.append(span(it))
    return sorted(out)


def _utterance_ids(s: Any, execution_ids: set[uuid.UUID]) -> dict[str, uuid.UUID]:
    """Run id -> its dictated utterance (voice-to-chart runs keep it in their state)."""
    out: dict[str, uuid.UUID] = {}
    if not execution_ids:
        return out
    for run_id, state in s.execute(select(AgentExecution.id, AgentExecution.state_snapshot)
                                   .where(AgentExecution.id.in_(execution_ids))):
        utterance = (state or {}).get("voice_utterance_id")
        if utterance:
            out[str(run_id)] = uuid.UUID(str(utterance))
    return out


def with_context(engine: Engine, tenant_id: uuid.UUID, items: list[ApprovalOut]) -> list[ApprovalOut]:
    """The requests, each dictated one with ``context`` (transcript, highlights, recording)."""
    if not items:
        return items
    with engine.db.tenant_session(tenant_id) as s:
        by_run = _utterance_ids(s, {uuid.UUID(i.execution_id) for i in items})
        ids = set(by_run.values())
        utterances = {u.id: u for u in s.scalars(select(VoiceUtterance).where(VoiceUtterance.id.in_(ids)))} if ids else {}
        recorded = set(s.scalars(select(VoiceRecording.utterance_id).where(VoiceRecording.utterance_id.in_(ids)))) if ids else set()
        notation = tooth_notation(s, tenant_id)
        for item in items:
            utterance_id = by_run.get(item.execution_id)
            u = utterances.get(utterance_id) if utterance_id else None
            if u is None or not u.transcript:
                continue
            item.context = ReviewContextOut(
                utterance_id=str(u.id), transcript=u.transcript,
                highlights=highlights(u.transcript, item.arguments, notation),
                recording_url=f"/api/v1/approvals/{item.id}/recording" if u.id in recorded else None)
    return items


def recording(engine: Engine, tenant_id: uuid.UUID, approval_id: uuid.UUID) -> tuple[Iterator[bytes], str]:
    """The recording of the utterance a request was dictated in: (chunks, media type), after the
    clinic's check; ``NotFound`` for another clinic's request, or one with no recording."""
    with engine.db.tenant_session(tenant_id) as s:
        req = s.get(AgentApprovalRequest, approval_id)
        if req is None or req.tenant_id != tenant_id:
            raise NotFound(f"approval request {approval_id} not found")
        utterance = _utterance_ids(s, {req.execution_id}).get(str(req.execution_id))
        rec = s.scalars(select(VoiceRecording).where(VoiceRecording.utterance_id == utterance, VoiceRecording.tenant_id == tenant_id)
                        .order_by(VoiceRecording.created_at.desc()).limit(1)).first() if utterance else None
        if rec is None:
            raise NotFound(f"approval request {approval_id} has no recording")
        ref, fmt = rec.audio_uri, rec.format
    try:
        chunks = blobs.stream(tenant_id, ref)
    except BlobMissing:
        raise NotFound(f"the recording of approval request {approval_id} is missing from storage") from None
    return chunks, AUDIO_TYPES.get(fmt.lower().lstrip("."), "application/octet-stream")


def run_transcript(engine: Engine, tenant_id: uuid.UUID, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """What was said in a run, read from the utterance rows when a page asks (never kept in the
    run's state or traces, which hold only ids): a dictation's utterance, or every utterance of
    the exam session a run was proposed from, in the order spoken."""
    with engine.db.tenant_session(tenant_id) as s:
        run = s.get(AgentExecution, run_id)
        if run is None:
            return []
        utterance = _utterance_ids(s, {run_id}).get(str(run_id))
        query = select(VoiceUtterance)
        if utterance is not None:
            query = query.where(VoiceUtterance.id == utterance)
        elif run.voice_session_id is not None:
            query = query.where(VoiceUtterance.session_id == run.voice_session_id, VoiceUtterance.is_final.is_(True))
        else:
            return []
        return [{"id": str(u.id), "seq": u.sequence_no, "speaker": u.speaker, "text": u.transcript or "",
                 "at": u.created_at.isoformat()}
                for u in s.scalars(query.order_by(VoiceUtterance.sequence_no, VoiceUtterance.created_at)) if u.transcript]
