"""A coder-process entry point that dies on purpose, for the coder-restart tests: it runs in
a real coder process (imported there by name), so the crash is a real process death."""

import os

from newsmon.nlp.coder import ArticleInput, CodedArticle
from newsmon.worker.coding import _code_batch

POISON = "This sentence kills its coder process."


def code_or_die(inputs: list[ArticleInput]) -> tuple[list[CodedArticle], str]:
    if any(POISON in item.text for item in inputs):
        os._exit(70)  # as abrupt as the OOM killer: no exception, no clean-up
    return _code_batch(inputs)
