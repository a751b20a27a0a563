"""A progress bar on stderr: input bytes read of the total (hence an ETA), articles/s and
sentences/s."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm


class Progress:
    def __init__(self, total_bytes: int, *, enabled: bool) -> None:
        self._bar = tqdm(
            total=total_bytes,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="scoring",
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
            smoothing=0.1,
        )
        self._start = time.perf_counter()
        self.articles = 0
        self.sentences = 0

    def skipped(self, consumed: int) -> None:
        """A chunk finished by an earlier run: move the bar, not the rates."""
        self._move(consumed)

    def scored(self, consumed: int, articles: int, sentences: int) -> None:
        self.articles += articles
        self.sentences += sentences
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        self._bar.set_postfix_str(
            f"{self.articles / elapsed:,.0f} articles/s, {self.sentences / elapsed:,.0f} "
            "sentences/s",
            refresh=False,
        )
        self._move(consumed)

    def close(self) -> None:
        self._bar.close()

    def _move(self, consumed: int) -> None:
        self._bar.update(max(0, min(consumed, self._bar.total) - self._bar.n))
