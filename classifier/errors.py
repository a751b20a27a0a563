"""framelens' exceptions. Each builds its message from the offending value, so a problem is
worded the same way wherever it is raised."""

from __future__ import annotations


class FramelensError(Exception):
    """Base of every error framelens raises on purpose; the CLI and the API show its message."""

    code = "framelens_error"


class SchemeError(FramelensError):
    """A label scheme file is missing, unreadable or invalid."""

    code = "invalid_scheme"

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source, self.field, self.problem = source, field, problem
        super().__init__(f"{source}: field '{field}': {problem}")


class ModelNotFoundError(FramelensError):
    """The registry holds no model under that name."""

    code = "model_not_found"

    def __init__(self, registry: str, version: str | None, available: list[str]) -> None:
        self.version = version
        if version is None:
            msg = (
                f"no current model in the registry at {registry}; train the shipped default "
                "with 'framelens train --default' (add '--models DIR' if this is not your "
                "default registry) or your own with 'framelens train CSV...'"
            )
        else:
            shown = ", ".join(available[-10:]) or "none"
            msg = f"no model version '{version}' in the registry at {registry} (available: {shown})"
        super().__init__(msg)


class NoPreviousModelError(ModelNotFoundError):
    """``rollback`` with nothing to go back to."""

    def __init__(self, registry: str, current: str | None) -> None:
        self.version = "previous"
        FramelensError.__init__(
            self,
            f"nothing to roll back to in the registry at {registry}: 'previous' is the model "
            "that was current before the last train or promote, and each rollback steps one "
            f"further back through that history, which is now used up (current: {current or 'none'}"
            "). Pick a version by name: 'framelens models list', then "
            "'framelens models promote VERSION'",
        )


class ModelIntegrityError(FramelensError):
    """A model artefact does not match the manifest written when it was trained."""

    code = "model_integrity"

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(
            f"refusing to load {path}: {problem}. The artefact was changed after training; "
            "retrain it or promote another version"
        )


class TextError(FramelensError):
    """Text given for annotation that cannot be annotated."""

    code = "unusable_text"


class TextEncodingError(TextError):
    """Bytes given as an article that are not UTF-8; the message names the first bad byte."""

    code = "unusable_text"

    def __init__(self, source: str, offset: int, byte: int) -> None:
        self.source, self.offset, self.byte = source, offset, byte
        super().__init__(
            f"{source} is not valid UTF-8: byte 0x{byte:02x} at byte offset {offset}; "
            "save it as UTF-8 (e.g. 'iconv -f latin1 -t utf-8 FILE')"
        )


class TrainingDataError(FramelensError):
    """A labelled CSV breaks a rule; the message names file, line, column and value."""

    code = "invalid_training_data"

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path, self.line, self.column, self.problem = path, line, column, problem
        where = path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


class RegistryStateError(FramelensError):
    """The registry's ``state.json`` cannot be read or has the wrong shape."""

    code = "registry_state"

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"{path} {problem}; fix it by hand or run 'framelens models promote VERSION', "
            "which rewrites it"
        )


class StorageError(FramelensError):
    """Writing a file failed (a full disk, a read-only or missing directory)."""

    code = "storage"

    def __init__(self, path: str, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"cannot write {path}: {problem}; nothing was changed")
