"""`newsmon annotate` as a black box: JSON Lines in, JSON Lines out, no broker or Redis."""

import json
import subprocess
import sys

from tests.conftest import REPO


def test_annotate_codes_each_line_and_reports_garbage_per_line() -> None:
    lines = [
        json.dumps(
            {
                "id": "a",
                "text": "Russian troops attacked Ukrainian positions near Kharkiv.",
                "published": "2026-01-15",
            }
        ),
        "{not json",
        json.dumps({"id": 7, "text": ""}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "b", "title": "Calm", "text": "The weather was mild."}),
    ]
    stdin = ("\n".join(lines) + "\n").encode() + b"\xff\xfe garbage\n"
    done = subprocess.run(
        [sys.executable, "-m", "newsmon", "annotate"],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [o.get("id") for o in out] == ["a", None, 7, None, "b", None]
    assert [o["error"].split(":")[0] for o in out if "error" in o] == [
        "invalid_json",
        "schema_violation",
        "schema_violation",
        "not_utf8",
    ]
    coded = out[0]
    assert len(coded["topics"]) == 37
    [event] = coded["events"]
    assert {
        "sentence",
        "event_type",
        "quad_class",
        "mode",
        "actors",
        "recipients",
        "score",
        "confidence",
    } <= set(event)
    assert event["actors"] == ["RUS"] and event["recipients"] == ["UKR"]
    assert out[4]["events"] == []
