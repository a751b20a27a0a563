"""framelens runtime: load a model, split text into sentences, annotate, score."""

from .actors import Actor
from .annotate import annotate
from .attribution import Context, Source, attribute
from .errors import (
    FramelensError,
    ModelIntegrityError,
    ModelNotFoundError,
    SchemeError,
    TextEncodingError,
    TextError,
    TrainingDataError,
)
from .labelling import Labelled, label_articles
from .model import Model
from .registry import ModelRegistry, default_model_dir
from .scheme import Label, Scheme, available_schemes, infer_scheme, load_scheme
from .text import Sentence, SentenceSplitter, decode_text

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Context",
    "FramelensError",
    "Label",
    "Labelled",
    "Model",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "ModelRegistry",
    "Scheme",
    "SchemeError",
    "Sentence",
    "SentenceSplitter",
    "Source",
    "TextEncodingError",
    "TextError",
    "TrainingDataError",
    "annotate",
    "attribute",
    "available_schemes",
    "decode_text",
    "default_model_dir",
    "infer_scheme",
    "label_articles",
    "load_scheme",
]
