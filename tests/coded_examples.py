"""A hand-coded article, for tests that need the coder's output without running the model."""

from newsmon.nlp.coder import CodedArticle, CodedEvent, Participant


def coded_article(article_id: str, event_id: str = "ev1") -> CodedArticle:
    """One sentence, one US-Venezuela material-conflict event."""
    event = CodedEvent(
        event_id=event_id,
        sentence_index=0,
        sentence="US forces captured Maduro.",
        event_type="COERCE",
        quad_class="material_conflict",
        mode=None,
        actors=[Participant("USA", "MIL", None, "US forces")],
        recipients=[Participant("VEN", None, "Nicolas Maduro", "Maduro")],
        score=-7.0,
        confidence=0.6,
        auxiliary=[],
    )
    return CodedArticle(
        id=article_id,
        sentences=["US forces captured Maduro."],
        topics={"military": 0.7, "legal": 0.3},
        top_topics=["military"],
        events=[event],
    )
