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
bench_app = typer.Typer(help="Benchmarks that print figures (not tests).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

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
    file_order: bool = typer.Option(
        False, "--file-order", help="send in the files' order, not in published order"
    ),
) -> None:
    """Replay seed articles onto articles.raw as a test stream, in published order (as news
    arrives; undated articles first): a stream sent years out of order raises signals that the
    earlier news, arriving later, then clears."""
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
            result = run_replay(
                articles,
                publisher,
                rate=rate,
                speedup=speedup,
                loop=loop,
                chronological=not file_order,
            )
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


def _build_coder(settings: Settings):  # noqa: ANN202 - heavy imports stay lazy
    from newsmon.nlp.coder import build_coder

    try:
        return build_coder(settings)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc


@app.command()
def annotate() -> None:
    """Code JSON Lines from stdin (id, text, optional title/published) to JSON Lines on stdout."""
    from newsmon.nlp.annotate import run_annotate

    settings = _settings()
    coder = _build_coder(settings)
    count = run_annotate(sys.stdin.buffer, sys.stdout, coder)
    console.print(f"annotated {count} lines")


def _cross_validate(settings: Settings, data_dir: Path | None):  # noqa: ANN202 - lazy imports
    """Embed the labeled data (float32, cached) and cross-validate every head and the coder."""
    from newsmon.core.encoder import SentenceEncoder, model_adapter
    from newsmon.nlp.actors import ActorResolver
    from newsmon.nlp.evaluate import evaluate
    from newsmon.nlp.training import load_training_data

    # training: float32, any batch; the encoder the coder serves, adapter included
    encoder = SentenceEncoder(settings.model_name, batch_size=16, adapter=model_adapter(settings))
    with console.status("Embedding the labeled data…"):
        data = load_training_data(encoder, data_dir, settings.data_dir / "cache")
    with console.status("Cross-validating…"):
        report = evaluate(data, encoder, ActorResolver.default())
    return encoder, data, report


def held_out_temperature(settings: Settings) -> float | None:
    """The quad temperature an adapter's training measured on a fold it never saw
    (``adapter.json`` beside it): the heads' own cross-validation has seen its labels, and
    would make the quad head overconfident on new text."""
    import json

    from newsmon.core.encoder import model_adapter

    adapter = model_adapter(settings)
    report = adapter.with_suffix(".json") if adapter is not None else None
    if report is None or not report.exists():
        return None
    temperature = json.loads(report.read_text()).get("quad_temperature")
    if temperature is not None:
        console.print(f"quad temperature {temperature} from {report} (a held-out fold)")
    return temperature


@app.command()
def train(
    data_dir: Path | None = typer.Option(None, "--data-dir", help="[default: ../shared/data]"),
    out: Path | None = typer.Option(None, "--out", help="[default: the package's heads]"),
    card: Path | None = typer.Option(
        None, "--card", help="model card to write [default: docs/model_card.md, or OUT's]"
    ),
) -> None:
    """Retrain the heads from ../shared/data, measure them, and write the model card."""
    from newsmon.nlp.coder import HEADS_DIR
    from newsmon.nlp.model_card import render_model_card
    from newsmon.nlp.training import train_heads

    card = card or (out / "model_card.md" if out else Path("docs/model_card.md"))
    settings = _settings()
    encoder, data, report = _cross_validate(settings, data_dir)
    fitted = report.fitted
    temperature = held_out_temperature(settings) or fitted.quad_temperature
    with console.status("Fitting the heads on all the data…"):
        train_heads(
            data,
            out or HEADS_DIR,
            fitted.topics,
            temperature,
            fitted.quad,
            fitted.event,
            fitted.role,
        )
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(render_model_card(report, encoder.label))
    _print_eval(report)
    console.print(f"heads written to {out or HEADS_DIR}; model card {card}")


@app.command()
def finetune(
    out: Path = typer.Option(..., "--out", help="folder for encoder/ and report.json"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="[default: ../shared/data]"),
    epochs: int = typer.Option(3, "--epochs", min=1),
    holdout: int = typer.Option(
        0, "--holdout", min=-1, max=4, help="fold kept out, measured on; -1: none (an adapter)"
    ),
    keep_similarity: float = typer.Option(
        0.0, "--keep-similarity", min=0.0, help="weight holding vectors near the frozen ones"
    ),
    roles: bool = typer.Option(False, "--roles", help="also train on the role spans"),
    lora_rank: int = typer.Option(
        0, "--lora-rank", min=0, help="train low-rank adapters of this rank only (0: all weights)"
    ),
    learning_rate: float = typer.Option(4e-5, "--learning-rate", min=0.0),
) -> None:
    """Fine-tune the encoder on the quad and event-type data; compare it with the frozen one
    on a held-out fold (about 10 minutes on 2 CPU cores)."""
    from newsmon.core.adapters import ADAPTER_FILE
    from newsmon.nlp.finetune import FineTuneConfig, fine_tune
    from rich.table import Table

    if holdout < 0 and not lora_rank:
        console.print(
            "[red]--holdout -1 trains on every example into an adapter:[/] give it --lora-rank"
        )
        raise typer.Exit(2)

    config = FineTuneConfig(
        epochs=epochs,
        holdout=holdout,
        keep_similarity=keep_similarity,
        train_roles=roles,
        lora_rank=lora_rank,
        learning_rate=learning_rate,
    )
    report = fine_tune(out, config, data_dir, progress=console.print)
    if holdout < 0:
        console.print(f"adapter written to {out / ADAPTER_FILE} ({report.train_seconds:.0f} s)")
        return
    table = Table(title=f"held-out fold {report.holdout}: macro-F1; actor, recipient correct")
    table.add_column("encoder")
    columns = ("quad (ConfliBERT)", "type (CASE, human)", "type (cue, ours)", "actor", "recipient")
    for column in columns:
        table.add_column(column, justify="right")
    for name, scores in (("frozen", report.frozen), ("fine-tuned", report.fine_tuned)):
        roles = scores.roles
        table.add_row(
            name,
            *(
                "-" if v is None else f"{v:.3f}"
                for v in (
                    scores.quad_macro_f1,
                    scores.event_case_macro_f1,
                    scores.event_cue_macro_f1,
                    roles.actor_correct if roles else None,
                    roles.recipient_correct if roles else None,
                )
            ),
        )
    console.print(table)
    console.print(
        f"held-out sentences' cosine to their frozen vectors: {report.similarity_to_frozen:.3f}; "
        f"encoder written to {out / 'encoder'} ({report.train_seconds:.0f} s of training). To "
        f"serve it: NEWSMON_MODEL_NAME={out / 'encoder'} newsmon train --out {out / 'heads'}, "
        f"then NEWSMON_MODEL_NAME and NEWSMON_HEADS_DIR={out / 'heads'} for every process."
    )


@app.command("eval")
def evaluate_command(
    data_dir: Path | None = typer.Option(None, "--data-dir", help="[default: ../shared/data]"),
    json_out: Path | None = typer.Option(None, "--json", help="also write the report as JSON"),
) -> None:
    """Cross-validated precision, recall and F1 of the heads and the coder."""
    import json as json_lib

    _, _, report = _cross_validate(_settings(), data_dir)
    _print_eval(report)
    if json_out:
        json_out.write_text(json_lib.dumps(report.as_dict(), indent=2))


def _print_eval(report) -> None:  # noqa: ANN001
    from rich.table import Table

    out = Console()
    sections = [
        ("Quad classes (all quad-labelled sentences, 5-fold CV)", report.quad),
        ("Quad classes (the ConfliBERT news sentences among them)", report.quad_news),
        ("News check: 240 VOA sentences labelled blind, as coded", report.news_check.coded),
        ("Event types as coded (CASE 2021 dev mapped to PLOVER, 5-fold CV)", report.event_joint),
        (
            "Event types as coded against ConfliBERT cue types (our weak labels, 5-fold CV)",
            report.event_cue_agreement,
        ),
        ("Role tokens (ConfliBERT spans, 5-fold CV)", report.roles_tokens),
        ("Modes given the type (CASE 2021 dev, 5-fold CV)", report.modes),
    ]
    for title, section in sections:
        table = Table(title=title)
        for column in ("class", "precision", "recall", "F1", "support"):
            table.add_column(column)
        for label, m in section.per_class.items():
            table.add_row(
                label,
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1-score']:.3f}",
                str(int(m["support"])),
            )
        table.add_row("macro", "", "", f"{section.macro_f1:.3f}", str(section.n))
        out.print(table)
    out.print(f"quad macro-F1 over the 4 quad classes: {report.quad_four_class_macro_f1:.3f}")
    out.print(f"event-type head alone macro-F1: {report.event_head.macro_f1:.3f}")
    news = report.news_check
    out.print(
        f"news check: event sentences found with precision {news.event_precision:.3f}, recall "
        f"{news.event_recall:.3f}; the quad head alone macro-F1 {news.quad_head.macro_f1:.3f}"
    )
    t = report.topics
    out.print(
        f"topic calibration on {t.snippets} CASE snippets (measured contexts, 5-fold CV): Brier "
        f"{t.brier_calibrated:.4f} (softmax shares {t.brier_softmax_shares:.4f}); average "
        "precision " + ", ".join(f"{k} {v:.2f}" for k, v in t.average_precision.items())
    )
    r = report.roles_countries
    out.print(
        f"actor/recipient countries on {r.sentences} ConfliBERT sentences: actor "
        f"{r.actor_correct:.3f}, recipient {r.recipient_correct:.3f}, both {r.both_correct:.3f} "
        f"(baseline first-mentioned: actor {r.baseline_actor_correct:.3f}, recipient "
        f"{r.baseline_recipient_correct:.3f}); every country of the side: actor "
        f"{r.actor_set_correct:.3f}, recipient {r.recipient_set_correct:.3f}; reciprocal "
        f"{r.reciprocal_correct:.3f} of {r.reciprocal_sentences}"
    )
    n = report.news_roles
    out.print(
        f"roles on {n.sentences} news check event sentences naming two countries: actor "
        f"{n.actor_correct:.3f}, recipient {n.recipient_correct:.3f} (of {n.both_sides} with "
        f"both); pairs fed: precision {n.pair_precision:.3f}, recall {n.pair_recall:.3f} "
        f"(baseline first-mentioned: actor {n.baseline_actor_correct:.3f}, recipient "
        f"{n.baseline_recipient_correct:.3f}, pairs {n.baseline_pair_precision:.3f} / "
        f"{n.baseline_pair_recall:.3f})"
    )


@app.command("check-signals")
def check_signals(
    paths: list[Path] = typer.Argument(..., help="articles: .txt / .jsonl files or folders"),
    expect: Path | None = typer.Option(
        None,
        "--expect",
        help="what the stream's readers expect (default: expectations.yaml in a folder given)",
    ),
    json_out: Path | None = typer.Option(None, "--json", help="also write the report here"),
    strict: bool = typer.Option(
        False, "--strict", help="exit 1 on a missed expectation (not a known gap) or a flap"
    ),
) -> None:
    """Code articles and run them through the alliance detector offline (no broker): which
    expected signals appear, with evidence, what else is raised, and whether anything flaps."""
    from newsmon.local.signal_check import coded_stream, print_check, write_check
    from newsmon.signals.alignments import AlignmentTable
    from newsmon.signals.detector import AllianceDetector
    from newsmon.signals.stream_check import (
        check_stream,
        expectations_beside,
        load_expectations,
        run_detector,
    )

    settings = _settings()
    try:
        expectations = load_expectations(expect) if expect else expectations_beside(paths)
        articles = coded_stream(paths, settings, _build_coder(settings), console)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    traces = run_detector(articles, AllianceDetector(AlignmentTable.load()))
    report = check_stream(traces, expectations)
    print_check(report, Console(), len(articles), sum(len(a) for a in articles))
    if json_out:
        write_check(report, json_out)
    if strict and (report.missed or report.flapping):
        raise typer.Exit(1)


@bench_app.command("pipeline")
def bench_pipeline(
    stories: Path = typer.Option(Path("seeds/voa_stories.jsonl"), "--stories", help="JSONL"),
    rates: str = typer.Option(
        "2.5,4,6,8,10,12,14,16,18,20,24",
        "--rates",
        help="articles/s, rising, comma-separated; climbs to the first not sustained",
    ),
    step_seconds: float = typer.Option(30.0, "--step-seconds", min=5),
    workers: str = typer.Option("1,2", "--workers", help="worker processes to try"),
    refine: int = typer.Option(
        2,
        "--refine",
        min=0,
        help="steps halving the gap between the last sustained rate and the first not",
    ),
    json_out: Path = typer.Option(Path("bench-pipeline.json"), "--json", help="figures as JSON"),
) -> None:
    """End to end on the local stack: sustained rate, latency, memory, efficiency."""
    import json as json_lib

    from newsmon.bench.pipeline import as_dict, run_pipeline_bench
    from rich.table import Table

    _settings()
    out = Console()
    results = []
    for count in [int(w) for w in workers.split(",")]:
        with console.status(f"Benchmarking with {count} worker(s)…"):
            result = run_pipeline_bench(
                stories, [float(r) for r in rates.split(",")], step_seconds, count, refine
            )
        results.append(as_dict(result))
        table = Table(title=f"{count} worker(s): end to end on the local stack")
        for column in (
            "target/s",
            "sent",
            "stored/s",
            "sustained",
            "backlog +s",
            "stored p50/p95/p99 s",
            "alert p50/p95/p99 s",
            "articles per coder call",
        ):
            table.add_column(column)
        for s in result.steps:
            table.add_row(
                f"{s.target_rate:g}",
                str(s.sent),
                f"{s.stored_per_second:.2f}",
                s.verdict,
                f"{s.backlog_growth_s:+.2f}",
                f"{s.stored_p50:.2f} / {s.stored_p95:.2f} / {s.stored_p99:.2f}",
                "-"
                if s.alert_p50 is None
                else f"{s.alert_p50:.2f} / {s.alert_p95:.2f} / {s.alert_p99:.2f}",
                " / ".join(f"{n:.1f}" for n in s.articles_per_batch.values()) or "-",
            )
        out.print(table)
        out.print(
            f"max sustained {result.max_sustained_rate:.2f} articles/s; raw encoder "
            f"({result.encoder_backend}) {result.encoder_articles_per_s:.2f} stories/s in one "
            f"process, {result.parallel_encoder_articles_per_s:.2f} as one single-threaded "
            f"process per core; efficiency {result.efficiency:.2f} (of the better); "
            f"p99 produce-to-stored at half that rate or below ({result.half_rate_step}/s step): "
            f"{result.half_rate_p99} s; "
            f"peak memory MiB {result.peak_rss_mib}; time (busy share of the run, forward "
            f"pass share of busy, forward pass sentences/s) {result.time_shares}"
        )
        if result.steps:
            busiest = max(result.steps, key=lambda s: s.target_rate)
            out.print(
                f"CPU cores used while the {busiest.target_rate:g}/s step was sent: "
                f"{busiest.cpu_cores} (every step's are in the JSON)"
            )
        out.print(
            "targets: "
            + "; ".join(
                f"{name}: {'met' if met else 'NOT met'}" for name, met in result.targets.items()
            )
        )
    json_out.write_text(json_lib.dumps(results, indent=2))
    out.print(f"figures written to {json_out}")


@bench_app.command("nlp")
def bench_nlp(
    stories: Path = typer.Option(Path("seeds/voa_stories.jsonl"), "--stories", help="JSONL"),
    rounds: int = typer.Option(3, "--rounds", min=1),
    json_out: Path | None = typer.Option(None, "--json", help="also write the figures as JSON"),
) -> None:
    """NLP stage throughput against the raw encoder on the same sentences."""
    from dataclasses import asdict

    from newsmon.bench.nlp import run_nlp_bench_as_served, write_result
    from rich.table import Table

    settings = _settings()
    with console.status("Benchmarking the encoder and the coder…"):
        result = run_nlp_bench_as_served(stories, settings, rounds=rounds)
    table = Table(title=f"NLP stage on {result.articles} stories, {result.sentences} sentences")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in asdict(result).items():
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)
    if json_out:
        write_result(result, json_out)


@app.command()
def worker() -> None:
    """Run the stream worker (Faust): validate, split, classify topics, store."""
    from newsmon.worker.app import run_worker

    settings = _settings()
    _require_broker(settings)
    sys.argv = [sys.argv[0], "worker"]
    run_worker(settings)


@app.command()
def deliver() -> None:
    """Run the webhook delivery worker: signed requests, retries, dead letters."""
    from newsmon.deliver.worker import DeliveryPolicy, run_delivery_process

    settings = _settings()
    if not settings.redis_url:
        console.print("[red]REDIS_URL is not set.[/] (or run `newsmon demo`, which starts one)")
        raise typer.Exit(2)
    policy = DeliveryPolicy(
        max_attempts=settings.webhook_max_attempts,
        backoff_seconds=settings.webhook_backoff_seconds,
        timeout_seconds=settings.webhook_timeout_seconds,
        concurrency=settings.deliver_concurrency,
        allow_http=settings.webhook_allow_http,
        allow_private=settings.webhook_allow_private,
    )
    run_delivery_process(
        settings.redis_url,
        settings.redis_key_prefix,
        policy,
        settings.deliver_metrics_host,
        settings.deliver_metrics_port,
    )


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
