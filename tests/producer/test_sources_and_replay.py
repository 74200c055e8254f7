from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsmon.core.records import ArticleIn
from newsmon.producer.replay import MAX_SPEEDUP_GAP_S, order_for_replay, schedule_delays
from newsmon.producer.sources import expand_paths, read_articles

from tests.conftest import REPO

LIMIT = 1024 * 1024


def test_seed_folder_holds_the_seed_article_and_the_voa_stories() -> None:
    files = expand_paths([REPO / "seeds"])
    assert [f.name for f in files] == ["000_783d31cd25a2e179.txt", "voa_stories.jsonl"]
    items = [item for f in files for item in read_articles(f, LIMIT)]
    assert len(items) == 72
    assert all(item.article is not None for item in items)
    seed = items[0].article
    assert seed.title and seed.published == datetime(2026, 1, 15, tzinfo=UTC)
    assert seed.text.startswith("Tehran is the epicentre")


def test_text_article_without_headers_is_all_body(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Moscow: the Kremlin said nothing.\nSecond line.")
    [item] = read_articles(path, LIMIT)
    assert item.article is not None
    assert item.article.title == ""
    assert item.article.text.startswith("Moscow: the Kremlin")


def test_bad_jsonl_lines_are_reported_by_location_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"title": "ok", "text": "Fine."}\n'
        b"{broken\n"
        b'{"title": "no text"}\n'
        b"\xff\xfe\n"
        b'{"text": "   "}\n'
        b'{"title": "ok2", "text": "Also fine."}\n'
    )
    items = list(read_articles(path, LIMIT))
    assert [i.article.title for i in items if i.article] == ["ok", "ok2"]
    assert [(i.location.rsplit(":", 1)[1], i.rejection.reason) for i in items if i.rejection] == [
        ("2", "invalid_json"),
        ("3", "schema_violation"),
        ("4", "not_utf8"),
        ("5", "empty_text"),
    ]


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        expand_paths([tmp_path / "nope"])


def _article(day: int | None) -> ArticleIn:
    published = datetime(2026, 1, day, tzinfo=UTC) if day else None
    return ArticleIn(text=f"day {day}", published=published)


def test_rate_spaces_articles_evenly() -> None:
    assert schedule_delays([_article(1)] * 3, rate=4, speedup=None) == [0.0, 0.25, 0.25]


def test_speedup_follows_published_time_with_capped_gaps() -> None:
    articles = order_for_replay([_article(3), _article(1), _article(2)], speedup=86_400)
    assert [a.text for a in articles] == ["day 1", "day 2", "day 3"]
    assert schedule_delays(articles, rate=None, speedup=86_400) == [0.0, 1.0, 1.0]
    assert schedule_delays(articles, rate=None, speedup=1)[1] == MAX_SPEEDUP_GAP_S


def test_as_fast_as_possible_has_no_delays() -> None:
    assert schedule_delays([_article(1), _article(2)], None, None) == [0.0, 0.0]
