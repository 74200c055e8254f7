"""Regime-threatening pressure on a country: the raw material of ``ally_at_risk``.

Three kinds of dyadic events count against a country B (``pressure_kind``):

- unrest: B's own civilians, opposition or rebels (agent CVL, OPP, REB) in a conflict event,
  or a PROTEST event whose actor is B without a state sector;
- repression: B's government, military or police coercing or assaulting with no foreign
  recipient (the coder leaves the recipient empty when the sentence names only one country);
- outside threats: another country threatening, coercing, sanctioning, mobilising against or
  assaulting B (that country becomes the signal's third party).

Pressure is an exponentially weighted count of such events (confidence-weighted, half-life
``PRESSURE_HALF_LIFE`` on event time). It is "regime-threatening" at ``RAISE_PRESSURE`` weighted
events and stops being so under ``CLEAR_PRESSURE`` (hysteresis).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from newsmon.signals.pair_index import DAY, SEEN_KEPT, EvidenceItem, Ewma, strongest_evidence

PRESSURE_HALF_LIFE = 14 * DAY
RAISE_PRESSURE = 2.0
CLEAR_PRESSURE = 1.0
UNREST_AGENTS = {"CVL", "OPP", "REB"}
STATE_AGENTS = {"GOV", "MIL", "COP", "SPY", "JUD", None}
CONFLICT_QUADS = {"verbal_conflict", "material_conflict"}
REPRESSION_TYPES = {"COERCE", "ASSAULT"}
OUTSIDE_TYPES = {"THREATEN", "COERCE", "SANCTION", "MOBILIZE", "ASSAULT"}


def pressure_targets(event: dict) -> list[tuple[str, str, str | None]]:
    """(country under pressure, kind, outside actor) for every way this event presses one."""
    found: list[tuple[str, str, str | None]] = []
    quad, kind = event["quad_class"], event["event_type"]
    recipients = {r["code"] for r in event["recipients"]}
    for actor in event["actors"]:
        code, agent = actor["code"], actor.get("agent")
        if (quad in CONFLICT_QUADS and agent in UNREST_AGENTS) or (
            kind == "PROTEST" and agent not in STATE_AGENTS - {None}
        ):
            found.append((code, "unrest", None))
        elif kind in REPRESSION_TYPES and agent in STATE_AGENTS and recipients <= {code}:
            found.append((code, "repression", None))
        if kind in OUTSIDE_TYPES:
            found.extend((target, "outside", code) for target in sorted(recipients - {code}))
    return sorted(set(found), key=lambda t: (t[0], t[1], t[2] or ""))


@dataclass
class PressureState:
    country: str
    level: Ewma = field(default_factory=lambda: Ewma(PRESSURE_HALF_LIFE))
    kinds: dict[str, int] = field(default_factory=dict)
    outside: dict[str, float] = field(default_factory=dict)
    evidence: list[EvidenceItem] = field(default_factory=list)
    fingerprints: list[int] = field(default_factory=list)
    at_risk: bool = False
    seen_events: list[str] = field(default_factory=list)

    @property
    def pressure(self) -> float:
        return self.level.weight

    @property
    def main_outside_actor(self) -> str | None:
        if not self.outside:
            return None
        return max(sorted(self.outside), key=self.outside.__getitem__)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PressureState:
        return cls(
            country=data["country"],
            level=Ewma(**data["level"]),
            kinds=dict(data["kinds"]),
            outside=dict(data["outside"]),
            evidence=[EvidenceItem(**e) for e in data["evidence"]],
            fingerprints=list(data["fingerprints"]),
            at_risk=data["at_risk"],
            seen_events=list(data["seen_events"]),
        )


def add_pressure(
    state: PressureState, evidence: EvidenceItem, kind: str, outside_actor: str | None
) -> str:
    """Fold one pressure event in; returns "raised", "updated", "cleared" or "none"."""
    key = f"{evidence.event_id}:{kind}:{outside_actor or ''}"
    if key in state.seen_events:
        return "none"
    state.seen_events.append(key)
    del state.seen_events[:-SEEN_KEPT]
    state.level.add(1.0, max(evidence.confidence, 0.05), evidence.event_time)
    state.kinds[kind] = state.kinds.get(kind, 0) + 1
    if outside_actor:
        state.outside[outside_actor] = state.outside.get(outside_actor, 0.0) + evidence.confidence
    if evidence.fingerprint not in state.fingerprints:
        state.fingerprints.append(evidence.fingerprint)
        del state.fingerprints[:-200]
    state.evidence = strongest_evidence(state.evidence, evidence)
    if not state.at_risk and state.pressure >= RAISE_PRESSURE:
        state.at_risk = True
        return "raised"
    if state.at_risk and state.pressure < CLEAR_PRESSURE:
        state.at_risk = False
        return "cleared"
    return "updated" if state.at_risk else "none"
