"""Fine-tuning the encoder on the labeled data, measured on a fold it never sees.

The served heads read a frozen MiniLM, and that is the coder's main limit. Here the encoder is
trained on two sentence tasks at once, quad class and PLOVER event type (the examples the
heads learn from, ``newsmon.nlp.training``), through mean pooling and one linear layer per
task, as sentence-transformers models are pooled, so the vectors stay the kind every head
reads. On fold 0 (``newsmon finetune``, 2-core CPU, about 8 minutes of training) it took the
quad from 0.849 to 0.937 macro-F1 and the event type from 0.780 to 0.888 on the CASE human
labels. It is an experiment, not the default: the heads it was not trained for lost (topic
ranking, modes, recipients; figures in the README), less so with ``keep_similarity``, which
holds each sentence's vector near its frozen one.

Everything in one fold (``holdout``, by the same group-aware ``fold_of`` as the evaluation) is
kept out of training, and the report compares the frozen and the fine-tuned encoder on it with
the heads' own recipes (RBF SVC for the quad, softmax regression for the type) fitted on the
other folds: the figures describe exactly the encoder that is written. The encoder is saved in
Hugging Face's format, so serving it is ``NEWSMON_MODEL_NAME=DIR/encoder`` with heads retrained
on it (``newsmon train --out DIR/heads``, then ``NEWSMON_HEADS_DIR=DIR/heads``); that run's own
cross-validated quad and type figures are optimistic, since the encoder saw four folds' labels.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from newsmon.core.adapters import (
    ADAPTER_FILE,
    add_adapters,
    apply_saved_adapters,
    save_adapters,
)
from newsmon.core.encoder import SentenceEncoder, bundled_model_path
from newsmon.nlp import cue_labels, datasets
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.evaluate import RoleAccuracy, RoleTally
from newsmon.nlp.heads import Head
from newsmon.nlp.quad_calibration import fit_temperature
from newsmon.nlp.training import (
    ROLE_LABELS,
    ClassReport,
    event_training_examples,
    fit_event,
    fit_quad,
    fit_roles,
    located_role_examples,
    predict_labels,
    quad_training_examples,
    role_token_labels,
    role_tokens,
)
from transformers import AutoModel, AutoTokenizer

TASKS = ("quad", "event")


@dataclass(frozen=True)
class FineTuneConfig:
    epochs: int = 3
    learning_rate: float = 4e-5
    batch_size: int = 16
    max_tokens: int = 128
    holdout: int = 0
    seed: int = 0
    limit: int = 0  # examples per task, 0 for all: a quick run (tests), not a measurement
    # weight of (1 - cosine) between each sentence's fine-tuned and frozen vector: 0 trains for
    # the two tasks alone; above it, the encoder is also held near the similarities the topic
    # affinities and the other heads were built on
    keep_similarity: float = 0.0
    # also train the token vectors on ConfliBERT's actor / recipient / reciprocal spans (the
    # role head's task), one batch of role sentences beside each batch of the sentence tasks
    train_roles: bool = False
    # 0 trains every weight; above it, only low-rank adapters of that rank (newsmon.core.adapters),
    # saved small enough to commit as DIR/adapter.npz
    lora_rank: int = 0
    lora_alpha: float = 16.0


@dataclass(frozen=True)
class TaskExample:
    text: str
    task: str
    label: str
    group: str
    source: str


Grouped = TypeVar("Grouped", TaskExample, datasets.RoleExample)


@dataclass
class HeldOutScores:
    """Macro-F1 on the held-out fold; None where it holds no example of that kind."""

    quad_macro_f1: float | None
    event_case_macro_f1: float | None
    event_cue_macro_f1: float | None
    roles: RoleAccuracy | None = None  # actor and recipient countries, as ``newsmon eval``


@dataclass
class FineTuneReport:
    holdout: int
    train_examples: dict[str, int]
    holdout_examples: dict[str, int]
    frozen: HeldOutScores
    fine_tuned: HeldOutScores
    similarity_to_frozen: float  # mean cosine of the held-out sentences' two vectors
    train_seconds: float
    config: dict
    # the quad head's temperature fitted on the held-out fold, with the fine-tuned encoder: the
    # committed adapter's heads take it, since their own cross-validation has seen the labels
    quad_temperature: float | None = None
    held_out: dict | None = None  # training on everything: the recipe's fold-0 report

    def as_dict(self) -> dict:
        return asdict(self)


def task_examples(data_dir: Path | None, limit: int = 0) -> list[TaskExample]:
    """Quad and event-type examples, labelled as the heads' training labels them."""
    quad = [
        TaskExample(e.text, "quad", e.label, e.group, e.source)
        for e in quad_training_examples(data_dir)
    ]
    event = [
        TaskExample(e.text, "event", e.label, e.group, e.source)
        for e in event_training_examples(data_dir)
    ]
    if limit:
        quad, event = quad[:limit], event[:limit]
    return quad + event


def split(examples: Sequence[Grouped], holdout: int) -> tuple[list[Grouped], list[Grouped]]:
    """(training, held out): a group's examples all land on one side, whatever their task."""
    held = [e for e in examples if datasets.fold_of(e.group) == holdout]
    return [e for e in examples if datasets.fold_of(e.group) != holdout], held


def role_examples(data_dir: Path | None, limit: int = 0) -> list[datasets.RoleExample]:
    """The ConfliBERT sentences with located role spans, as the role head trains on them."""
    roles = located_role_examples(data_dir)
    return roles[:limit] if limit else roles


def held_out_roles(
    encoder: SentenceEncoder,
    training: Sequence[datasets.RoleExample],
    held: Sequence[datasets.RoleExample],
) -> RoleAccuracy:
    """The role head's recipe fitted on ``training``'s token vectors; actor and recipient
    countries scored on ``held`` as ``newsmon eval`` scores them."""
    rows = role_tokens(encoder, training)
    head = fit_roles(rows.x, rows.y)
    tally, resolver = RoleTally(), ActorResolver.default()
    encoded = encoder.encode_with_tokens([r.text for r in held])
    for example, tokens in zip(held, encoded.tokens, strict=True):
        tally.score(example, tokens, head, resolver)
    return tally.accuracy()


class _Tuner(torch.nn.Module):
    """The encoder with mean pooling and one linear layer per task."""

    def __init__(self, encoder: torch.nn.Module, classes: dict[str, list[str]]) -> None:
        super().__init__()
        self.encoder = encoder
        size = int(encoder.config.hidden_size)
        self.heads = torch.nn.ModuleDict(
            {task: torch.nn.Linear(size, len(labels)) for task, labels in classes.items()}
        )

    def pooled(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def _role_loss(
    tuner: _Tuner, tokenizer: object, items: Sequence[datasets.RoleExample], max_tokens: int
) -> torch.Tensor:
    """Cross-entropy of the role tags of ``items``' tokens (special and padding left out)."""
    batch = tokenizer(  # type: ignore[operator]
        [r.text for r in items],
        padding=True,
        truncation=True,
        max_length=max_tokens,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        return_tensors="pt",
    )
    offsets, special = batch.pop("offset_mapping"), batch.pop("special_tokens_mask")
    hidden = tuner.encoder(**batch).last_hidden_state
    keep = (batch["attention_mask"] == 1) & (special == 0)
    vectors, labels = [], []
    for row, example in enumerate(items):
        spans = offsets[row][keep[row]].numpy()
        labels.append(torch.from_numpy(role_token_labels(spans, example)))
        vectors.append(hidden[row][keep[row]])
    logits = tuner.heads["role"](torch.cat(vectors))
    return torch.nn.functional.cross_entropy(logits, torch.cat(labels))


def train_encoder(
    training: Sequence[TaskExample],
    config: FineTuneConfig,
    progress: Callable[[str], None] = lambda _: None,
    roles: Sequence[datasets.RoleExample] = (),
) -> tuple[torch.nn.Module, object]:
    """The bundled encoder fine-tuned on ``training`` (and ``roles`` where given); returns
    (model, tokenizer)."""
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    source = str(bundled_model_path())
    tokenizer = AutoTokenizer.from_pretrained(source)
    classes = {t: sorted({e.label for e in training if e.task == t}) for t in TASKS}
    if roles:
        classes["role"] = list(ROLE_LABELS)
    role_order, role_at = list(range(len(roles))), 0
    index = {t: {label: i for i, label in enumerate(labels)} for t, labels in classes.items()}
    tuner = _Tuner(AutoModel.from_pretrained(source), classes)
    if config.lora_rank:
        add_adapters(tuner.encoder, config.lora_rank, config.lora_alpha)
    frozen = (
        torch.from_numpy(SentenceEncoder(batch_size=16).encode([e.text for e in training]))
        if config.keep_similarity
        else None
    )
    trained = [p for p in tuner.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=config.learning_rate, weight_decay=0.01)
    order = list(range(len(training)))
    for epoch in range(config.epochs):
        tuner.train()
        random.shuffle(order)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            chosen = order[start : start + config.batch_size]
            items = [training[i] for i in chosen]
            batch = tokenizer(
                [e.text for e in items],
                padding=True,
                truncation=True,
                max_length=config.max_tokens,
                return_tensors="pt",
            )
            pooled = tuner.pooled(dict(batch))
            loss = torch.zeros(())
            for task in TASKS:
                rows = [i for i, e in enumerate(items) if e.task == task]
                if rows:
                    target = torch.tensor([index[task][items[i].label] for i in rows])
                    logits = tuner.heads[task](pooled[rows])
                    loss = loss + torch.nn.functional.cross_entropy(logits, target)
            if frozen is not None:
                kept = torch.nn.functional.cosine_similarity(pooled, frozen[chosen], dim=1)
                loss = loss + config.keep_similarity * (1 - kept).mean()
            if roles:
                if role_at == 0:
                    random.shuffle(role_order)
                picked = [roles[i] for i in role_order[role_at : role_at + config.batch_size // 2]]
                role_at = (role_at + len(picked)) % len(roles)
                loss = loss + _role_loss(tuner, tokenizer, picked, config.max_tokens)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
        progress(f"epoch {epoch + 1}/{config.epochs}: mean loss {total / max(len(order), 1):.4f}")
    tuner.encoder.eval()
    return tuner.encoder, tokenizer


def held_out_scores(
    encoder: SentenceEncoder, training: Sequence[TaskExample], held: Sequence[TaskExample]
) -> HeldOutScores:
    """The heads' recipes fitted on ``training``'s vectors, scored on ``held``'s."""

    def of(examples: Sequence[TaskExample], task: str) -> tuple[np.ndarray, np.ndarray]:
        chosen = [e for e in examples if e.task == task]
        return encoder.encode([e.text for e in chosen]), np.array([e.label for e in chosen])

    def macro_f1(head: Head, scored: list[TaskExample]) -> float | None:
        if not scored:
            return None
        truth = np.array([e.label for e in scored])
        predicted = predict_labels(head, encoder.encode([e.text for e in scored]))
        return ClassReport.from_predictions(truth, predicted, sorted(set(truth))).macro_f1

    quad_x, quad_y = of(training, "quad")
    event_x, event_y = of(training, "event")
    quad, event = fit_quad(quad_x, quad_y), fit_event(event_x, event_y)
    held_event = [e for e in held if e.task == "event"]
    return HeldOutScores(
        macro_f1(quad, [e for e in held if e.task == "quad"]),
        macro_f1(event, [e for e in held_event if e.source == "case2021_task2"]),  # human types
        macro_f1(event, [e for e in held_event if e.source == cue_labels.SOURCE]),  # our cues
    )


def fine_tune(
    out_dir: Path,
    config: FineTuneConfig = FineTuneConfig(),
    data_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> FineTuneReport:
    """Measure the frozen encoder on the held-out fold, fine-tune on the rest, measure again,
    and write ``out_dir/encoder`` and ``out_dir/report.json``."""
    if config.holdout < 0:
        return train_adapter_on_everything(out_dir, config, data_dir, progress)
    examples = task_examples(data_dir, config.limit)
    training, held = split(examples, config.holdout)
    progress(f"{len(training)} training examples, {len(held)} held out (fold {config.holdout})")
    roles_training, roles_held = split(role_examples(data_dir, config.limit), config.holdout)
    base = SentenceEncoder(batch_size=16)
    frozen = held_out_scores(base, training, held)
    frozen.roles = held_out_roles(base, roles_training, roles_held)
    progress(f"frozen encoder on the held-out fold: {frozen}")
    started = time.perf_counter()
    model, tokenizer = train_encoder(
        training, config, progress, roles_training if config.train_roles else ()
    )
    seconds = time.perf_counter() - started
    encoder_dir = out_dir / "encoder"
    if config.lora_rank:  # what is measured is what loads: the base plus the saved adapters
        save_adapters(model, out_dir / ADAPTER_FILE)
        model = AutoModel.from_pretrained(str(bundled_model_path()))
        apply_saved_adapters(model, out_dir / ADAPTER_FILE)
    model.save_pretrained(encoder_dir)
    tokenizer.save_pretrained(encoder_dir)  # type: ignore[attr-defined]
    tuned_encoder = SentenceEncoder(str(encoder_dir), batch_size=16)
    tuned = held_out_scores(tuned_encoder, training, held)
    tuned.roles = held_out_roles(tuned_encoder, roles_training, roles_held)
    temperature = held_out_quad_temperature(tuned_encoder, training, held)
    texts = [e.text for e in held]
    similarity = float((base.encode(texts) * tuned_encoder.encode(texts)).sum(axis=1).mean())
    count = lambda rows: {t: sum(e.task == t for e in rows) for t in TASKS}  # noqa: E731
    report = FineTuneReport(
        config.holdout,
        count(training),
        count(held),
        frozen,
        tuned,
        round(similarity, 4),
        round(seconds, 1),
        asdict(config),
        temperature,
    )
    (out_dir / "report.json").write_text(json.dumps(report.as_dict(), indent=2))
    return report


def held_out_quad_temperature(
    encoder: SentenceEncoder, training: Sequence[TaskExample], held: Sequence[TaskExample]
) -> float | None:
    """The temperature that calibrates the quad head (fitted on ``training``) on ``held``."""
    train = [e for e in training if e.task == "quad"]
    scored = [e for e in held if e.task == "quad"]
    if not scored:
        return None
    head = fit_quad(encoder.encode([e.text for e in train]), np.array([e.label for e in train]))
    labels = list(head.labels)
    truth = np.array([labels.index(e.label) if e.label in labels else -1 for e in scored])
    known = truth >= 0
    scores = head.scores(encoder.encode([e.text for e in scored]))
    return fit_temperature(scores[known], truth[known])


def train_adapter_on_everything(
    out_dir: Path,
    config: FineTuneConfig,
    data_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> FineTuneReport:
    """The served adapter: trained on every example (``holdout`` -1), so nothing is left to
    measure it on; its recipe is measured fold by fold (``holdout`` 0-4). Writes only
    ``out_dir/adapter.npz`` and, saying how, ``out_dir/adapter.json``."""
    if not config.lora_rank:
        raise ValueError("training on every example writes an adapter: give it a LoRA rank")
    progress("the recipe first, measured on fold 0 (trained without it)")
    with tempfile.TemporaryDirectory() as scratch:
        measured = fine_tune(Path(scratch), replace(config, holdout=0), data_dir, progress)
    progress(f"fold 0: frozen {measured.frozen}, adapted {measured.fine_tuned}")
    training = task_examples(data_dir, config.limit)
    roles = role_examples(data_dir, config.limit) if config.train_roles else ()
    progress(f"{len(training)} training examples, none held out")
    started = time.perf_counter()
    model, _ = train_encoder(training, config, progress, roles)
    seconds = time.perf_counter() - started
    save_adapters(model, out_dir / ADAPTER_FILE)
    count = {t: sum(e.task == t for e in training) for t in TASKS}
    none = HeldOutScores(None, None, None)
    report = FineTuneReport(
        -1,
        count,
        {},
        none,
        none,
        1.0,
        round(seconds, 1),
        asdict(config),
        measured.quad_temperature,
        measured.as_dict(),
    )
    # beside the adapter, named after it: where ``newsmon train`` looks for its temperature
    (out_dir / ADAPTER_FILE).with_suffix(".json").write_text(
        json.dumps(report.as_dict(), indent=2) + "\n"
    )
    return report
