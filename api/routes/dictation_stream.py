"""``WS /api/v1/dictations/stream``: live dictation from the browser microphone.

The protocol (ready, partial, speech_end, final, result, error) is the web app's contract.
With the ``session_id`` of an exam the socket stays open for the whole exam (16-bit PCM): each
utterance the VAD cuts is dictated into the exam and answered, "pause"/"resume" (the pedal) and
"finish" come as text frames, and the exam's ``finished`` object closes it.
Audio is only buffered and previewed here; when the VAD hears the end of speech (or the
clinician presses stop) the whole utterance goes to the same ``dictate`` service as an upload,
so the recording is stored and the run transcribes it in the worker queue. Nothing is written
before that point: a cancelled or dropped socket leaves no trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import MutableMapping
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from api.auth.principal import Principal
from api.auth.websocket import websocket_principal
from api.routes.patients import require_patient
from core_schema.errors import DomainError
from core_schema.rows import present
from core_schema.settings import get_settings
from runtime.process import get_engine
from voice.asr.errors import AudioError
from voice.asr.streaming import Activity, LiveAudio, PartialSchedule, transcribe_partial
from voice.exam import service as exam_service
from voice.service import dictate

router = APIRouter(tags=["dictations"])
log = logging.getLogger("dentalagent.api.live")

IDLE_TIMEOUT_S = 15.0  # no frame for this long: the client is gone or stuck
INBOX_FRAMES = 64  # frames received but not yet looked at
POLICY_CLOSE, ERROR_CLOSE = 1008, 1011
EXAM_COMMANDS = ("pause", "resume", "finish")
EXAM_PRE_SPEECH_S = 1.0  # an exam's open microphone keeps this much audio before speech starts


class _Refused(Exception):
    """End the socket with an ``error`` message."""

    def __init__(self, code: str, message: str, close_code: int = ERROR_CLOSE) -> None:
        super().__init__(message)
        self.code, self.message, self.close_code = code, message, close_code


def _uuid(value: str | None, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise _Refused("invalid_request", f"{what} must be a UUID") from None


def _transcriber(tenant_id: uuid.UUID) -> Any:
    from voice.service import tenant_transcriber

    return tenant_transcriber(tenant_id)


class LiveDictation:
    """One socket's dictation: receive audio, preview it, then hand the utterance to ``dictate``."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self._send_lock = asyncio.Lock()
        # Bounded: a client that floods while its utterance is being processed is slowed down, not buffered.
        self._inbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue(maxsize=INBOX_FRAMES)
        self.schedule = PartialSchedule()
        self._partial: asyncio.Task[None] | None = None
        self._warm: asyncio.Future[Any] | None = None
        self._transcriber: Any = None
        self._tenant: uuid.UUID | None = None
        self._ended = False  # speech_end sent: no more partials
        self._paused = False  # an exam paused by voice, the pedal or a button: audio is dropped

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.ws.send_json(message)

    async def run(self) -> None:
        reader = asyncio.ensure_future(self._read())
        try:
            await self._serve()
        except _Refused as exc:
            await self._refuse(exc)
        except WebSocketDisconnect:
            pass
        except Exception:
            log.exception("live dictation failed")
            await self._refuse(_Refused("internal", "internal error"))
        finally:
            reader.cancel()
            for task in (self._partial, self._warm):
                if task is not None:
                    task.cancel()

    async def _refuse(self, exc: _Refused) -> None:
        if self.ws.application_state != WebSocketState.CONNECTED:
            return
        try:
            await self.send({"type": "error", "error": exc.message, "code": exc.code})
            await self.ws.close(exc.close_code)
        except Exception:  # the client is already gone: nobody to tell
            pass

    async def _read(self) -> None:
        """Move every frame to the inbox (a queue can be waited on with a timeout; a socket cannot)."""
        try:
            while True:
                message = await self.ws.receive()
                await self._inbox.put(message)
                if message["type"] == "websocket.disconnect":
                    return
        except Exception:  # the socket is closed or broken: the main loop sees a disconnect
            await self._inbox.put({"type": "websocket.disconnect"})

    async def _open(self) -> tuple[Principal, uuid.UUID, uuid.UUID | None, LiveAudio]:
        """Who, for which patient, with which audio: refused before anything is received."""
        try:
            p = await run_in_threadpool(websocket_principal, self.ws)
            p.require("voice:dictate")
        except DomainError as exc:
            raise _Refused(exc.code, exc.message, POLICY_CLOSE) from None
        params = self.ws.query_params
        patient_id = _uuid(params.get("patient_id"), "patient_id")
        session_id = _uuid(params["session_id"], "session_id") if params.get("session_id") else None
        try:
            await run_in_threadpool(require_patient, p.tenant_id, patient_id)
        except DomainError as exc:
            raise _Refused(exc.code, exc.message, POLICY_CLOSE) from None
        settings = get_settings()
        try:
            rate = int(params.get("sample_rate", "16000"))
        except ValueError:
            raise _Refused("invalid_request", "sample_rate must be a whole number of Hz") from None
        try:
            audio = LiveAudio(params.get("format", "webm"), sample_rate=rate,  # type: ignore[arg-type]  # the format is checked by LiveAudio (unsupported_format)
                              max_bytes=settings.max_audio_bytes, max_seconds=settings.max_audio_seconds)
        except AudioError as exc:
            raise _Refused("invalid_request", exc.message) from None
        return p, patient_id, session_id, audio

    async def _serve(self) -> None:
        p, patient_id, session_id, audio = await self._open()
        self._tenant = p.tenant_id
        exam = await run_in_threadpool(exam_service.state_of, get_engine(), p.tenant_id, session_id) if session_id else None
        if exam is not None and session_id is not None:
            await self._exam(p, patient_id, session_id, audio)
            return
        await self.send({"type": "ready"})
        self._warm = asyncio.ensure_future(run_in_threadpool(_transcriber, p.tenant_id))  # model ready for the first preview
        reason = await self._listen(audio)
        if reason is None:
            return  # cancelled or gone: nothing written
        self._ended = True  # a preview still running is dropped: the final transcript is on its way
        await self.send({"type": "speech_end", "reason": reason})
        if audio.nbytes == 0:
            raise _Refused("empty", "Nothing was recorded: check that the microphone is connected.")
        recording, fmt = audio.recording()
        result = await self._dictate(p, patient_id, session_id, recording, fmt)
        await self.send({"type": "final", "text": result.get("transcript") or ""})
        await self.send({"type": "result", "result": jsonable_encoder(result)})
        await self.ws.close(1000)

    async def _exam(self, p: Principal, patient_id: uuid.UUID, session_id: uuid.UUID, audio: LiveAudio) -> None:
        """A whole exam on one socket: every utterance the VAD cuts is dictated into the exam, until "finish"."""
        if audio.fmt != "pcm16":
            raise _Refused("invalid_request", "an exam streams 16-bit PCM audio (format=pcm16): the microphone stays open")
        engine = get_engine()
        view = await run_in_threadpool(exam_service.view, engine, p.actor, session_id)
        self._paused = bool(view["paused"])
        await self.send({"type": "ready", "exam": view})
        self._warm = asyncio.ensure_future(run_in_threadpool(_transcriber, p.tenant_id))
        while True:
            reason = await self._listen(audio, exam_session=session_id, principal=p)
            if reason is None:
                return
            if reason == "finish":
                finished = await run_in_threadpool(self._domain, exam_service.finish, engine, p.actor, session_id)
                await self.send({"type": "finished", "result": jsonable_encoder(finished)})
                await self.ws.close(1000)
                return
            result: dict[str, Any] | None = None
            if audio.speech_seen:
                self._ended = True
                await self.send({"type": "speech_end", "reason": reason})
                recording, fmt = audio.recording()
                try:
                    result = await self._dictate(p, patient_id, session_id, recording, fmt)
                except _Refused as exc:
                    if exc.close_code != ERROR_CLOSE:
                        raise
                    # one unusable utterance (a cough, a clipped word) is said, and the exam goes on
                    await self.send({"type": "error", "error": exc.message, "code": exc.code, "exam_continues": True})
                    result = None
            if audio.speech_seen and result is not None:
                self._paused = bool((result.get("exam") or {}).get("paused"))
                await self.send({"type": "final", "text": result.get("transcript") or ""})
                await self.send({"type": "result", "result": result})
            audio = LiveAudio(audio.fmt, sample_rate=audio.sample_rate, max_bytes=audio.max_bytes, max_seconds=audio.max_seconds)
            self.schedule, self._ended = PartialSchedule(), False

    @staticmethod
    def _domain(fn: Any, *args: Any) -> Any:
        """A service call whose refusal ends the socket with its message."""
        try:
            return fn(*args)
        except DomainError as exc:
            raise _Refused(exc.code, exc.message) from None

    async def _exam_command(self, command: str, session_id: uuid.UUID, p: Principal) -> str | None:
        """The pedal or a button: pause / resume here; "stop" ends the utterance, "finish" the exam."""
        if command in ("pause", "resume"):
            out = await run_in_threadpool(self._domain, exam_service.control, get_engine(), p.actor, session_id, {"action": command})
            self._paused = command == "pause"
            await self.send({"type": "control", "result": jsonable_encoder(out)})
            return None
        return command

    async def _listen(self, audio: LiveAudio, exam_session: uuid.UUID | None = None,
                      principal: Principal | None = None) -> str | None:
        """Receive until the end of speech ("vad"), a stop ("stop"), or None for cancel/disconnect.

        In an exam (``exam_session``) the socket also takes "pause", "resume" and "finish", audio
        heard while paused is dropped, and silence before speech is not kept.
        """
        while True:
            try:
                first = await asyncio.wait_for(self._inbox.get(), IDLE_TIMEOUT_S)
            except asyncio.TimeoutError:
                raise _Refused("timeout", f"no audio for {IDLE_TIMEOUT_S:.0f} s") from None
            batch = [first]
            while not self._inbox.empty():
                batch.append(self._inbox.get_nowait())
            grew = False
            for message in batch:
                if message["type"] == "websocket.disconnect":
                    return None
                if message.get("bytes") is not None:
                    if exam_session is not None and self._paused:
                        continue
                    try:
                        audio.feed(message["bytes"])
                    except AudioError as exc:
                        raise _Refused(exc.code, exc.message) from None
                    grew = True
                elif message.get("text") is not None:
                    command = _command(message["text"], exam=exam_session is not None)
                    if command == "cancel":
                        await self.ws.close(1000)
                        return None
                    if exam_session is not None and principal is not None:
                        ended = await self._exam_command(command, exam_session, principal)
                        if ended is not None:
                            return ended
                        continue
                    return "stop"
            if not grew:
                continue
            try:
                activity = await anyio.to_thread.run_sync(audio.analyse)
            except AudioError as exc:
                raise _Refused(exc.code, exc.message) from None
            if activity.speech_ended:
                return "vad"
            if exam_session is not None:
                audio.forget_silence(EXAM_PRE_SPEECH_S)
            if self.schedule.due(activity):
                self._start_partial(audio, activity)

    def _start_partial(self, audio: LiveAudio, activity: Activity) -> None:
        previous = self.schedule.last_at_s
        self.schedule.started(activity)
        samples = audio.samples()  # replaced, never changed in place: safe to hand to a thread
        tenant_id = self._tenant

        async def preview() -> None:
            try:
                if self._transcriber is None:
                    self._transcriber = await (self._warm or run_in_threadpool(
                        _transcriber, present(tenant_id, "the stream's clinic")))
                text = await anyio.to_thread.run_sync(transcribe_partial, self._transcriber, samples)
                if text is None:
                    self.schedule.last_at_s = previous  # every slot busy: try again at the next chunk
                elif text and not self._ended:
                    await self.send({"type": "partial", "text": text})
            except (WebSocketDisconnect, RuntimeError):
                pass
            except Exception:
                log.exception("partial transcript failed")
            finally:
                self.schedule.finished()

        self._partial = asyncio.ensure_future(preview())

    async def _dictate(self, p: Principal, patient_id: uuid.UUID, session_id: uuid.UUID | None,
                       recording: bytes, fmt: str) -> dict[str, Any]:
        try:
            result = await run_in_threadpool(lambda: dictate(
                get_engine(), p.actor, patient_id, audio=recording, audio_format=fmt, session_id=session_id,
                api_client_id=p.api_client_id))
            return jsonable_encoder(result)
        except AudioError as exc:
            raise _Refused(exc.code, exc.message) from None
        except DomainError as exc:
            raise _Refused(exc.code, exc.message, POLICY_CLOSE if exc.status in (401, 403, 404) else ERROR_CLOSE) from None
        except ValueError as exc:  # an input guard that is not (yet) a DomainError
            raise _Refused("invalid_input", (str(exc).strip().splitlines() or ["invalid input"])[0]) from None


def _command(text: str, exam: bool = False) -> str:
    try:
        command = json.loads(text).get("type")
    except (ValueError, AttributeError):
        command = None
    allowed = ("stop", "cancel", *EXAM_COMMANDS) if exam else ("stop", "cancel")
    if command not in allowed:
        raise _Refused("invalid_message", "text frames must be " + " or ".join(f'{{"type": "{c}"}}' for c in allowed))
    return str(command)


@router.websocket("/dictations/stream")
async def dictation_stream(ws: WebSocket) -> None:
    """Live dictation: audio chunks in; ready, partial, speech_end, final and result out."""
    await ws.accept()
    await LiveDictation(ws).run()
