"""Run a framelens command in a subprocess that SIGKILLs itself at a chosen moment.

``kill_at("os:replace", args, tmp_path, pattern="*/.chunks/.tmp-*")`` wraps ``os.replace``; at
the first call whose positional arguments (joined by spaces) match the pattern, the process
writes its own and its children's pids to a file and kills itself with SIGKILL, before the real
call runs (``when="before"``) or after it (``"after"``). Nothing in framelens knows about this:
the wrapper is installed from outside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = r"""
import fnmatch, importlib, json, os, signal, sys
target, pattern, nth, when, pids_file, *args = sys.argv[1:]
module_name, attr_path = target.split(":")
owner = importlib.import_module(module_name)
*parents, attr = attr_path.split(".")
for name in parents:
    owner = getattr(owner, name)
real = getattr(owner, attr)
matches = 0

def children():
    me, found = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                found.append(int(entry))
    return found

def die():
    with open(pids_file, "w") as f:
        json.dump({"pid": os.getpid(), "children": children()}, f)
    os.kill(os.getpid(), signal.SIGKILL)

def wrapper(*a, **k):
    global matches
    hit = fnmatch.fnmatch(" ".join(map(str, a)), pattern)
    if hit:
        matches += 1
        if matches == int(nth) and when == "before":
            die()
    result = real(*a, **k)
    if hit and matches == int(nth) and when == "after":
        die()
    return result

setattr(owner, attr, wrapper)
if os.environ.get("FAULTS_ONE_CONFIG"):  # train one pipeline, not the whole search: faster
    import training.publish
    training.publish.candidate_configs = lambda base: [base]
from framelens.cli import main
main(args, prog_name="framelens")
"""


@dataclass
class Killed:
    returncode: int
    pid: int | None
    children: list[int]
    stderr: str


def kill_at(
    target: str,
    args: list[str],
    tmp_path: Path,
    *,
    pattern: str = "*",
    nth: int = 1,
    when: str = "before",
    one_config: bool = False,
    timeout: float = 180,
) -> Killed:
    """Run ``framelens ARGS`` and SIGKILL it at the ``nth`` call of ``target`` matching.

    ``one_config``: ``train`` fits one pipeline instead of searching several.
    """
    pids = tmp_path / f"killed-{time.monotonic_ns()}.json"
    command = [sys.executable, "-c", _SCRIPT, target, pattern, str(nth), when, str(pids), *args]
    env = {**os.environ, "FAULTS_ONE_CONFIG": "1" if one_config else ""}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    info = json.loads(pids.read_text()) if pids.exists() else {}
    return Killed(done.returncode, info.get("pid"), info.get("children", []), done.stderr)


def framelens(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "framelens", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def survivors(pids: list[int], *, within: float = 5.0) -> list[int]:
    """The processes of ``pids`` still running after waiting up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def end(pids: list[int]) -> None:
    """Kill what a failed test left running, so it does not hold the next test's locks."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, 9)
