"""Reading articles from seed files: JSON Lines and plain-text articles.

A plain-text article (``.txt``) may start with ``Header: value`` lines (Title, Published, URL,
Source) and a blank line; the rest is the body. A JSON Lines file holds one article object per
line (``text`` required; ``title``, ``url``, ``source``, ``published`` optional). Every item
comes back with where it was read, so a bad line is reported as ``file:line: reason``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsmon.core.articles import Rejection, decode_json_object, parse_article_in
from newsmon.core.records import ArticleIn

_HEADERS = {"title", "published", "url", "source"}


@dataclass(frozen=True)
class SeedItem:
    location: str
    article: ArticleIn | None
    rejection: Rejection | None = None


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the ``.txt``/``.jsonl`` files inside given folders (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in {".txt", ".jsonl"} and p.is_file())
            )
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def _parse_text_article(raw: str) -> dict:
    headers: dict[str, str] = {}
    lines = raw.splitlines()
    body_start = 0
    for index, line in enumerate(lines):
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in _HEADERS and value.strip():
            headers[name.strip().lower()] = value.strip()
            continue
        body_start = index + 1 if (headers and not line.strip()) else index
        break
    return {**headers, "text": "\n".join(lines[body_start:]).strip()}


def read_articles(path: Path, max_bytes: int) -> Iterator[SeedItem]:
    if path.suffix == ".jsonl":
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                location = f"{path}:{number}"
                value = decode_json_object(line.rstrip(b"\r\n"), max_bytes)
                if isinstance(value, Rejection):
                    yield SeedItem(location, None, value)
                    continue
                parsed = parse_article_in(value)
                if isinstance(parsed, Rejection):
                    yield SeedItem(location, None, parsed)
                else:
                    yield SeedItem(location, parsed)
        return
    payload = path.read_bytes()
    if len(payload) > max_bytes:
        yield SeedItem(str(path), None, Rejection("too_large", f"{len(payload)} bytes"))
        return
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield SeedItem(str(path), None, Rejection("not_utf8", f"invalid UTF-8 at byte {exc.start}"))
        return
    parsed = parse_article_in(_parse_text_article(text))
    if isinstance(parsed, Rejection):
        yield SeedItem(str(path), None, parsed)
    else:
        yield SeedItem(str(path), parsed)


def dumps_article(article: ArticleIn) -> str:
    """One JSON line in the project's article format."""
    return json.dumps(article.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
