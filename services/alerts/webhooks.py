"""Webhook payloads, Standard Webhooks signatures, and the SSRF guard on webhook URLs.

Signing follows the Standard Webhooks specification: the signed content is
``{webhook-id}.{webhook-timestamp}.{body}``, the key is the base64 part of the ``whsec_``
secret, the MAC is HMAC-SHA256, and ``webhook-signature`` carries ``v1,<base64 MAC>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"
TOLERANCE_S = 300
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


class UnsafeWebhookUrl(ValueError):
    """The URL would let a subscriber make newsmon call into a private network."""


def _secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, msg_id: str, body: bytes, now: float | None = None) -> dict:
    timestamp = int(time.time() if now is None else now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def verify(secret: str, headers: dict, body: bytes, now: float | None = None) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    try:
        msg_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        signatures = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_S:
        return False
    expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    return any(
        hmac.compare_digest(expected, s.split(",", 1)[1]) for s in signatures if s.startswith("v1,")
    )


def check_url(url: str, allow_private: bool = False, allow_http: bool = False) -> None:
    """Refuse URLs that are not https, or that point at loopback, private, link-local,
    reserved or cloud-metadata addresses (every address the name resolves to is checked)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeWebhookUrl(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not allow_http:
        raise UnsafeWebhookUrl("webhooks must use https (set NEWSMON_WEBHOOK_ALLOW_HTTP for dev)")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("credentials in webhook URLs are not allowed")
    host = parts.hostname.lower()
    if host in METADATA_HOSTS:
        raise UnsafeWebhookUrl(f"{host} is a cloud metadata service")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise UnsafeWebhookUrl(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise UnsafeWebhookUrl(f"{host} resolves to a non-public address ({address})")


def _escape_slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: dict) -> dict:
    """Slack-compatible body: escaped text plus blocks (summary, then evidence quotes)."""
    summary = _escape_slack(alert["summary"])
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": summary}}]
    for item in alert.get("evidence", [])[:3]:
        quote = _escape_slack(item["sentence"])
        link = item.get("url")
        source = f" (<{_escape_slack(link)}|source>)" if link else ""
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"> {quote}{source}"}]}
        )
    return {"text": summary, "blocks": blocks}


def webhook_body(alert: dict, fmt: str) -> bytes:
    payload = slack_payload(alert) if fmt == "slack" else {"type": "newsmon.alert", "data": alert}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
