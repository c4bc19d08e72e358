"""The fit's hyper-parameters (:class:`FitConfig`); how they were chosen is in
docs/calibration-tuning.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FitConfig:
    """Hyper-parameters (prior precisions per block, recency half-lives, folds)."""

    half_life: float = 8.0
    hist_half_life: float = 3.0
    hist_strength: float = 2.0
    # prior precisions: twice those of the second version (chosen on validation 2010-2015)
    event_penalties: Mapping[str, float] = field(default_factory=lambda: {
        "intercept": 0.01, "fixed": 1.0, "class": 1.0, "topic": 4.0, "hist": 0.6,
        "hist_int": 2.0, "streak": 1.0,
    })
    yes_penalties: Mapping[str, float] = field(default_factory=lambda: {
        "intercept": 0.01, "fixed": 1.0, "group": 4.0, "cov": 2.0, "member": 4.0,
        "class": 1.0, "class_cov": 2.0, "member_class": 4.0, "topic": 4.0,
        "topic_class": 4.0, "hist": 0.6, "hist_int": 2.0, "trend": 8.0, "member_topic": 4.0,
        "topic_sponsor": 4.0,
    })
    no_penalties: Mapping[str, float] = field(default_factory=lambda: {
        "intercept": 0.01, "fixed": 1.0, "member": 4.0, "class": 2.0, "class_cov": 2.0,
        "member_class": 4.0, "topic": 4.0, "member_topic": 1.0, "hist": 0.2,
    })
    #: event folds of the out-of-fold marginals the correlation is fitted on
    folds: int = 3
    #: recalibrate each probit (shift and scale) on the last ``recent_temper`` training
    #: years, forecast by a fit on the years before them (0: off)
    recent_temper: int = 2
    #: prior precision of the (shift, scale - 1) of a recalibration
    temper_prior: float = 20.0
    #: the probits a recent-years recalibration applies to ("event", "yes", "no";
    #: "yes:split" = the yes probit with one recalibration for the permanent members and
    #: one for the elected)
    temper_stages: tuple[str, ...] = ("yes:split",)
    seed: int = 0
    max_corr_events: int = 900
    #: fit the members' loadings on the alignment axis (kappa times their GA position)
    axis: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The configuration as written to a parameters file's ``meta.config``."""
        return {"half_life": self.half_life, "hist_half_life": self.hist_half_life,
                "hist_strength": self.hist_strength,
                "event_penalties": dict(self.event_penalties),
                "yes_penalties": dict(self.yes_penalties),
                "no_penalties": dict(self.no_penalties), "folds": self.folds,
                "recent_temper": self.recent_temper, "temper_prior": self.temper_prior,
                "temper_stages": list(self.temper_stages),
                "seed": self.seed, "max_corr_events": self.max_corr_events,
                "axis": self.axis}
