"""Event types from a zero-shot NLI model, for users who have one (``NEWSMON_ZERO_SHOT_MODEL``).

transformers' ``zero-shot-classification`` pipeline scores each PLOVER type as a hypothesis
("This sentence is about {type}: {definition}") against the sentence. It replaces the trained
event-type head's probabilities in the coder; the quad head still gates and orients the choice.
It costs one NLI pass per sentence and type, so it is for users with a GPU or a small stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from newsmon.nlp.ontology import EVENT_TYPE_NAMES, event_type
from transformers import pipeline

HYPOTHESIS = "This sentence is about {}."


def _label_text(name: str) -> str:
    first = event_type(name).definition.split(".")[0].strip()
    return f"{name.lower()} ({first[:80]})"


class ZeroShotEventTypes:
    def __init__(self, model: str) -> None:
        self.pipe = pipeline("zero-shot-classification", model=model, device=-1)
        self.labels: tuple[str, ...] = EVENT_TYPE_NAMES
        self._texts = [_label_text(n) for n in self.labels]
        self._name_of = dict(zip(self._texts, self.labels, strict=True))
        self.label = f"zero-shot/{model}"

    def probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(sentences), len(self.labels)), dtype=np.float64)
        if not sentences:
            return out
        results = self.pipe(list(sentences), self._texts, hypothesis_template=HYPOTHESIS)
        if isinstance(results, dict):
            results = [results]
        column = {name: i for i, name in enumerate(self.labels)}
        for row, result in enumerate(results):
            for text, score in zip(result["labels"], result["scores"], strict=True):
                out[row, column[self._name_of[text]]] = score
        return out
