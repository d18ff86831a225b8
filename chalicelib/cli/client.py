"""HTTP client of the admin API for the CLI, with the signed-in session kept on disk."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

DEFAULT_API = "http://127.0.0.1:8000"


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        message = body.get("message") if isinstance(body, dict) else str(body)
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.body = body


def config_dir() -> Path:
    base = os.environ.get("PHOTOJOBS_CONFIG_DIR") or Path.home() / ".config" / "photojobs"
    return Path(base)


@dataclass
class SessionStore:
    """Tokens per API address in ``~/.config/photojobs/session.json`` (mode 0600)."""

    path: Path

    @classmethod
    def default(cls) -> SessionStore:
        return cls(config_dir() / "session.json")

    def _all(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.path.read_text()))
        except (FileNotFoundError, ValueError):
            return {}

    def load(self, api: str) -> dict[str, Any] | None:
        return self._all().get(api)

    def last_api(self) -> str | None:
        return self._all().get("_last_api")

    def save(self, api: str, tokens: dict[str, Any]) -> None:
        data = self._all()
        data[api] = tokens
        data["_last_api"] = api
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle)

    def forget(self, api: str) -> None:
        data = self._all()
        data.pop(api, None)
        if self.path.exists():
            self.save_all(data)

    def save_all(self, data: dict[str, Any]) -> None:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle)


class ApiClient:
    def __init__(self, api: str, store: SessionStore, session: requests.Session | None = None):
        self.api = api.rstrip("/")
        self.store = store
        self.http = session or requests.Session()

    def login(self, email: str, password: str) -> dict[str, Any]:
        tokens = self._send("POST", "/api/auth/login", {"email": email, "password": password})
        self.store.save(self.api, tokens)
        return tokens

    def call(self, method: str, path: str, body: Any = None, params: dict | None = None) -> Any:
        """An authenticated call; refreshes the ID token once when it has expired."""
        tokens = self.store.load(self.api)
        if not tokens:
            raise ApiError(401, {"message": "not signed in: run 'photojobs login' first"})
        try:
            return self._send(method, path, body, params, tokens["id_token"])
        except ApiError as exc:
            if exc.status != 401 or not tokens.get("refresh_token"):
                raise
            fresh = self._send(
                "POST", "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}
            )
            fresh["refresh_token"] = fresh.get("refresh_token") or tokens["refresh_token"]
            self.store.save(self.api, fresh)
            return self._send(method, path, body, params, fresh["id_token"])

    def all_pages(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The items of every page of a listing (100 a page)."""
        query: dict[str, Any] = {"limit": 100, **(params or {})}
        items: list[dict[str, Any]] = []
        while True:
            page = self.call("GET", path, params=query)
            items.extend(page["items"])
            if not page["cursor"]:
                return items
            query["cursor"] = page["cursor"]

    def _send(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict | None = None,
        token: str | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.http.request(
                method, self.api + path, json=body, params=params, headers=headers, timeout=30
            )
        except requests.ConnectionError as exc:
            raise ApiError(0, {"message": f"cannot reach the API at {self.api}"}) from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {"message": response.text[:200]}
        if response.status_code >= 400:
            raise ApiError(response.status_code, payload)
        return payload
