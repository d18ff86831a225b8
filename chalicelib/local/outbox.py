"""The local outbox: emails and SMS that were "sent" to the local AWS endpoint.

moto keeps what SES and SNS accepted and shows it at ``GET /moto-api/data.json`` (every model
instance moto tracks, by service: ``ses.Message`` has the source, destinations, subject and the
HTML body; ``sns.SMS`` the number and text). A reset of the endpoint empties it.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OutboxEmail:
    message_id: str
    source: str
    to: tuple[str, ...]
    subject: str
    body: str  # the HTML part when the email had one


@dataclass(frozen=True)
class OutboxSms:
    message_id: str
    phone_number: str
    text: str


@dataclass(frozen=True)
class Outbox:
    emails: tuple[OutboxEmail, ...]
    sms: tuple[OutboxSms, ...]

    def emails_to(self, address: str) -> list[OutboxEmail]:
        return [e for e in self.emails if address in e.to]

    def write_html(self, folder: Path) -> list[Path]:
        """Write each email's HTML to ``folder`` (``NNN-<recipient>.html``); returns the files."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for number, email in enumerate(self.emails, start=1):
            name = _UNSAFE.sub("_", email.to[0] if email.to else "nobody")
            path = folder / f"{number:03d}-{name}.html"
            path.write_text(email.body, encoding="utf-8")
            written.append(path)
        return written


def read_outbox(endpoint_url: str, *, timeout: float = 30) -> Outbox:
    """What the local endpoint at ``endpoint_url`` accepted for delivery, oldest first."""
    url = endpoint_url.rstrip("/") + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - local endpoint
        data: dict[str, Any] = json.loads(answer.read())
    return outbox_from_data(data)


def outbox_from_data(data: dict[str, Any]) -> Outbox:
    emails = tuple(
        OutboxEmail(
            message_id=str(m.get("id", "")),
            source=str(m.get("source", "")),
            to=tuple(
                address
                for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
                for address in (m.get("destinations") or {}).get(kind, [])
            ),
            subject=str(m.get("subject", "")),
            body=str(m.get("body", "")),
        )
        for m in data.get("ses", {}).get("Message", [])
    )
    sms = tuple(
        OutboxSms(str(s.get("message_id", "")), str(s.get("phone_number", "")), str(s["message"]))
        for s in data.get("sns", {}).get("SMS", [])
    )
    return Outbox(emails, sms)
