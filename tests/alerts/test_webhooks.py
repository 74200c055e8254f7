import json

import pytest
from newsmon.alerts.webhooks import (
    UnsafeWebhookUrl,
    check_url,
    sign,
    signed_headers,
    slack_payload,
    verify,
    webhook_body,
)

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_signature_matches_the_standard_webhooks_example() -> None:
    body = b'{"test": 2432232314}'
    assert sign(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_receivers_verify_and_refuse_tampering_and_stale_messages() -> None:
    body = b'{"alert": 1}'
    headers = signed_headers(SPEC_SECRET, "alrt_1", body, now=1_000_000)
    assert verify(SPEC_SECRET, headers, body, now=1_000_010)
    assert not verify(SPEC_SECRET, headers, b'{"alert": 2}', now=1_000_010)
    assert not verify(SPEC_SECRET, {**headers, "webhook-id": "other"}, body, now=1_000_010)
    assert not verify(SPEC_SECRET, headers, body, now=1_000_000 + 3600)
    assert not verify("whsec_" + "A" * 32, headers, body, now=1_000_010)
    assert not verify(SPEC_SECRET, {}, body)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://metadata.google.internal/computeMetadata",
        "https://user:pass@example.org/hook",
        "ftp://example.org/hook",
    ],
)
def test_unsafe_webhook_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeWebhookUrl):
        check_url(url)


def test_local_development_allowances() -> None:
    check_url("http://127.0.0.1:8080/hook", allow_private=True, allow_http=True)
    with pytest.raises(UnsafeWebhookUrl):
        check_url("http://127.0.0.1:8080/hook", allow_private=True, allow_http=False)
    with pytest.raises(UnsafeWebhookUrl, match="metadata"):
        check_url("https://metadata.google.internal/", allow_private=True)


def test_slack_payload_escapes_text_and_carries_evidence() -> None:
    alert = {
        "summary": "dyad_shift RUS-SYR: <b>cool</b> & warm",
        "evidence": [
            {"sentence": "Moscow <script>x</script> said", "url": "https://e.org/a?b=1&c=2"}
        ],
    }
    payload = slack_payload(alert)
    assert payload["text"] == "dyad_shift RUS-SYR: &lt;b&gt;cool&lt;/b&gt; &amp; warm"
    assert "<script>" not in json.dumps(payload)
    assert payload["blocks"][1]["elements"][0]["text"].startswith("> Moscow &lt;script&gt;")
    standard = json.loads(webhook_body({"alert_id": "a", **alert}, "standard"))
    assert standard["type"] == "newsmon.alert" and standard["data"]["alert_id"] == "a"
