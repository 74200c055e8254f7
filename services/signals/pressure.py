"""Regime-threatening pressure on a country: the raw material of ``ally_at_risk``.

Three kinds of dyadic events count against a country B (``pressure_targets``):

- unrest: B's own civilians, opposition or rebels (agent CVL, OPP, REB) in a conflict event,
  on either side of it, with no foreign state against them ("government forces killed 2,500
  protesters", whoever the coder made the actor); a PROTEST event whose actor is B without a
  state sector; or a PROTEST against B's state by someone who is not another state (a
  rights group, unnamed demonstrators). Another state's protest is diplomacy, not unrest;
- repression: B's government, military, police, intelligence or courts (an explicit state
  sector: "Pakistan" alone in "militants attacked a train in Pakistan" is not its state)
  coercing or assaulting with no foreign recipient;
- outside intervention: another state (not its militants or civilians, ``_is_state``)
  assaulting, coercing or mobilising against B, or
  threatening it with violence or its territory (PLOVER's THREATEN modes ``violence`` and
  ``territory``); that country becomes the signal's third party. Sanctions and threats to
  restrict trade or cut relations are pressure on a government's policy, not on its survival,
  and rivals exchange them all the time: counted, they put every rival of the United States
  permanently "at risk".

Only states are put under pressure: a rights group "protesting" is not a regime at risk.

Unrest and outside threats *challenge* a regime; repression is how a regime answers a
challenge, so it counts only as far as there is one: ``pressure = challenge + min(repression,
challenge)``, each an exponentially weighted count of its events (half-life
``PRESSURE_HALF_LIFE`` on event time), each event weighed by its confidence and its scale
(``severity``): a report that forces killed 2,500 protesters presses more than one of a
protest. A state that censors with nobody pressing it (internet controls, say) is not at
risk; one that shoots protesters while an outside power threatens it is, twice over.
Pressure is "regime-threatening" at ``RAISE_PRESSURE`` and stops being so under
``CLEAR_PRESSURE`` (hysteresis).

As for pairs (``newsmon.signals.pair_index``), the kept history is replayed in event-time
order on every event, so the outcome does not depend on the order the news arrived in, and
the hysteresis decides once per event time (an article at once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from newsmon.nlp.actors import STATE_AGENTS, country_codes
from newsmon.signals.pair_index import (
    DAY,
    SEEN_KEPT,
    EvidenceItem,
    Ewma,
    decay,
    first_reports,
    first_time_seen,
    insert_sorted,
    latest_evidence,
    report_key,
    strongest,
    strongest_evidence,
    transition,
    with_step_ends,
)

PRESSURE_HALF_LIFE = 14 * DAY
REPORT_FIELD = 4  # where a pressure history item keeps its report key (and kind)
LATEST_KEPT = 16  # reports kept for the evidence of a signal raised now
EVIDENCE_HORIZON = 2 * PRESSURE_HALF_LIFE
RAISE_PRESSURE = 2.0
CLEAR_PRESSURE = 1.0
UNREST_AGENTS = {"CVL", "OPP", "REB"}
CONFLICT_QUADS = {"verbal_conflict", "material_conflict"}
REPRESSION_TYPES = {"COERCE", "ASSAULT"}
OUTSIDE_TYPES = {"COERCE", "MOBILIZE", "ASSAULT"}
INTERVENTION_THREATS = {"violence", "territory"}


def severity(size: dict | None) -> float:
    """How much more than an unquantified report an event weighs, by the harm its sentence
    states (PLOVER's size, ``newsmon.nlp.casualties``): ``1 + log10(1 + harm)``, with harm the
    dead plus a tenth of the injured and the arrested. Each tenfold of harm adds the weight of
    one report: one killed 1.3, twelve 2.1, 2,500 4.4. A judgement, not fitted: the scale of
    violence is what separates a regime's crisis from its routine unrest (a crackdown that
    kills thousands is not one protest report), yet one sentence, however grave, should not
    outweigh many; the logarithm keeps both."""
    if not size:
        return 1.0
    harm = (size.get("dead") or 0) + ((size.get("injured") or 0) + (size.get("arrested") or 0)) / 10
    return 1.0 + math.log10(1.0 + harm)


def _intervention(event: dict) -> bool:
    kind = event["event_type"]
    return kind in OUTSIDE_TYPES or (
        kind == "THREATEN" and event.get("mode") in INTERVENTION_THREATS
    )


def _is_state(participant: dict, states: frozenset[str]) -> bool:
    """A country acting as a state: its government, forces or officials, or the country named
    alone. Its militants, rebels or civilians ("militants attacked a Kenya-U.S. base") and
    rights groups are not another state intervening."""
    agent = participant.get("agent")
    return participant["code"] in states and (agent is None or agent in STATE_AGENTS)


def pressure_targets(event: dict) -> list[tuple[str, str, str | None]]:
    """(country under pressure, kind, outside actor) for every way this event presses one."""
    found: list[tuple[str, str, str | None]] = []
    quad, kind = event["quad_class"], event["event_type"]
    recipients = {r["code"] for r in event["recipients"]}
    states = country_codes()
    for actor in event["actors"]:
        code, agent = actor["code"], actor.get("agent")
        if (quad in CONFLICT_QUADS and agent in UNREST_AGENTS) or (
            kind == "PROTEST" and agent not in STATE_AGENTS
        ):
            found.append((code, "unrest", None))
        elif kind in REPRESSION_TYPES and agent in STATE_AGENTS and recipients <= {code}:
            found.append((code, "repression", None))
        if _intervention(event) and _is_state(actor, states):
            found.extend((target, "outside", code) for target in sorted(recipients - {code}))
    actor_states = {a["code"] for a in event["actors"] if _is_state(a, states)}
    for recipient in event["recipients"]:
        code, agent = recipient["code"], recipient.get("agent")
        if actor_states - {code}:
            continue  # a foreign state acting on B: ``outside`` above, or diplomacy
        if (quad in CONFLICT_QUADS and agent in UNREST_AGENTS) or kind == "PROTEST":
            found.append((code, "unrest", None))
    return sorted({t for t in found if t[0] in states}, key=lambda t: (t[0], t[1], t[2] or ""))


@dataclass
class PressureReading:
    challenge: Ewma
    repression: Ewma

    @property
    def pressure(self) -> float:
        """Both sums decayed to the latest event of either: repression last seen months ago
        no longer counts as answering today's challenge at full weight (it did until
        2026-12-03, since a sum decays only when it is next added to)."""
        times = [t for t in (self.challenge.time, self.repression.time) if t is not None]
        if not times:
            return 0.0
        now = max(times)
        challenge = self.challenge.weight_at(now)
        return challenge + min(self.repression.weight_at(now), challenge)

    def push(self, item: list) -> None:
        at, weight, kind = item[0], item[1], item[2]
        (self.repression if kind == "repression" else self.challenge).add(1.0, weight, at)


def _without_actor(report: str) -> str:
    """A pressure report's key without its outside actor: the sentence and the kind. (Keys
    written before the actor was added have two fields, and are their own report.)"""
    return report.rsplit(":", 1)[0] if report.count(":") >= 2 else report


def _fresh() -> Ewma:
    return Ewma(PRESSURE_HALF_LIFE)


@dataclass
class PressureState:
    country: str
    # [event time, weight, kind, key, report (sentence:kind:outside actor)]: sorted by time
    # then key, at most HISTORY_KEPT; state written before the report key has four fields
    history: list[list] = field(default_factory=list)
    archived_challenge: Ewma = field(default_factory=_fresh)
    archived_repression: Ewma = field(default_factory=_fresh)
    kinds: dict[str, int] = field(default_factory=dict)
    outside: dict[str, float] = field(default_factory=dict)
    evidence: list[EvidenceItem] = field(default_factory=list)  # the strongest ever
    fingerprints: list[int] = field(default_factory=list)
    at_risk: bool = False
    seen_events: list[str] = field(default_factory=list)
    latest: list[EvidenceItem] = field(default_factory=list)  # of the latest reports
    seen_reports: list[str] = field(default_factory=list)
    archived_reports: list[str] = field(default_factory=list)  # reports in the archived sums

    def _still_pressing(self) -> list[EvidenceItem]:
        """The latest reports within two half-lives of the newest (none kept: none)."""
        if not self.latest:
            return []
        now = max(e.event_time for e in self.latest)
        return [e for e in self.latest if e.event_time >= now - EVIDENCE_HORIZON]

    def recent_fingerprints(self) -> list[int]:
        """The articles of the reports that still press: the sources a signal raised now
        reports; all of the country's where none is kept."""
        return [e.fingerprint for e in self._still_pressing()] or self.fingerprints

    def evidence_now(self) -> list[EvidenceItem]:
        """The strongest of the reports that still press: a regime at risk today is shown with
        today's sentences, not with the strongest of its past; the strongest ever where none
        is kept."""
        return strongest(self._still_pressing()) or self.evidence

    def replay(self) -> PressureReading:
        """Run the history in event-time order through the hysteresis; sets ``at_risk``."""
        reading = PressureReading(
            replace(self.archived_challenge), replace(self.archived_repression)
        )
        at_risk = False
        reports = first_reports(
            self.history, REPORT_FIELD, _without_actor, archived=self.archived_reports
        )
        for item, step_ends in with_step_ends(reports):
            reading.push(item)
            if not step_ends:
                continue
            if not at_risk and reading.pressure >= RAISE_PRESSURE:
                at_risk = True
            elif at_risk and reading.pressure < CLEAR_PRESSURE:
                at_risk = False
        self.at_risk = at_risk
        self._reading = reading
        return reading

    @property
    def pressure(self) -> float:
        cached = getattr(self, "_reading", None)
        return (cached if cached is not None else self.replay()).pressure

    @property
    def main_outside_actor(self) -> str | None:
        """The state pressing hardest now: its reports' weights decayed to the latest event,
        as pressure is (``outside`` keeps lifetime totals, so a threat from months ago would
        stay "the main outside pressure" against a newer and heavier one). Items kept before
        the report key have the outside actor in their key too."""
        reports = first_reports(self.history, REPORT_FIELD)  # per sentence and actor
        if not reports:
            return None
        now = reports[-1][0]
        weights: dict[str, float] = {}
        for at, weight, kind, key, *_ in reports:
            actor = key.rsplit(":", 1)[-1]
            if kind == "outside" and actor:
                decayed = weight * decay(now - at, PRESSURE_HALF_LIFE)
                weights[actor] = weights.get(actor, 0.0) + decayed
        if not weights:
            return None
        return max(sorted(weights), key=weights.__getitem__)

    def as_dict(self) -> dict:
        """What ``dataclasses.asdict`` gives, built directly (see ``PairState.as_dict``)."""
        return {
            "country": self.country,
            "history": [list(item) for item in self.history],
            "archived_challenge": vars(self.archived_challenge).copy(),
            "archived_repression": vars(self.archived_repression).copy(),
            "kinds": dict(self.kinds),
            "outside": dict(self.outside),
            "evidence": [vars(e).copy() for e in self.evidence],
            "fingerprints": list(self.fingerprints),
            "at_risk": self.at_risk,
            "seen_events": list(self.seen_events),
            "latest": [vars(e).copy() for e in self.latest],
            "seen_reports": list(self.seen_reports),
            "archived_reports": list(self.archived_reports),
        }

    @classmethod
    def from_dict(cls, data: dict) -> PressureState:
        return cls(
            country=data["country"],
            history=[list(item) for item in data["history"]],
            archived_challenge=Ewma(**data["archived_challenge"]),
            archived_repression=Ewma(**data["archived_repression"]),
            kinds=dict(data["kinds"]),
            outside=dict(data["outside"]),
            evidence=[EvidenceItem(**e) for e in data["evidence"]],
            fingerprints=list(data["fingerprints"]),
            at_risk=data["at_risk"],
            seen_events=list(data["seen_events"]),
            latest=[EvidenceItem(**e) for e in data.get("latest", [])],  # absent before
            seen_reports=list(data.get("seen_reports", [])),
            archived_reports=list(data.get("archived_reports", [])),
        )


def add_pressure(
    state: PressureState, evidence: EvidenceItem, kind: str, outside_actor: str | None
) -> str:
    """Fold one pressure event in and replay; returns "raised", "updated", "cleared" or
    "none"."""
    before = state.at_risk
    if not fold_pressure(state, evidence, kind, outside_actor):
        return "none"
    return replay_change(state, before)


def replay_change(state: PressureState, before: bool) -> str:
    """Replay the history and say how the at-risk state changed since ``before``."""
    state.replay()
    return transition("at_risk" if before else None, "at_risk" if state.at_risk else None)


def fold_pressure(
    state: PressureState, evidence: EvidenceItem, kind: str, outside_actor: str | None
) -> bool:
    """Add one pressure event without replaying (``replay_change`` does, once per article),
    weighed by its confidence times its ``severity``; False for one already seen."""
    key = f"{evidence.event_id}:{kind}:{outside_actor or ''}"
    if key in state.seen_events:
        return False
    state.seen_events.append(key)
    del state.seen_events[:-SEEN_KEPT]

    def archive(old: list) -> None:  # a copy of a report already archived adds nothing
        at, weight, old_kind = old[0], old[1], old[2]
        report = _without_actor(old[REPORT_FIELD]) if len(old) > REPORT_FIELD else None
        if report is not None and not first_time_seen(state.archived_reports, report, at):
            return
        kept = state.archived_repression if old_kind == "repression" else state.archived_challenge
        kept.add(1.0, weight, at)

    # the sentence and kind make the report; the outside actor is kept apart, so "Israel and
    # the US struck Iran" presses once and counts for both strikers
    report = f"{report_key(evidence.sentence)}:{kind}:{outside_actor or ''}"
    weight = max(evidence.confidence, 0.05) * evidence.severity
    item = [evidence.event_time, weight, kind, key, report]
    at = evidence.event_time
    if first_time_seen(state.seen_reports, _without_actor(report), at):  # counts of reports
        state.kinds[kind] = state.kinds.get(kind, 0) + 1
    if outside_actor and first_time_seen(state.seen_reports, report, at):
        state.outside[outside_actor] = state.outside.get(outside_actor, 0.0) + item[1]
    insert_sorted(state.history, item, archive)
    if evidence.fingerprint not in state.fingerprints:
        state.fingerprints.append(evidence.fingerprint)
        del state.fingerprints[:-200]
    state.evidence = strongest_evidence(state.evidence, evidence)
    state.latest = latest_evidence(state.latest, evidence, LATEST_KEPT)
    return True
