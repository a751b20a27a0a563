"""A tiny stance corpus where the same words mean FAVOR for one target and AGAINST for another.

Three targets, 32 rows each: sentences calling for a ban, sentences defending freedom of choice,
and neutral ones. For "smoking" and "vaping" a ban is AGAINST and freedom is FAVOR; for "smoking
ban" it is the other way round. One model per target learns this cleanly; one shared model
cannot, and the augmented model is pulled toward the two targets that agree.
"""

from __future__ import annotations

import csv
from pathlib import Path

BAN = [
    "Ban it in every public place.",
    "The council should ban it outright.",
    "A ban would protect our children.",
    "Ban it near schools and playgrounds.",
    "A total ban, with fines for the shops.",
    "It harms everyone nearby, so ban it.",
    "Parliament must pass the ban this year.",
    "Ban it on every beach and in every park.",
    "A strict ban is the only sensible answer.",
    "Shops that ignore the ban should lose their licence.",
    "Ban it before more people get sick.",
    "We need a tougher ban today.",
]
FREEDOM = [
    "Adults have the freedom to decide this.",
    "Leave people their freedom to choose.",
    "It is about freedom, not the state's business.",
    "Grown adults deserve the freedom to choose.",
    "Freedom means letting every adult choose.",
    "The government should respect our freedom here.",
    "Personal freedom matters more than rules.",
    "Respect the freedom of consenting adults.",
    "People deserve the freedom to live as they please.",
    "Stop taking away the freedom of citizens.",
    "Free people should keep the freedom of their own habits.",
    "Ministers must not trample on our freedom.",
]
NEUTRAL = [
    "The hearing is on Tuesday.",
    "Officials will publish figures next month.",
    "The debate lasted three hours.",
    "Reporters asked about the timetable.",
    "The vote was postponed again.",
    "Two committees will review the proposal.",
    "A survey of shop owners is under way.",
    "The minister spoke to journalists after lunch.",
]
# target -> (label of a ban sentence, label of a freedom sentence)
TARGETS = {
    "Smoking": ("AGAINST", "FAVOR"),
    "Vaping": ("AGAINST", "FAVOR"),
    "Smoking ban": ("FAVOR", "AGAINST"),
}


def stance_rows() -> list[tuple[str, str, str]]:
    """(text, label, target) rows of the corpus."""
    rows = []
    for target, (ban, freedom) in TARGETS.items():
        rows += [(text, ban, target) for text in BAN]
        rows += [(text, freedom, target) for text in FREEDOM]
        rows += [(text, "NONE", target) for text in NEUTRAL]
    return rows


def write_stance_csv(path: Path) -> Path:
    """The corpus as a ``text,label,target`` CSV."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "target"])
        w.writerows(stance_rows())
    return path
