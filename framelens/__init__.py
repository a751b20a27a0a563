"""framelens: whose framing does each sentence of a news article carry?

This package is the command line (``framelens.cli``) and the files the web page serves
(``framelens/static``); the runtime is ``classifier``, training is ``training``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("framelens")
except PackageNotFoundError:  # pragma: no cover - running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
