"""Errors of batch scoring: an input that cannot be read, an output directory that is taken."""

from __future__ import annotations

from ..errors import FramelensError


class BatchInputError(FramelensError):
    """An input file or directory that cannot be scored as a whole (one bad row is a reject)."""

    code = "invalid_batch_input"

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source, self.row, self.column, self.problem = source, row, column, problem
        where = source
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


class OutputDirError(FramelensError):
    """The output directory holds another run's results, or is in use by a running score."""

    code = "output_dir_in_use"

    def __init__(self, path: str, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"output directory {path}: {problem}")


class EngineError(FramelensError):
    """The engine that scores chunks could not start (a Dask scheduler out of reach)."""

    code = "engine_unavailable"
