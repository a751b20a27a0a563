"""Worker processes that die with their parent.

A worker forked or spawned by a pool lives on when its parent is killed with SIGKILL: nothing
tells it, and a forked one keeps every descriptor it inherited, such as the lock on a scoring
run's output directory. ``die_with_parent`` is run first thing in each worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1
# How often the watchdog looks at the parent, in seconds.
POLL = 0.25


def die_with_parent(parent: int, *, pdeathsig: bool = True) -> None:
    """End this process when ``parent`` (its parent's pid) is gone.

    On Linux, ``PR_SET_PDEATHSIG`` has the kernel send SIGKILL when the parent dies. That signal
    follows the parent *thread* that started the worker, so it is only asked for where that is
    the parent's main thread (``pdeathsig``); a daemon thread watching ``os.getppid()`` covers
    every other case and every other system.
    """
    if pdeathsig and sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # died before we could ask
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="framelens-lifeline", daemon=True).start()


def _watch(parent: int) -> None:
    stop = threading.Event()
    while not stop.wait(POLL):
        if os.getppid() != parent:
            os._exit(1)
