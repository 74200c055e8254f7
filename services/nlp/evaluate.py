"""``newsmon eval``: how well the heads and the coder do on data they were not trained on.

Everything is cross-validated over five group-aware folds (``datasets.fold_of``): a head is
trained on four folds and scored on the fifth, so no figure here comes from training data.

- quad classes: all quad-labelled sentences, and the ConfliBERT news sentences among them
  (5 classes with "none"; the 4-quad macro-F1 too);
- a news check, not cross-validated but never trained on: 240 VOA sentences that name two
  actors, labelled blind (``data/news_sample``), coded as the coder codes them; and the actor
  and recipient countries of those that report an event between two countries;
- event types: CASE 2021 dev snippets mapped to PLOVER (docs/label_mappings.md), both the
  event-type head alone and as the coder picks it (joint with the quad head); and agreement
  with the cue types of ConfliBERT sentences (``cue_labels``: our weak labels, 15 types, so a
  consistency figure, not an accuracy against independent gold);
- roles: token-level actor/recipient/reciprocal tagging on ConfliBERT spans;
- modes: the mode head on CASE snippets whose type implies a mode, given the true type;
- actor and recipient countries: the coder's role assignment on resolved mentions, against
  the countries resolved inside ConfliBERT's gold source and target spans, next to the
  "first country mentioned acts on the next one" baseline.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
from newsmon.core.contexts import plover_contexts
from newsmon.core.encoder import SentenceEncoder, TokenStates
from newsmon.core.topic_model import TEMPERATURE
from newsmon.nlp import datasets
from newsmon.nlp.actors import ActorMention, ActorResolver
from newsmon.nlp.coder import NO_EVENT, assign_roles, pick_event_type
from newsmon.nlp.heads import KernelSVCHead, LinearHead
from newsmon.nlp.ontology import QUAD_CLASSES, quad_of
from newsmon.nlp.quad_calibration import QuadCalibrationReport, evaluate_temperature
from newsmon.nlp.topic_calibration import (
    TopicCalibration,
    TopicCalibrationReport,
    evaluate_calibration,
)
from newsmon.nlp.training import (
    FOLDS,
    ROLE_LABELS,
    ClassReport,
    TrainingData,
    cross_validated_predictions,
    fit_event,
    fit_mode,
    fit_quad,
    fit_roles,
    predict_labels,
)
from newsmon.signals.pair_index import pair_key

CONFLIBERT_AS_OF = date(2018, 6, 30)  # the ConfliBERT sentences are 2017-18 wire news
NEWS_SAMPLE = Path(__file__).resolve().parent / "data" / "news_sample" / "voa_quad_sample.jsonl"
NEWS_ROLES = NEWS_SAMPLE.with_name("voa_role_sample.jsonl")


@dataclass
class RoleAccuracy:
    sentences: int
    actor_correct: float
    recipient_correct: float
    both_correct: float
    baseline_actor_correct: float
    baseline_recipient_correct: float
    # every country of each side, not just the first ("China and Russia call on the US")
    actor_set_correct: float
    recipient_set_correct: float
    # sentences whose reciprocal spans hold two countries ("Armenia and Azerbaijan agreed")
    reciprocal_sentences: int
    reciprocal_correct: float


@dataclass
class FittedCalibrations:
    """What ``evaluate`` fits on all the data for ``newsmon train`` to save with the heads, so
    training does not fit them a second time: the calibrations, and the quad (uncalibrated),
    event-type and role heads the news checks score."""

    quad_temperature: float
    quad: KernelSVCHead
    event: LinearHead
    role: LinearHead
    topics: TopicCalibration


@dataclass
class NewsCheck:
    """The coder's quad (``none`` when it finds no event) on the labelled news sentences, the
    quad head's alone, and how well it tells event sentences from the rest."""

    coded: ClassReport
    quad_head: ClassReport
    event_precision: float
    event_recall: float


@dataclass
class NewsRoleCheck:
    """The coder's actors and recipients on labelled news event sentences (``check_roles_on_news``),
    and the same for the baseline "the first country named acts on the next"."""

    sentences: int
    both_sides: int
    actor_correct: float
    recipient_correct: float
    pair_precision: float
    pair_recall: float
    baseline_actor_correct: float
    baseline_recipient_correct: float
    baseline_pair_precision: float
    baseline_pair_recall: float


@dataclass
class EvalReport:
    quad: ClassReport
    quad_news: ClassReport
    quad_four_class_macro_f1: float
    quad_calibration: QuadCalibrationReport
    event_head: ClassReport
    event_joint: ClassReport
    event_cue_agreement: ClassReport
    roles_tokens: ClassReport
    roles_countries: RoleAccuracy
    modes: ClassReport
    topics: TopicCalibrationReport
    news_check: NewsCheck
    news_roles: NewsRoleCheck
    counts: dict[str, int]
    fitted: FittedCalibrations | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "fitted"}


def _codes_inside(mentions: list[ActorMention], spans: list[tuple[int, int]]) -> set[str]:
    return {m.code for m in mentions for a, b in spans if m.start < b and m.end > a}


def _baseline_roles(mentions: list[ActorMention]) -> tuple[str | None, str | None]:
    actor = mentions[0].code if mentions else None
    recipient = next((m.code for m in mentions if m.code != actor), None)
    return actor, recipient


def _share(n: int, of: int) -> float:
    return round(n / of, 3) if of else 0.0


@dataclass
class RoleTally:
    """Counts behind ``RoleAccuracy``, added up over folds."""

    counted: int = 0
    actor_ok: int = 0
    recipient_ok: int = 0
    both_ok: int = 0
    base_actor: int = 0
    base_recipient: int = 0
    actor_set_ok: int = 0
    recipient_set_ok: int = 0
    reciprocal_counted: int = 0
    reciprocal_ok: int = 0

    def score(
        self,
        example: datasets.RoleExample,
        tokens: TokenStates,
        head: LinearHead,
        resolver: ActorResolver,
    ) -> None:
        """Count one sentence whose gold actor and recipient hold different resolved
        countries, or whose reciprocal spans hold two; others are not counted."""
        mentions = resolver.resolve(example.text, CONFLIBERT_AS_OF)
        actors, recipients = assign_roles(mentions, tokens, head, example.text)
        coded_actors, coded_recipients = {a.code for a in actors}, {r.code for r in recipients}
        gold_reciprocal = _codes_inside(mentions, example.reciprocal_spans)
        if len(gold_reciprocal) >= 2:
            self.reciprocal_counted += 1
            self.reciprocal_ok += gold_reciprocal <= coded_actors & coded_recipients
        gold_actor = _codes_inside(mentions, example.source_spans)
        gold_recipient = _codes_inside(mentions, example.target_spans)
        if not gold_actor or not gold_recipient or gold_actor == gold_recipient:
            return
        self.counted += 1
        a_ok = bool(actors) and actors[0].code in gold_actor
        r_ok = bool(recipients) and recipients[0].code in gold_recipient
        self.actor_ok += a_ok
        self.recipient_ok += r_ok
        self.both_ok += a_ok and r_ok
        self.actor_set_ok += coded_actors == gold_actor
        self.recipient_set_ok += coded_recipients == gold_recipient
        b_actor, b_recipient = _baseline_roles(mentions)
        self.base_actor += b_actor in gold_actor
        self.base_recipient += b_recipient in gold_recipient

    def accuracy(self) -> RoleAccuracy:
        return RoleAccuracy(
            self.counted,
            _share(self.actor_ok, self.counted),
            _share(self.recipient_ok, self.counted),
            _share(self.both_ok, self.counted),
            _share(self.base_actor, self.counted),
            _share(self.base_recipient, self.counted),
            _share(self.actor_set_ok, self.counted),
            _share(self.recipient_set_ok, self.counted),
            self.reciprocal_counted,
            _share(self.reciprocal_ok, self.reciprocal_counted),
        )


def evaluate_roles(
    data: TrainingData, encoder: SentenceEncoder, resolver: ActorResolver
) -> RoleAccuracy:
    folds = np.array([datasets.fold_of(r.group, FOLDS) for r in data.roles])
    token_folds = np.array([datasets.fold_of(g, FOLDS) for g in data.role_groups])
    encoded = encoder.encode_with_tokens([r.text for r in data.roles])
    tally = RoleTally()
    for k in range(FOLDS):
        head = fit_roles(data.role_x[token_folds != k], data.role_y[token_folds != k])
        for index in np.flatnonzero(folds == k):
            tally.score(data.roles[index], encoded.tokens[index], head, resolver)
    return tally.accuracy()


@dataclass
class QuadFolds:
    """The quad head of each fold (trained on the other four), fitted once and shared by the
    quad figures, the temperature and the coder's joint choice of event type."""

    folds: np.ndarray
    heads: list[KernelSVCHead | None]

    @classmethod
    def fit(cls, data: TrainingData) -> QuadFolds:
        folds = np.array([datasets.fold_of(g, FOLDS) for g in data.quad_groups])
        heads = [
            fit_quad(data.quad_x[folds != k], data.quad_y[folds != k])
            if (folds == k).any()
            else None
            for k in range(FOLDS)
        ]
        return cls(folds, heads)

    def out_of_fold_scores(self, data: TrainingData) -> tuple[np.ndarray, np.ndarray]:
        """(rows x classes) scores of each row by the head that did not see it, and labels."""
        labels = next(h for h in self.heads if h is not None).labels
        scores = np.zeros((len(data.quad_y), len(labels)))
        for k, head in enumerate(self.heads):
            if head is not None:
                assert head.labels == labels
                scores[self.folds == k] = head.scores(data.quad_x[self.folds == k])
        return scores, np.array(labels)


def _event_predictions(data: TrainingData, quad: QuadFolds) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold event types for the CASE and cue-typed rows: the head alone, and as the
    coder picks them (jointly with the quad head of the same four folds, because the
    cue-typed sentences are also quad training sentences)."""
    folds = np.array([datasets.fold_of(g, FOLDS) for g in data.event_groups])
    scored = data.event_is_case | data.event_is_cue
    head_pred = np.empty(len(data.event_y), dtype=object)
    joint_pred = np.empty(len(data.event_y), dtype=object)
    for k in range(FOLDS):
        test = (folds == k) & scored
        quad_head = quad.heads[k]
        if not test.any() or quad_head is None:
            continue
        quad_p = quad_head.probabilities(data.event_x[test])
        quad_col = {label: i for i, label in enumerate(quad_head.labels)}
        head = fit_event(data.event_x[folds != k], data.event_y[folds != k])
        type_p = head.probabilities(data.event_x[test])
        head_pred[test] = np.array(head.labels)[type_p.argmax(axis=1)]
        weights = np.array([quad_p[:, quad_col[quad_of(t)]] for t in head.labels]).T
        joint_pred[test] = np.array(head.labels)[(type_p * weights).argmax(axis=1)]
    return head_pred, joint_pred


def check_on_news(
    quad: KernelSVCHead, event: LinearHead, encoder: SentenceEncoder, path: Path = NEWS_SAMPLE
) -> NewsCheck:
    """Heads fitted on all the training data (the quad head calibrated), scored on news
    sentences they never saw, each coded as the coder codes it (``pick_event_type``: no event
    unless a quad beats "none")."""
    rows = _read_jsonl(path)
    truth = np.array([row["label"] for row in rows])
    features = encoder.encode([row["sentence"] for row in rows])
    quad_p, type_p = quad.probabilities(features), event.probabilities(features)
    event_quads = [quad_of(t) for t in event.labels]
    coded = []
    for q, t in zip(quad_p, type_p, strict=True):
        best = pick_event_type(dict(zip(quad.labels, q, strict=True)), t, event_quads)
        coded.append(NO_EVENT if best is None else event_quads[best])
    labels = sorted(quad.labels)
    is_event, coded_event = truth != NO_EVENT, np.array(coded) != NO_EVENT
    found = int((is_event & coded_event).sum())
    return NewsCheck(
        coded=ClassReport.from_predictions(truth, coded, labels),
        quad_head=ClassReport.from_predictions(truth, predict_labels(quad, features), labels),
        event_precision=round(found / max(int(coded_event.sum()), 1), 3),
        event_recall=round(found / max(int(is_event.sum()), 1), 3),
    )


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _pairs(actors: set[str], recipients: set[str]) -> set[tuple[str, str]]:
    """The unordered country pairs an event feeds, as ``newsmon.signals.detector.fan_out``."""
    return {pair_key(a, r) for a in actors for r in recipients if a != r}


@dataclass
class _RoleCounts:
    """Counts behind ``NewsRoleCheck``, for the coder or the baseline."""

    sides: int = 0
    actor_ok: int = 0
    recipient_ok: int = 0
    pairs_found: int = 0
    pairs_coded: int = 0
    pairs_right: int = 0

    def add(
        self, gold: tuple[set[str], set[str]], actors: list[str], recipients: list[str]
    ) -> None:
        gold_actors, gold_recipients = gold
        if gold_actors and gold_recipients:
            self.sides += 1
            self.actor_ok += bool(actors) and actors[0] in gold_actors
            self.recipient_ok += bool(recipients) and recipients[0] in gold_recipients
        coded, truth = _pairs(set(actors), set(recipients)), _pairs(gold_actors, gold_recipients)
        self.pairs_found += len(truth)
        self.pairs_coded += len(coded)
        self.pairs_right += len(coded & truth)

    def shares(self) -> tuple[float, float, float, float]:
        return (
            _share(self.actor_ok, self.sides),
            _share(self.recipient_ok, self.sides),
            _share(self.pairs_right, self.pairs_coded),
            _share(self.pairs_right, self.pairs_found),
        )


def check_roles_on_news(
    role_head: LinearHead,
    encoder: SentenceEncoder,
    resolver: ActorResolver,
    path: Path = NEWS_ROLES,
) -> NewsRoleCheck:
    """Actors and recipients of the news check's event sentences that name two countries,
    labelled blind (``services/nlp/data/news_sample``), against the coder's role assignment with
    the role head fitted on all of ConfliBERT. Pairs are what a signal is made of: a pair the
    coder feeds that the annotator did not is a wrong input to some pair's index."""
    rows = _read_jsonl(path)
    tokens = encoder.encode_with_tokens([row["sentence"] for row in rows]).tokens
    coder, baseline = _RoleCounts(), _RoleCounts()
    for row, states in zip(rows, tokens, strict=True):
        on = date.fromisoformat(row["published"][:10])
        mentions = resolver.resolve(row["sentence"], on)
        actors, recipients = assign_roles(mentions, states, role_head, row["sentence"])
        gold = (set(row["actors"]), set(row["recipients"]))
        coder.add(gold, [a.code for a in actors], [r.code for r in recipients])
        first, following = _baseline_roles(mentions)
        baseline.add(gold, [first] if first else [], [following] if following else [])
    return NewsRoleCheck(len(rows), coder.sides, *coder.shares(), *baseline.shares())


def evaluate_topics(data: TrainingData) -> tuple[TopicCalibration, TopicCalibrationReport]:
    """The topic calibration fitted on all CASE snippets, and its cross-validated report."""
    return evaluate_calibration(
        data.topic_affinities,
        data.topic_case_types,
        data.topic_groups,
        [c.name for c in plover_contexts()],
        TEMPERATURE,
        FOLDS,
    )


def evaluate(data: TrainingData, encoder: SentenceEncoder, resolver: ActorResolver) -> EvalReport:
    quad = QuadFolds.fit(data)
    quad_scores, quad_classes = quad.out_of_fold_scores(data)
    quad_pred = quad_classes[quad_scores.argmax(axis=1)]
    quad_labels = sorted(set(data.quad_y))
    quad_report = ClassReport.from_predictions(data.quad_y, quad_pred, quad_labels)
    news = data.quad_sources == "conflibert_cameo"
    quad_news = ClassReport.from_predictions(data.quad_y[news], quad_pred[news], quad_labels)
    four = ClassReport.from_predictions(data.quad_y, quad_pred, list(QUAD_CLASSES))
    truth = np.array([list(quad_classes).index(y) for y in data.quad_y])
    quad_calibration = evaluate_temperature(quad_scores, truth, quad.folds)

    head_pred, joint_pred = _event_predictions(data, quad)
    case, cue = data.event_is_case, data.event_is_cue
    case_labels = sorted(set(data.event_y[case]))
    cue_labels_seen = sorted(set(data.event_y[cue]))

    token_pred = cross_validated_predictions(
        data.role_x,
        data.role_y,
        data.role_groups,
        fit_roles,
        lambda head, x: np.array([ROLE_LABELS.index(lbl) for lbl in predict_labels(head, x)]),
    )
    mode_folds = np.array([datasets.fold_of(g, FOLDS) for g in data.mode_groups])
    mode_pred = np.empty(len(data.mode_y), dtype=object)
    for k in range(FOLDS):
        test = (mode_folds == k) & data.mode_is_case
        if not test.any():
            continue
        head = fit_mode(data.mode_x[~test], data.mode_y[~test])
        rows = np.flatnonzero(test)
        probs = head.probabilities(data.mode_x[rows])
        types = np.array([label.split("/")[0] for label in head.labels])
        for i, row in enumerate(rows):
            allowed = types == data.mode_y[row].split("/")[0]
            mode_pred[row] = head.labels[int(np.where(allowed, probs[i], -1.0).argmax())]
    case_modes = data.mode_is_case
    topic_calibration, topic_report = evaluate_topics(data)
    quad_all = fit_quad(data.quad_x, data.quad_y)
    event_all = fit_event(data.event_x, data.event_y)
    role_all = fit_roles(data.role_x, data.role_y)
    return EvalReport(
        quad=quad_report,
        quad_news=quad_news,
        quad_four_class_macro_f1=four.macro_f1,
        quad_calibration=quad_calibration,
        event_head=ClassReport.from_predictions(data.event_y[case], head_pred[case], case_labels),
        event_joint=ClassReport.from_predictions(data.event_y[case], joint_pred[case], case_labels),
        event_cue_agreement=ClassReport.from_predictions(
            data.event_y[cue], joint_pred[cue], cue_labels_seen
        ),
        roles_tokens=ClassReport.from_predictions(
            [ROLE_LABELS[i] for i in data.role_y],
            [ROLE_LABELS[i] for i in token_pred],
            ROLE_LABELS,
        ),
        roles_countries=evaluate_roles(data, encoder, resolver),
        modes=ClassReport.from_predictions(
            data.mode_y[case_modes], mode_pred[case_modes], sorted(set(data.mode_y[case_modes]))
        ),
        topics=topic_report,
        news_check=check_on_news(
            replace(quad_all, temperature=quad_calibration.temperature), event_all, encoder
        ),
        news_roles=check_roles_on_news(role_all, encoder, resolver),
        counts=data.counts,
        fitted=FittedCalibrations(
            quad_calibration.temperature, quad_all, event_all, role_all, topic_calibration
        ),
    )
