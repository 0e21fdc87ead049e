"""Input limits at the edge (issue 17): body caps before a body is read, pixel bombs refused
with the error shape, proxy headers believed only from configured proxies, and the web app's
security headers. The body caps are checked on a real uvicorn server over raw sockets, since
what matters is that the server answers before it has the body."""

from __future__ import annotations

import hashlib
import json
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.edge import body_limit, server_options
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS
from core_schema.settings import get_settings
from tests.api.bearer import user_bearer
from tests.imaging.bombs import png_bomb

MIB = 1024 * 1024


def _serve(app: Any, **options: Any) -> tuple[uvicorn.Server, threading.Thread, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    return server, thread, sock.getsockname()[1]


@pytest.fixture(scope="module")
def port(app) -> Iterator[int]:
    """The app on a real loopback server, run with the options ``serve`` uses."""
    server, thread, number = _serve(app, **server_options())
    yield number
    server.should_exit = True
    thread.join(timeout=10)


def exchange(port: int, head: str, chunks: Iterable[bytes], timeout_s: float = 10.0) -> tuple[int, dict[str, Any], int]:
    """Send a request head, then body chunks until the server answers (or hangs up).

    Returns the status, the JSON body and how many body bytes were sent before the answer.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(head.encode("latin-1"))
        sent = 0
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # an answer (or a hang-up) is waiting: stop sending
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += len(chunk)
        data = b""
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                data += part
                head_end = data.find(b"\r\n\r\n")
                if head_end >= 0:
                    length = next((int(line.split(b":", 1)[1]) for line in data[:head_end].split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), None)
                    if length is not None and len(data) >= head_end + 4 + length:
                        break
        except socket.timeout:
            pytest.fail(f"no answer within {timeout_s} s: the server is waiting for the whole body")
        except ConnectionResetError:
            pass
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1])
    return status, json.loads(body or b"null"), sent


def _head(path: str, headers: dict[str, str]) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return "\r\n".join(lines) + "\r\n\r\n"


def _chunked(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    piece = b" " * size
    for _ in range(total // size):
        yield f"{size:x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def _assert_too_large(status: int, body: Any) -> None:
    assert status == 413, body
    assert body["code"] == "too_large" and "over the limit" in body["error"], body


def test_declared_oversized_sign_in_body_is_refused_before_it_is_read(port) -> None:
    """100 MB announced, one byte sent: an unauthenticated caller gets 413 at once, nothing is read."""
    # A server that waited for the announced body would never answer: the socket timeout is the bound.
    status, body, _ = exchange(port, _head("/auth/login", {"Content-Type": "application/json",
                                                          "Content-Length": str(100 * MIB)}), [b"{"], timeout_s=30)
    _assert_too_large(status, body)
    status, body, _ = exchange(port, _head("/api/v1/auth/login", {"Content-Type": "application/json",
                                                                 "Content-Length": str(get_settings().max_body_bytes + 1)}),
                               [b"{"], timeout_s=5)
    _assert_too_large(status, body)


def test_chunked_sign_in_body_is_stopped_at_the_cap(port) -> None:
    """No Content-Length: the bytes are counted as they stream, and the answer comes at the cap."""
    total = 64 * MIB
    status, body, sent = exchange(port, _head("/auth/login", {"Content-Type": "application/json",
                                                             "Transfer-Encoding": "chunked"}), _chunked(total))
    _assert_too_large(status, body)
    assert sent < total // 4, f"{sent} bytes went in before the answer"


def test_dictation_bodies_have_their_caps(port, http) -> None:
    headers = user_bearer(http)
    # an audio upload may be 20 MB, but not 200 MB: refused on the announcement
    status, body, _ = exchange(port, _head("/api/v1/dictations", {
        **headers, "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(200 * MIB)}), [b"--x"],
        timeout_s=5)
    _assert_too_large(status, body)
    cap = body_limit("/api/v1/dictations", "multipart/form-data; boundary=x")
    assert get_settings().max_audio_bytes < cap < 200 * MIB and str(cap) in body["error"]
    # a JSON dictation is a JSON body: capped at max_body_bytes, not at the audio cap
    text = "caries on 36 occlusal " * (2 * MIB // 22)
    response = http.post("/api/v1/dictations", headers=headers,
                         json={"patient_id": str(DEMO_PATIENT_IDS[0]), "text": text})
    assert response.status_code == 413 and response.json()["code"] == "too_large", response.text
    # an image upload's own cap is larger: 2 MiB of not-an-image reaches the route, which says what it is
    response = _upload(http, headers, b"\0" * (2 * MIB))
    assert response.status_code == 422 and response.json()["code"] == "not_an_image", response.text


def _upload(client: TestClient, headers: dict[str, str], image: bytes) -> Any:
    """A radiograph upload with a vendor findings file made for it (the demo clinic's model imports them)."""
    findings = {"model": {"name": "AcmeVision", "version": "3.2"}, "image_sha256": hashlib.sha256(image).hexdigest(),
                "findings": []}
    return client.post("/api/v1/imaging/reviews", headers=headers, data={"patient_id": str(DEMO_PATIENT_IDS[0])},
                       files={"file": ("radiograph.png", image, "image/png"),
                              "findings": ("findings.json", json.dumps(findings).encode(), "application/json")})


def test_pixel_bomb_radiograph_is_refused_with_the_error_shape(app) -> None:
    bomb = png_bomb(20000)
    assert len(bomb) < 500_000
    client = TestClient(app, raise_server_exceptions=False)  # a 500 must show as a 500, not as an exception
    headers = user_bearer(client)
    response = _upload(client, headers, bomb)
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["code"] == "too_large" and "too large in pixels" in body["error"], body


def _login_statuses(port: int, forwarded_for: Iterable[str], account: str) -> list[int]:
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        return [client.post("/auth/login", json={"email": account, "password": "wrong"},
                            headers={"X-Forwarded-For": address}).status_code for address in forwarded_for]


def _serve_like_the_cli(monkeypatch, proxies: str | None) -> tuple[Any, dict[str, Any]]:
    """Run the ``serve`` command with uvicorn.run captured: the app and the options it starts uvicorn with."""
    import signal

    from api.cli.platform_commands import serve

    if proxies is None:
        monkeypatch.delenv("DENTALAGENT_TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("DENTALAGENT_TRUSTED_PROXIES", proxies)
    get_settings.cache_clear()
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: captured.update(app=app, **options))
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    serve(host=None, port=None, worker=False)
    app = captured.pop("app")
    for key in ("host", "port", "log_level"):
        captured.pop(key)
    return app, captured


@pytest.fixture
def settings_restored() -> Iterator[None]:
    yield
    get_settings.cache_clear()  # after monkeypatch put the environment back (fixture order: this one first)


@pytest.mark.parametrize("proxies", [None, "10.0.0.0/8"])
def test_forwarded_for_from_an_untrusted_peer_does_not_reset_the_sign_in_throttle(settings_restored, monkeypatch,
                                                                                  proxies) -> None:
    app, options = _serve_like_the_cli(monkeypatch, proxies)
    server, thread, number = _serve(app, **options)
    try:
        account = f"nobody-{uuid.uuid4().hex[:8]}@demo.clinic"
        attempts = get_settings().login_attempts
        statuses = _login_statuses(number, (f"203.0.113.{i}" for i in range(attempts + 2)), account)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    # the peer is loopback whatever the header says: the throttle counts it as one caller
    assert statuses == [401] * attempts + [429, 429], statuses


def test_forwarded_for_from_a_trusted_proxy_is_honoured(settings_restored, monkeypatch) -> None:
    app, options = _serve_like_the_cli(monkeypatch, "127.0.0.1, ::1")
    assert options["proxy_headers"] is True
    server, thread, number = _serve(app, **options)
    try:
        account = f"nobody-{uuid.uuid4().hex[:8]}@demo.clinic"
        attempts = get_settings().login_attempts
        rotating = _login_statuses(number, (f"198.51.100.{i}" for i in range(attempts + 2)), account)
        same = _login_statuses(number, ["192.0.2.7"] * (attempts + 1), account)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert rotating == [401] * (attempts + 2), rotating  # behind the proxy, each client is its own caller
    assert same == [401] * attempts + [429], same  # and one client behind it is still throttled


def test_trusted_proxies_setting_is_checked(monkeypatch) -> None:
    from pydantic import ValidationError

    from core_schema.settings import Settings

    monkeypatch.setenv("DENTALAGENT_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16, fd00::/8")
    assert Settings().trusted_proxy_list == ["10.0.0.1", "192.168.0.0/16", "fd00::/8"]
    monkeypatch.setenv("DENTALAGENT_TRUSTED_PROXIES", "10.0.0.1, proxy.example")
    with pytest.raises(ValidationError, match="proxy.example"):
        Settings()
    monkeypatch.delenv("DENTALAGENT_TRUSTED_PROXIES")
    assert server_options(Settings()) == {"proxy_headers": False}


def test_html_pages_carry_a_content_security_policy(app) -> None:
    client = TestClient(app)
    signin = client.get("/signin")
    assert signin.status_code == 200 and signin.headers["content-type"].startswith("text/html")
    policy = signin.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "'self'" in directives["connect-src"] and "ws://testserver" in directives["connect-src"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert signin.headers["x-content-type-options"] == "nosniff"
    assert signin.headers["x-frame-options"] == "DENY"
    assert signin.headers["referrer-policy"] == "same-origin"
    assert client.post("/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD}).status_code == 200
    for path in ("/patients", f"/patients/{DEMO_PATIENT_IDS[0]}", "/inbox", "/runs"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-security-policy"] == policy, path
    api = client.get("/healthz")  # JSON: the companions, no page policy needed
    assert api.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in api.headers
    assert "content-security-policy" not in client.get("/docs").headers  # Swagger UI's own inline script
    # a Host header is echoed into connect-src only when it is a plain host[:port]
    odd = client.get("/signin", headers={"host": "evil; script-src *"}).headers["content-security-policy"]
    assert "evil" not in odd and "script-src 'self'" in odd
