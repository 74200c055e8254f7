from newsmon.alerts.alerts import article_alerts, is_material, signal_alerts
from newsmon.alerts.matching import alert_id
from newsmon.alerts.subscriptions import Filters, Subscription


def subscription(sid: str = "sub_1", **filters: object) -> Subscription:
    return Subscription(
        id=sid,
        owner="k1",
        name="watch",
        filters=Filters(**filters),
        created_at=0.0,
        updated_at=0.0,
    )


SIGNAL = {
    "signal_id": "s1",
    "version": 2,
    "signal_type": "ally_at_risk",
    "pair": ["RUS", "IRN"],
    "third_party": "USA",
    "direction": "toward_conflict",
    "magnitude": 3.0,
    "confidence": 0.6,
    "independent_sources": 3,
    "status": "active",
    "summary": "Iran under pressure",
    "evidence": [
        {
            "article_id": "a",
            "url": "https://e.org/a",
            "sentence": "Protests in Tehran.",
            "source": "wire",
        }
    ],
}


def test_filters_are_anded_and_values_ored() -> None:
    matching = [
        subscription(),
        subscription(countries=["usa"]),
        subscription(pairs=[("IRN", "RUS")]),
        subscription(signal_types=["ally_at_risk", "realignment"], min_confidence=0.5),
        subscription(keywords=["tehran"]),
    ]
    missing = [
        subscription(countries=["FRA"]),
        subscription(pairs=[("RUS", "SYR")]),
        subscription(signal_types=["dyad_shift"]),
        subscription(min_confidence=0.9),
        subscription(min_magnitude=5),
        subscription(keywords=["caracas"]),
        subscription(kinds=["article"]),
        subscription(countries=["IRN"], min_confidence=0.9),
    ]
    found = signal_alerts(matching + missing, SIGNAL, {}, now=1.0)
    assert [s.filters for s, _ in found] == [s.filters for s in matching]
    _, alert = found[0]
    assert alert.alert_id == alert_id("sub_1", "s1", 2)
    assert alert.evidence[0].sentence == "Protests in Tehran." and alert.url == "https://e.org/a"


def test_cleared_signals_do_not_alert() -> None:
    assert signal_alerts([subscription()], {**SIGNAL, "status": "cleared"}, {}, 1.0) == []


def test_material_change_control() -> None:
    assert is_material(None, SIGNAL)
    last = {"version": 1, "direction": "toward_conflict", "magnitude": 2.9}
    assert not is_material(last, SIGNAL)
    assert is_material({**last, "magnitude": 2.0}, SIGNAL)
    assert is_material({**last, "direction": "toward_cooperation"}, SIGNAL)
    assert not is_material({**last, "version": 2, "magnitude": 1.0}, SIGNAL)
    every = subscription("sub_2").model_copy(update={"material_changes_only": False})
    found = signal_alerts([subscription(), every], SIGNAL, {"sub_1": last, "sub_2": last}, 1.0)
    assert [s.id for s, _ in found] == ["sub_2"]


def test_articles_match_topics_countries_and_keywords() -> None:
    article = {
        "id": "art1",
        "title": "Talks in Oman",
        "url": None,
        "source": "wire",
        "top_topics": ["diplomatic"],
        "sentences": ["Iran and the US met in Muscat."],
    }
    subs = [
        subscription("a", kinds=["article"], topics=["diplomatic"]),
        subscription("b", kinds=["article"], countries=["IRN"]),
        subscription("c", kinds=["article"], keywords=["muscat"]),
        subscription("d", kinds=["article"], topics=["health"]),
        subscription("e"),
    ]
    found = article_alerts(subs, article, {"IRN", "USA"}, 1.0)
    assert [s.id for s, _ in found] == ["a", "b", "c"]
