"""What machine a benchmark ran on, for the line each one writes into docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def cpu_model() -> str:
    """The processor's model name from /proc/cpuinfo, or what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def record(title: str, command: str, table: str) -> None:
    """Append a run's table to docs/benchmarks.md under its title, command and machine."""
    with BENCHMARKS.open("a", encoding="utf-8") as f:
        f.write(
            f"\n## {title}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"`{command}` on a {os.cpu_count()}-core {cpu_model()}\n\n{table}\n"
        )
