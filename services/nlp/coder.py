"""The sentence event coder: who did what to whom, in PLOVER, for every sentence that names
a political actor, plus the article's topics, from one encoder pass.

Three stages, as in transformers' pipelines:

- ``preprocess``: split articles into sentences and resolve actors in each (time-aware, on the
  article's published date); sector phrases with no country ("government forces") take the
  country their paragraph is about (``newsmon.nlp.discourse``).
- ``forward``: one batched encoder pass over every sentence, giving sentence embeddings (quad,
  event type, topics) and token vectors (roles); the only expensive step.
- ``postprocess``: heads and rules turn those into events:

  1. the quad head scores none/verbal/material x cooperation/conflict; "none" means no event;
  2. the event type is the one maximising P(type) x P(quad of type), so type and quad agree;
  3. actor and recipient come from the role head: each resolved mention gets the mean
     actor/recipient/reciprocal probabilities of its tokens; the most actor-like mention
     (with a prior for coming first, ``ORDER_PRIOR``) is the actor,
     the most recipient-like mention of another country the recipient; mentions as
     actor-like as the actor join it (compound actors); two reciprocal-like mentions are
     coded as acting on each other; countries joined by "and" stay on one side
     (``newsmon.nlp.coordination``); a capital acting in a PROTEST is the place, its
     people, not its government (``capitals_as_places``);
  4. auxiliary modes drop (negation, history) or discount (hypothetical, future) the event;
  5. the mode is the mode head's choice among the type's modes when it holds a majority of
     their probability, else none;
  6. the score is the PLOVER score of the type and mode (the manual's table).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

import numpy as np
from newsmon.core.cpu_threads import single_threaded_blas
from newsmon.core.encoder import EncodedSentences, SentenceEncoder, TokenStates
from newsmon.core.sentences import split_sentences
from newsmon.core.settings import Settings
from newsmon.core.topic_model import ContextTopicModel
from newsmon.nlp.actors import STATE_AGENTS, ActorMention, ActorResolver
from newsmon.nlp.auxiliary import detect_auxiliary_modes
from newsmon.nlp.casualties import SIZE_FIELDS, extract_size
from newsmon.nlp.coordination import acts_jointly, coordination_groups
from newsmon.nlp.discourse import attribute_bare_agents
from newsmon.nlp.heads import Head, load_head
from newsmon.nlp.non_parties import non_party_mentions
from newsmon.nlp.ontology import plover_score, quad_of
from newsmon.nlp.topic_calibration import TopicCalibration
from newsmon.nlp.training import role_features
from newsmon.nlp.zero_shot import ZeroShotEventTypes

HEADS_DIR = Path(__file__).resolve().parent / "data" / "heads"
NO_EVENT = "none"
COMPOUND_MARGIN = 0.1
ORDER_PRIOR = 0.5
MODE_MAJORITY = 0.5


@dataclass(frozen=True)
class ArticleInput:
    id: str
    title: str
    text: str
    published: datetime | None = None


@dataclass(frozen=True)
class Participant:
    code: str
    agent: str | None
    name: str | None
    text: str

    def as_dict(self) -> dict:
        return {"code": self.code, "agent": self.agent, "name": self.name, "text": self.text}


@dataclass(frozen=True)
class CodedEvent:
    event_id: str
    sentence_index: int
    sentence: str
    event_type: str
    quad_class: str
    mode: str | None
    actors: list[Participant]
    recipients: list[Participant]
    score: float
    confidence: float
    auxiliary: list[str]
    size: dict[str, int] | None = None  # PLOVER's dead / injured / arrested, where stated


@dataclass(frozen=True)
class CodedArticle:
    id: str
    sentences: list[str]
    topics: dict[str, float]
    top_topics: list[str]
    events: list[CodedEvent]


@dataclass
class PreparedArticles:
    articles: list[ArticleInput]
    sentences: list[list[str]]
    mentions: list[list[list[ActorMention]]]
    encoded: EncodedSentences | None = None
    titles: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class CoderHeads:
    quad: Head
    event: Head
    role: Head
    mode: Head | None = None
    topics: TopicCalibration | None = None

    @classmethod
    def load(cls, directory: Path = HEADS_DIR) -> CoderHeads:
        missing = [n for n in ("quad", "event", "role") if not (directory / f"{n}.npz").exists()]
        if missing:
            raise FileNotFoundError(
                f"heads {missing} not found in {directory}: run `newsmon train` to create them"
            )
        mode_path, topics_path = directory / "mode.npz", directory / "topics.json"
        return cls(
            *(load_head(directory / f"{n}.npz") for n in ("quad", "event", "role")),
            mode=load_head(mode_path) if mode_path.exists() else None,
            topics=TopicCalibration.load(topics_path) if topics_path.exists() else None,
        )


def pick_event_type(
    quad_by_label: dict[str, float], type_p: np.ndarray, event_quads: Sequence[str]
) -> int | None:
    """The index of the event type maximising P(type) x P(quad of type), so type and quad
    agree; None when the quad head finds no event at least as likely as any quad."""
    joint = np.array([type_p[i] * quad_by_label.get(q, 0.0) for i, q in enumerate(event_quads)])
    best = int(joint.argmax())
    p_none = quad_by_label.get(NO_EVENT, 0.0)
    if joint[best] <= 0 or p_none >= max(quad_by_label.get(q, 0.0) for q in event_quads):
        return None
    return best


def event_id(article_id: str, sentence_index: int, event_type: str) -> str:
    """Stable per (article, sentence, type): re-coding the same article gives the same ids."""
    raw = f"{article_id}:{sentence_index}:{event_type}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _participant(mention: ActorMention) -> Participant:
    return Participant(mention.code, mention.agent, mention.name, mention.text)


def mention_role_probabilities(
    mentions: Sequence[ActorMention], tokens: TokenStates, role_head: Head
) -> list[tuple[float, float, float]]:
    """Mean actor (S), recipient (T) and reciprocal (R) probability of each mention's tokens."""
    probs = role_head.probabilities(role_features(tokens))
    column = {label: i for i, label in enumerate(role_head.labels)}
    out = []
    for m in mentions:
        inside = (tokens.offsets[:, 0] < m.end) & (tokens.offsets[:, 1] > m.start)
        if not inside.any():
            out.append((0.25, 0.25, 0.25))
            continue
        p = probs[inside].mean(axis=0)
        out.append((float(p[column["S"]]), float(p[column["T"]]), float(p[column["R"]])))
    return out


def assign_roles(
    mentions: Sequence[ActorMention], tokens: TokenStates, role_head: Head, text: str
) -> tuple[list[Participant], list[Participant]]:
    """Actors and recipients of one sentence from its resolved mentions (see module doc).

    Actor-likeness is the role head's P(actor) - P(recipient), less ``ORDER_PRIOR`` times the
    mention's relative position: English news names the actor first far more often than not,
    and the head alone, reading one token at a time, under-uses that (cross-validated on
    ConfliBERT, the blend put the actor right in 0.988-0.991 of sentences, depending on the CPU
    it was retrained on, against 0.979 for the head alone and 0.991 for "first mentioned", and
    the recipient in 0.934-0.936 against 0.924 and 0.934).

    Coordinated mentions ("China and Russia") stay on one side (``newsmon.nlp.coordination``):
    the actor's partners join it, the recipient's join it, and a coordinated run that holds
    every country named is coded as acting on each other, unless "both" says it acts jointly.

    A weapon's maker and a foreign base's host take no part (``newsmon.nlp.non_parties``).
    """
    left_out = set(non_party_mentions(mentions, text))
    mentions = [m for m in mentions if m not in left_out]
    if not mentions:
        return [], []
    if len({m.code for m in mentions}) == 1:
        return [_participant(mentions[0])], []
    length = float(tokens.offsets[-1, 1]) if len(tokens.offsets) else 1.0
    probabilities = mention_role_probabilities(mentions, tokens, role_head)
    groups = coordination_groups(mentions, text)
    scored = [
        (mention, p, p[0] - p[1] - ORDER_PRIOR * mention.start / max(length, 1.0))
        for mention, p in zip(mentions, probabilities, strict=True)
    ]
    reciprocal: list[Participant] = []
    for mention, (p_s, p_t, p_r), _ in scored:
        if p_r > max(p_s, p_t) and mention.code not in {p.code for p in reciprocal}:
            reciprocal.append(_participant(mention))
    by_actor = sorted(range(len(scored)), key=lambda i: scored[i][2], reverse=True)
    lead = by_actor[0]
    lead_run = [m for m, g in zip(mentions, groups, strict=True) if g == groups[lead]]
    holds_every_country = {m.code for m in lead_run} == {m.code for m in mentions}
    if holds_every_country and not acts_jointly(lead_run, text):  # "A and B agreed to..."
        reciprocal = _distinct([_participant(m) for m in lead_run])
    if len(reciprocal) >= 2:
        return reciprocal[:2], list(reversed(reciprocal[:2]))
    lead_score = scored[lead][2]
    chosen = [lead]
    for i in by_actor[1:]:
        _, (p_s, p_t, _), score = scored[i]
        if groups[i] == groups[lead] or (p_s > p_t and score >= lead_score - COMPOUND_MARGIN):
            chosen.append(i)
    actors = _distinct([_participant(mentions[i]) for i in chosen])
    taken = {a.code for a in actors}
    actor_groups = {groups[i] for i in chosen}
    others = [
        i for i, m in enumerate(mentions) if m.code not in taken and groups[i] not in actor_groups
    ]
    if not others:
        return actors, []
    best = max(others, key=lambda i: scored[i][1][1] - scored[i][1][0])
    run = [best] + [i for i in others if groups[i] == groups[best] and i != best]
    return actors, _distinct([_participant(mentions[i]) for i in run])


def addresses_a_government(actors: list[Participant], recipients: list[Participant]) -> bool:
    """Another country's government named as the recipient ("Beijing protested to Tokyo"):
    a capital protesting it is more likely the diplomatic protest the type was mistaken
    for, so ``capitals_as_places`` leaves it the government."""
    own = {a.code for a in actors}
    return any(r.agent in STATE_AGENTS and r.code not in own for r in recipients)


def capitals_as_places(
    actors: list[Participant], mentions: Sequence[ActorMention]
) -> list[Participant]:
    """A capital acting in a PROTEST is the place, not the government: PLOVER's PROTEST is
    civilian collective action, and a government's diplomatic protest is ACCUSE. So "Tehran
    is the epicentre of the nightly protests" is unrest in Iran, not Iran's state protesting
    (the resolver already reads "in Tehran" as a place)."""
    capitals = {(m.code, m.text) for m in mentions if m.kind == "capital"}
    return [
        Participant(a.code, None, a.name, a.text) if (a.code, a.text) in capitals else a
        for a in actors
    ]


def _distinct(participants: list[Participant]) -> list[Participant]:
    """The first participant of each country, in order."""
    kept: dict[str, Participant] = {}
    for participant in participants:
        kept.setdefault(participant.code, participant)
    return list(kept.values())


def _size(event_type: str, sentence: str) -> dict[str, int] | None:
    """PLOVER's size for the types that carry one (``SIZE_FIELDS``): the figures the sentence
    states (``newsmon.nlp.casualties``) of the kinds its type can cause."""
    fields = SIZE_FIELDS.get(event_type)
    stated = extract_size(sentence) if fields else None
    size = {k: v for k, v in (stated or {}).items() if k in fields}
    return size or None


def _as_of(published: datetime | None) -> date | None:
    return published.date() if published else None


class EventCoder:
    def __init__(
        self,
        encoder: SentenceEncoder,
        heads: CoderHeads,
        resolver: ActorResolver,
        topic_model: ContextTopicModel | None = None,
        zero_shot: ZeroShotEventTypes | None = None,
    ) -> None:
        self.encoder = encoder
        self.heads = heads
        self.zero_shot = zero_shot
        self.resolver = resolver
        self.topic_model = topic_model or ContextTopicModel(encoder, calibration=heads.topics)
        self.label = f"plover-coder/{encoder.label}"

    @cached_property
    def _quad_index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.heads.quad.labels)}

    @cached_property
    def _event_labels(self) -> tuple[str, ...]:
        return self.zero_shot.labels if self.zero_shot else self.heads.event.labels

    @cached_property
    def _event_quads(self) -> list[str]:
        return [quad_of(t) for t in self._event_labels]

    def _type_probabilities(self, prepared: PreparedArticles) -> np.ndarray:
        assert prepared.encoded is not None
        if self.zero_shot is None:
            return self.heads.event.probabilities(prepared.encoded.pooled)
        flat = [s for article in prepared.sentences for s in article]
        return self.zero_shot.probabilities(flat)

    def preprocess(self, items: Sequence[ArticleInput]) -> PreparedArticles:
        sentences, mentions, titles = [], [], []
        for item in items:
            body = split_sentences(item.text)
            title = item.title.strip()
            sentences.append(([title] if title else []) + body)
            titles.append(bool(title))
            on = _as_of(item.published)
            found = [self.resolver.resolve(s, on, bare_agents=True) for s in body]
            mentions.append(attribute_bare_agents(found, self.resolver.is_country))
        return PreparedArticles(list(items), sentences, mentions, titles=titles)

    def forward(self, prepared: PreparedArticles) -> PreparedArticles:
        flat = [s for article in prepared.sentences for s in article]
        prepared.encoded = self.encoder.encode_with_tokens(flat)
        return prepared

    def postprocess(self, prepared: PreparedArticles) -> list[CodedArticle]:
        encoded = prepared.encoded
        assert encoded is not None, "forward() must run before postprocess()"
        quad_probs = self.heads.quad.probabilities(encoded.pooled)
        mode_probs = self.heads.mode.probabilities(encoded.pooled) if self.heads.mode else None
        type_probs = self._type_probabilities(prepared)
        results, start = [], 0
        for article, sentences, mentions, has_title in zip(
            prepared.articles, prepared.sentences, prepared.mentions, prepared.titles, strict=True
        ):
            rows = slice(start, start + len(sentences))
            start += len(sentences)
            topics, top = self.topic_model.topics_for(encoded.pooled[rows])
            offset = rows.start + (1 if has_title else 0)
            body = sentences[1:] if has_title else sentences
            events = []
            for index, (sentence, found) in enumerate(zip(body, mentions, strict=True)):
                if not found:
                    continue
                row = offset + index
                event = self._code_sentence(
                    None if mode_probs is None else mode_probs[row],
                    article,
                    index,
                    sentence,
                    found,
                    quad_probs[row],
                    type_probs[row],
                    row,
                    encoded,
                )
                if event is not None:
                    events.append(event)
            results.append(CodedArticle(article.id, body, topics, top, events))
        return results

    def __call__(self, items: Sequence[ArticleInput]) -> list[CodedArticle]:
        return self.postprocess(self.forward(self.preprocess(items)))

    def _mode(self, event_type: str, mode_p: np.ndarray | None) -> str | None:
        """The type's most likely mode when it holds a majority of the type's mode probability."""
        if mode_p is None or self.heads.mode is None:
            return None
        labels = self.heads.mode.labels
        rows = [i for i, label in enumerate(labels) if label.split("/")[0] == event_type]
        if not rows:
            return None
        share = mode_p[rows] / max(float(mode_p[rows].sum()), 1e-9)
        best = int(share.argmax())
        return labels[rows[best]].split("/", 1)[1] if share[best] >= MODE_MAJORITY else None

    def _code_sentence(
        self,
        mode_p: np.ndarray | None,
        article: ArticleInput,
        index: int,
        sentence: str,
        mentions: list[ActorMention],
        quad_p: np.ndarray,
        type_p: np.ndarray,
        row: int,
        encoded: EncodedSentences,
    ) -> CodedEvent | None:
        quad_by_label = {label: quad_p[i] for label, i in self._quad_index.items()}
        best = pick_event_type(quad_by_label, type_p, self._event_quads)
        if best is None:
            return None
        event_type = self._event_labels[best]
        quad = self._event_quads[best]
        same_quad = [i for i, q in enumerate(self._event_quads) if q == quad]
        type_given_quad = type_p[best] / max(type_p[same_quad].sum(), 1e-9)
        aux = detect_auxiliary_modes(sentence, _as_of(article.published))
        confidence = float(quad_by_label[quad] * type_given_quad * aux.confidence_factor)
        if confidence <= 0:
            return None
        actors, recipients = assign_roles(mentions, encoded.tokens[row], self.heads.role, sentence)
        if event_type == "PROTEST" and not addresses_a_government(actors, recipients):
            actors = capitals_as_places(actors, mentions)
        mode = self._mode(event_type, mode_p)
        return CodedEvent(
            event_id=event_id(article.id, index, event_type),
            sentence_index=index,
            sentence=sentence,
            event_type=event_type,
            quad_class=quad,
            mode=mode,
            actors=actors,
            recipients=recipients,
            score=plover_score(event_type, mode),
            confidence=round(confidence, 4),
            auxiliary=aux.names,
            size=_size(event_type, sentence),
        )


def build_coder(settings: Settings) -> EventCoder:
    """The coder a process serves with: encoder from settings, committed heads, the default
    actor resolver, and the zero-shot event-type model when one is configured. Numpy's BLAS
    gets one thread, so the heads do not take the encoder's cores (``newsmon.core.cpu_threads``)."""
    single_threaded_blas()
    zero_shot = ZeroShotEventTypes(settings.zero_shot_model) if settings.zero_shot_model else None
    return EventCoder(
        SentenceEncoder.from_settings(settings),
        CoderHeads.load(Path(settings.heads_dir) if settings.heads_dir else HEADS_DIR),
        ActorResolver.default(),
        zero_shot=zero_shot,
    )
