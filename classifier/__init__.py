"""framelens runtime: load a model, split text into sentences, annotate, score."""

from .annotate import annotate
from .errors import (
    FramelensError,
    ModelIntegrityError,
    ModelNotFoundError,
    SchemeError,
    TextEncodingError,
    TextError,
    TrainingDataError,
)
from .model import Model
from .registry import ModelRegistry, default_model_dir
from .scheme import Label, Scheme, available_schemes, infer_scheme, load_scheme
from .text import Sentence, SentenceSplitter, decode_text

__version__ = "0.1.0"

__all__ = [
    "FramelensError",
    "Label",
    "Model",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "ModelRegistry",
    "Scheme",
    "SchemeError",
    "Sentence",
    "SentenceSplitter",
    "TextEncodingError",
    "TextError",
    "TrainingDataError",
    "annotate",
    "available_schemes",
    "decode_text",
    "default_model_dir",
    "infer_scheme",
    "load_scheme",
]
