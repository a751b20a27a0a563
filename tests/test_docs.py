"""The docs stay true: every CLI command has help and appears in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from framelens.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "framelens") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(main), ids=lambda v: str(v))
def test_every_command_has_help_and_is_in_the_readme(name, command):
    assert command.help, f"{name} has no help text"
    assert name in README, f"{name} is not documented in README.md"


def test_readme_opens_with_the_two_commands():
    assert README.index("make run") < README.index("make test") < 1200
