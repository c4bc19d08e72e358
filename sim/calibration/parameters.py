"""The fitted parameters (:class:`CalibrationParams`) and their JSON form.

A parameters file written before the rejected variants were removed (the shipped
``sim/params/calibrated.json`` is one) is read as it is. Its ``meta.config`` still lists
``short_event``, ``short_member``, ``temper``, ``temper_half_life``, ``by_year`` and
``mixture``: ``meta`` is a record of how the file was made and is never read back, so they
are kept there and ignored. Its ``priors`` hold ``short_event``, ``short_member`` and
``clock``: they are dropped on reading, after checking that they ask for what the model
now always does (no short-term history, the yearly clock); a file that asks for anything
else was fitted by a model that no longer exists and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from sim.errors import InputError

from .features import COV_COLUMNS, CovariateTable
from .history import History

FORMAT = "unsc-sim-calibration/2"
#: entries of ``priors`` written by earlier versions, with the value the model now implies
OBSOLETE_PRIORS: dict[str, dict[str, float]] = {
    "short_event": {}, "short_member": {}, "clock": {"by_year": 1.0}}


@dataclass
class Coefs:
    event: dict[str, float]
    yes: dict[str, float]
    no: dict[str, float]
    #: probit -> (shift, scale) applied to its linear predictor (out-of-time recalibration)
    temper: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class CalibrationParams:
    """Everything needed to predict; JSON-serialisable via :meth:`to_dict`."""

    coefs: Coefs
    common: float
    cohesion: dict[str, float]
    topic_map: dict[str, str]
    penholder: dict[str, list[str]]
    hist_event: History
    hist_member: History
    priors: dict[str, dict[str, float]]
    covariates: pd.DataFrame  # member, year, ideal, us_agree, ru_agree, cn_agree, group
    train_end_year: int
    #: (common, cohesion per bloc) of the contested component of the hurdle mixture
    contested_corr: tuple[float, dict[str, float]]
    meta: dict[str, Any] = field(default_factory=dict)
    #: kappa of the members' alignment loadings (kappa times their GA position on the axis,
    #: :mod:`sim.calibration.axis`) for the marginal and the contested correlation
    axis_kappa: tuple[float, float] = (0.0, 0.0)
    #: member -> (its position from its own contested Council votes, how many), which moves
    #: its GA position (:func:`sim.calibration.axis.blended_z`)
    axis_record: dict[str, tuple[float, float]] = field(default_factory=dict)

    def covariate_table(self) -> CovariateTable:
        return self._covariate_table

    @property
    def as_of(self) -> str | None:
        """The date (ISO) of the last vote record these parameters know: the fit's data
        cut-off, or the last record added to their history after it (``extend_history``)."""
        cutoff = self.meta.get("provenance", {}).get("data_cutoff")
        return self.meta.get("history_through") or (str(cutoff) if cutoff else None)

    @cached_property
    def _covariate_table(self) -> CovariateTable:
        return CovariateTable.build(self.covariates)

    @cached_property
    def history_weights(self) -> dict[str, dict[str, float]]:
        """Total (decayed) vote weight per key of the event history, by key type: how much
        history a topic (``t``) or agenda item (``ta``) has."""
        t = self.hist_event.table
        return {kind: {str(k): float(v) for k, v in d.groupby("key")["n"].sum().items()}
                for kind, d in t[t["kind"].isin(["t", "ta"])].groupby("kind")}

    def to_dict(self) -> dict[str, Any]:
        cov = self.covariates

        def rnd(d: Mapping[str, float]) -> dict[str, float]:
            return {k: round(float(v), 5) for k, v in sorted(d.items()) if abs(v) > 1e-5}

        return {
            "format": FORMAT,
            "meta": self.meta,
            "train_end_year": self.train_end_year,
            "common": round(self.common, 6),
            "cohesion": {k: round(v, 6) for k, v in self.cohesion.items()},
            "contested_correlation": {
                "common": round(self.contested_corr[0], 6),
                "cohesion": {k: round(v, 6) for k, v in self.contested_corr[1].items()}},
            "axis": {"kappa": round(self.axis_kappa[0], 6),
                     "contested_kappa": round(self.axis_kappa[1], 6),
                     "record": {m: [round(z, 5), n] for m, (z, n) in sorted(self.axis_record.items())}},
            "coef_event": rnd(self.coefs.event),
            "coef_yes": rnd(self.coefs.yes),
            "coef_no": rnd(self.coefs.no),
            "temper": {k: [round(float(a), 6), round(float(b), 6)]
                       for k, (a, b) in sorted(self.coefs.temper.items())},
            "priors": self.priors,
            "topic_map": dict(sorted(self.topic_map.items())),
            "penholder": dict(sorted(self.penholder.items())),
            "hist_half_life": self.hist_event.half_life,
            # history older than 25 years weighs < 0.4% (half-life 3 years): not shipped
            "hist_event": self.hist_event.prune(self.train_end_year - 25).to_rows(),
            "hist_member": self.hist_member.prune(self.train_end_year - 25).to_rows(),
            "covariates": {
                "columns": ["member", "year", *COV_COLUMNS, "group"],
                "rows": [[r.member, int(r.year), *(None if pd.isna(getattr(r, c))
                                                   else round(float(getattr(r, c)), 5)
                                                   for c in COV_COLUMNS),
                          None if pd.isna(r.group) else str(r.group)]
                         for r in cov.itertuples(index=False)],
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CalibrationParams:
        if d.get("format") != FORMAT:
            raise InputError("format", "not a unsc-sim calibration file", "params")
        cov = pd.DataFrame(d["covariates"]["rows"], columns=d["covariates"]["columns"])
        hl = float(d["hist_half_life"])
        contested = d["contested_correlation"]
        return cls(
            coefs=Coefs(dict(d["coef_event"]), dict(d["coef_yes"]), dict(d["coef_no"]),
                        {k: (float(v[0]), float(v[1]))
                         for k, v in d.get("temper", {}).items()}),
            common=float(d["common"]),
            cohesion={k: float(v) for k, v in d["cohesion"].items()},
            topic_map=dict(d["topic_map"]),
            penholder={k: list(v) for k, v in d["penholder"].items()},
            hist_event=History.from_rows(d["hist_event"], hl),
            hist_member=History.from_rows(d["hist_member"], hl),
            priors=_current_priors(d["priors"]),
            covariates=cov, train_end_year=int(d["train_end_year"]),
            contested_corr=(float(contested["common"]),
                            {k: float(v) for k, v in contested["cohesion"].items()}),
            meta=dict(d.get("meta", {})),
            axis_kappa=(float(d.get("axis", {}).get("kappa", 0.0)),
                        float(d.get("axis", {}).get("contested_kappa", 0.0))),
            axis_record={str(m): (float(v[0]), float(v[1]))
                         for m, v in d.get("axis", {}).get("record", {}).items()},
        )


def _current_priors(priors: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """``priors`` without the obsolete entries (see the module docstring), which must hold
    what the model implies."""
    for key, implied in OBSOLETE_PRIORS.items():
        got = {str(k): float(v) for k, v in dict(priors.get(key, implied)).items()}
        if got != implied:
            raise InputError(f"priors.{key}", f"{got} is a variant that is no longer "
                             "supported (see docs/calibration-tuning.md); refit the "
                             "parameters with unsc-sim fit", "params")
    return {k: dict(v) for k, v in priors.items() if k not in OBSOLETE_PRIORS}
