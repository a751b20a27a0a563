"""Batch scoring of whole corpora: ``framelens score``.

Articles are read from CSV, JSONL, Parquet or .txt directories in fixed-size chunks; each chunk
is split into sentences, scored with one ``predict_proba`` call and written as one file that
appears whole or not at all. Runs resume after a crash, and run in this process, in worker
processes, or on a Dask cluster with the same output.
"""

from ._dask import connect as connect_dask
from ._errors import BatchInputError, EngineError, OutputDirError
from ._readers import Record, open_inputs
from ._run import DEFAULT_CHUNK_SIZE, ENGINES, ScoreOptions, ScoreResult, score_corpus
from ._score import LEVELS, ChunkResult, score_chunk
from ._writers import FORMATS

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ENGINES",
    "FORMATS",
    "LEVELS",
    "BatchInputError",
    "ChunkResult",
    "EngineError",
    "OutputDirError",
    "Record",
    "ScoreOptions",
    "ScoreResult",
    "open_inputs",
    "connect_dask",
    "score_chunk",
    "score_corpus",
]
