"""Learn the sentence splitter's Punkt parameters from the training text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nltk.tokenize.punkt import PunktTrainer


def learn_splitter_params(documents: Iterable[str]) -> dict[str, Any]:
    """Train Punkt on running text and return its parameters as plain, JSON-able data.

    ``documents`` are whole articles (sentences joined by spaces); Punkt learns abbreviations,
    collocations, frequent sentence starters and each word's capitalisation habits from them.
    """
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    for document in documents:
        trainer.train(document, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    return {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted(list(pair) for pair in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": {word: int(flags) for word, flags in sorted(params.ortho_context.items())},
    }
