"""framelens training: read and check labelled CSVs, fit, evaluate and publish models."""

from .dataset import Dataset, Row, read_dataset
from .evaluate import compute_metrics, plot_metrics
from .fit import SHIPPED_CONFIG, FitConfig, build_pipeline, fit_pipeline
from .publish import DEFAULT_TOLERANCE, TrainResult, train
from .splitter import learn_splitter_params

__all__ = [
    "DEFAULT_TOLERANCE",
    "SHIPPED_CONFIG",
    "Dataset",
    "FitConfig",
    "Row",
    "TrainResult",
    "build_pipeline",
    "compute_metrics",
    "fit_pipeline",
    "learn_splitter_params",
    "plot_metrics",
    "read_dataset",
    "train",
]
