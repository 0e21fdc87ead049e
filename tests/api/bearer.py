"""Bearer headers for API tests: a demo user's (password sign-in) and the voice-agent client's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core_schema.seed.demo import DEMO_PASSWORD, VOICE_AGENT_CLIENT_ID, VOICE_AGENT_SECRET


def user_bearer(http: TestClient, email: str = "dentist@demo.clinic") -> dict[str, str]:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    http.cookies.clear()  # bearer only: the cookie would need a CSRF header for changes
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def voice_agent_bearer(http: TestClient) -> dict[str, str]:
    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                              "client_secret": VOICE_AGENT_SECRET})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
