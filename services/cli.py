"""The ``newsmon`` command: one entry point for every process and tool.

Settings come from the environment (see ``newsmon.core.settings``); flags here override the
few that a person changes per run.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from newsmon.core.settings import Settings
from rich.console import Console

app = typer.Typer(
    name="newsmon",
    help="Streaming geopolitical news monitoring: Kafka, Faust, transformer models, Redis.",
    no_args_is_help=True,
    add_completion=False,
)
ingest_app = typer.Typer(help="Ingest articles from outside sources.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

console = Console(stderr=True)
DEFAULT_SEEDS = Path("seeds")


def _settings() -> Settings:
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: bad environment
        console.print(f"[red]Configuration error:[/] {exc}")
        raise typer.Exit(2) from exc
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if settings.log_level.lower() != "debug":
        for noisy in ("kafka", "aiokafka", "faust", "mode"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    return settings


def _require_broker(settings: Settings) -> None:
    if not settings.kafka_bootstrap_servers:
        console.print(
            "[red]KAFKA_BOOTSTRAP_SERVERS is not set.[/] Point it at a broker, or use "
            "`newsmon demo`, which starts a local one."
        )
        raise typer.Exit(2)


@app.command()
def demo(
    seeds: list[Path] = typer.Argument(None, help="seed files or folders [default: seeds/]"),
    once: bool = typer.Option(False, "--once", help="exit 0 once the replay is fully processed"),
    report: Path | None = typer.Option(None, "--report", help="write the summary as JSON"),
) -> None:
    """Run the whole pipeline on the seeds (local broker and Redis unless configured)."""
    from newsmon.local.demo import Demo

    settings = _settings()
    paths = seeds or [DEFAULT_SEEDS]
    for path in paths:
        if not path.exists():
            console.print(f"[red]No such seed file or folder:[/] {path}")
            raise typer.Exit(2)
    raise typer.Exit(Demo(settings, paths, Console()).run(once=once, report_path=report))


@app.command()
def replay(
    paths: list[Path] = typer.Argument(..., help="seed .txt / .jsonl files or folders"),
    rate: float | None = typer.Option(None, "--rate", min=0.01, help="articles per second"),
    speedup: float | None = typer.Option(
        None, "--speedup", min=0.001, help="replay by published time, this many times faster"
    ),
    loop: bool = typer.Option(False, "--loop", help="start again at the end, until Ctrl-C"),
) -> None:
    """Replay seed articles onto articles.raw as a test stream."""
    from newsmon.core.kafka_clients import ensure_topics
    from newsmon.core.topics import TopicNames
    from newsmon.producer.publisher import ArticlePublisher, PublishError
    from newsmon.producer.replay import replay as run_replay
    from newsmon.producer.sources import expand_paths, read_articles

    if rate and speedup:
        console.print("[red]Choose one of --rate and --speedup.[/]")
        raise typer.Exit(2)
    settings = _settings()
    _require_broker(settings)
    try:
        files = expand_paths(paths)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    articles, skipped = [], 0
    for path in files:
        for item in read_articles(path, settings.max_article_bytes):
            if item.article is None:
                assert item.rejection is not None
                console.print(
                    f"[yellow]skipped[/] {item.location}: {item.rejection.reason} "
                    f"({item.rejection.detail})"
                )
                skipped += 1
            else:
                articles.append(item.article)
    names = TopicNames(settings.topic_prefix)
    try:
        ensure_topics(settings, names.all())
        with ArticlePublisher(settings, names.articles_raw, "newsmon-replay") as publisher:
            result = run_replay(articles, publisher, rate=rate, speedup=speedup, loop=loop)
    except PublishError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    console.print(f"sent {result.sent} articles to {names.articles_raw}; skipped {skipped}")


@ingest_app.command("rss")
def ingest_rss(
    urls: list[str] = typer.Argument(..., help="RSS or Atom feed URLs (or local files)"),
    interval: float = typer.Option(300.0, "--interval", min=5, help="seconds between polls"),
    once: bool = typer.Option(False, "--once", help="poll each feed once and exit"),
) -> None:
    """Poll RSS/Atom feeds onto articles.raw, de-duplicating entries."""
    from newsmon.core.kafka_clients import ensure_topics
    from newsmon.core.topics import TopicNames
    from newsmon.producer.publisher import ArticlePublisher, PublishError
    from newsmon.producer.rss import FeedPoller

    settings = _settings()
    _require_broker(settings)
    names = TopicNames(settings.topic_prefix)
    try:
        ensure_topics(settings, names.all())
        with ArticlePublisher(settings, names.articles_raw, "newsmon-rss") as publisher:
            FeedPoller(publisher).run(
                urls,
                interval,
                once=once,
                on_poll=lambda url, new, bad: console.print(f"{url}: {new} new, {bad} rejected"),
            )
    except PublishError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def worker() -> None:
    """Run the stream worker (Faust): validate, split, classify topics, store."""
    from newsmon.worker.app import run_worker

    settings = _settings()
    _require_broker(settings)
    sys.argv = [sys.argv[0], "worker"]
    run_worker(settings)


@app.command()
def api(
    host: str | None = typer.Option(None, "--host", help="bind address [env: NEWSMON_API_HOST]"),
    port: int | None = typer.Option(None, "--port", help="port [env: NEWSMON_API_PORT]"),
) -> None:
    """Run the HTTP API and dashboard (FastAPI on uvicorn)."""
    from newsmon.api.server import run_api

    settings = _settings()
    run_api(settings, host or settings.api_host, port or settings.api_port)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
