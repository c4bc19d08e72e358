"""Former home of the calibrated vote model, now split by idea; these names stay
importable from here for callers not yet updated. New code imports from the modules that
define them (:mod:`sim.calibration.fitting`, :mod:`~sim.calibration.prediction`,
:mod:`~sim.calibration.event_forecast`, :mod:`~sim.calibration.parameters`,
:mod:`~sim.calibration.config`, :mod:`~sim.calibration.blocs`)."""

from __future__ import annotations

from .blocs import BLOCS
from .config import FitConfig
from .event_forecast import event_probabilities_for, vote_model
from .fitting import fit, fit_steps
from .parameters import CalibrationParams
from .prediction import Prediction, extend_history, predict

__all__ = ["BLOCS", "CalibrationParams", "FitConfig", "Prediction", "event_probabilities_for",
           "extend_history", "fit", "fit_steps", "predict", "vote_model"]
