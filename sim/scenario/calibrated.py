"""Runtime API of the calibrated vote model (what the scenario layer calls).

>>> from sim.scenario.calibrated import DraftContext, calibrate
>>> cal = calibrate(DraftContext(members=("USA", "GBR", "FRA", "RUS", "CHN"),
...                              permanent=frozenset({"USA", "GBR", "FRA", "RUS", "CHN"}),
...                              year=2024, sponsor="United States", topic="Ukraine"))
>>> round(sum(cal.probs["RUS"]), 6)
1.0

The shipped parameters (``sim/params/calibrated.json``, fitted on records through 2023) are
loaded once via :mod:`importlib.resources` and cached. See docs/calibration.md.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.blocs import BLOCS
from sim.calibration.features import norm_key
from sim.calibration.parameters import CalibrationParams
from sim.calibration.prediction import predict
from sim.errors import InputError
from sim.io.inputs import FileRefused, read_regular_file

from .build import Calibration, HurdleCandidate

__all__ = ["Calibration", "DraftContext", "calibrate", "load_params",
           "match_agenda", "match_topic", "shipped_params_path"]

PARAMS_RESOURCE = "calibrated.json"
#: Largest parameters file accepted, in bytes (the shipped one is under 2 MB).
MAX_PARAMS_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class DraftContext:
    """What is known about a draft before the vote."""

    members: tuple[str, ...]  # ISO3
    permanent: frozenset[str]
    year: int
    sponsor: str | None = None  # free text like the 'Submitted by' column, or a country name
    topic: str | None = None  # topic or agenda item text
    date: datetime.date | None = None


def shipped_params_path() -> Path:
    return Path(str(resources.files("sim.params").joinpath(PARAMS_RESOURCE)))


@lru_cache(maxsize=4)
def _load(path: str) -> CalibrationParams:
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        raise InputError("file", "not found", str(p))
    try:
        d = json.loads(read_regular_file(p, MAX_PARAMS_BYTES))
    except FileRefused as e:
        raise InputError("file", str(e), str(p)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError("file", "not valid JSON", str(p)) from None
    except RecursionError:
        raise InputError("file", "nested too deeply to be a calibration file", str(p)) from None
    if not isinstance(d, dict):
        raise InputError("file", "not a calibration file", str(p))
    try:
        return CalibrationParams.from_dict(d)
    except InputError as e:
        raise e.with_source(str(p)) from None
    except (KeyError, TypeError, ValueError) as e:
        raise InputError("params", f"malformed ({e})", str(p)) from None


def load_params(path: str | Path | None = None) -> CalibrationParams:
    """The fitted parameters at ``path`` (default: the shipped ones); cached."""
    # realpath, not Path.resolve: a symbolic link loop must reach _load, which says so
    return _load(os.path.realpath(path) if path is not None else str(shipped_params_path()))


def calibrate(ctx: DraftContext, params: CalibrationParams | None = None) -> Calibration:
    """Calibrated (yes, abstain, no, absent) per member, the common loading and the blocs.

    Absence is not modelled (the vote records have no absent code): ``absent`` is 0.
    """
    if not ctx.members:
        raise InputError("members", "no members", "draft")
    prm = params if params is not None else load_params()
    date = ctx.date or datetime.date(int(ctx.year), 7, 1)
    topic = match_topic(ctx.topic, prm)
    rows = pd.DataFrame({
        "event_id": "draft", "date": date, "year": int(ctx.year),
        "member": list(ctx.members), "sponsor": ctx.sponsor, "topic": topic,
        "agenda": match_agenda(ctx.topic, topic, prm), "category": None, "region": None,
        "draft": None,
    })
    prediction = predict(prm, rows)
    pred = prediction.rows
    probs = {m: (float(a), float(b), float(c), 0.0)
             for m, a, b, c in zip(pred["member"], pred["p_yes"], pred["p_abstain"],
                                   pred["p_no"], strict=True)}
    common = float(prm.common)
    blocs = []
    for b in BLOCS:
        mem = tuple(m for m, bb in zip(pred["member"], pred["bloc"], strict=True) if bb == b)
        if mem:
            blocs.append((b, mem, _capped(prm.cohesion.get(b, 0.0), common)))
    latent = {m: float(v) for m, v in zip(pred["member"], pred["latent"], strict=True)}
    c_common, c_cohesion = prm.contested_corr
    c_blocs = tuple((b, mem, _capped(c_cohesion.get(b, 0.0), c_common)) for b, mem, _ in blocs)
    return Calibration(probs=probs, common=common, blocs=tuple(blocs), latent=latent, as_of=prm.as_of,
                       hurdle=_hurdle(prediction.parts), contested_common=float(c_common), contested_blocs=c_blocs,
                       alignment=_loadings(pred, "lambda"), contested_alignment=_loadings(pred, "c_lambda"))


def _loadings(pred: pd.DataFrame, column: str) -> dict[str, float]:
    """Each member's calibrated loading on the alignment axis (empty: the axis is not fitted)."""
    lam = pred[column].to_numpy(float)
    if not np.any(lam):
        return {}
    return {str(m): float(v) for m, v in zip(pred["member"], lam, strict=True)}


def _capped(cohesion: float, common: float) -> float:
    """A bloc's cohesion, at most what the common loading leaves (common + cohesion <= 1)."""
    return float(min(cohesion, max(0.0, 1.0 - common)))


def _hurdle(parts: pd.DataFrame) -> tuple[HurdleCandidate, ...]:
    """The hurdle's candidates (one per likely sponsor class) from :class:`Prediction` parts;
    a member listed twice votes once."""
    parts = parts.drop_duplicates(["cand", "member"])
    return tuple(
        HurdleCandidate(float(d["weight"].iloc[0]), float(d["q"].iloc[0]),
                        {m: (float(y), float(a), float(n), 0.0)
                         for m, y, a, n in zip(d["member"], d["c_yes"], d["c_abstain"], d["c_no"], strict=True)})
        for _, d in parts.groupby("cand", sort=False))


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in _STOP}


_STOP = {"the", "of", "in", "and", "on", "a", "to", "from", "by", "for", "including", "incl",
         "inc", "situation", "question", "concerning", "dated", "letter"}


def match_topic(text: str | None, params: CalibrationParams) -> str | None:
    """The known topic key closest to a free-text topic or agenda item (None if no overlap).

    Exact topic keys and known agenda items are used as they are; otherwise the known topic
    with the largest word overlap (Jaccard) wins, ties going to the topic with more history.
    """
    key = norm_key(text)
    if key is None:
        return None
    known = _known_topics(params)
    if key in known:
        return key
    if key in params.topic_map:
        return params.topic_map[key]
    words = _tokens(key)
    best, best_score = None, 0.0
    for k, weight in known.items():
        kw = _tokens(k)
        if not kw or not words:
            continue
        score = len(words & kw) / len(words | kw)
        if score > best_score + 1e-12 or (abs(score - best_score) <= 1e-12 and best is not None
                                          and weight > known[best]):
            best, best_score = k, score
    return best if best is not None else key


def match_agenda(text: str | None, topic: str | None, params: CalibrationParams) -> str | None:
    """The agenda item: ``text`` if it is a known agenda item, else the agenda item most
    often used for ``topic`` (so that agenda-item history applies to a short topic name)."""
    key = norm_key(text)
    if key is not None and key in params.topic_map:
        return key
    cands = sorted(a for a, t in params.topic_map.items() if t == topic)
    if not cands:
        return text
    weight = params.history_weights.get("ta", {})
    return max(cands, key=lambda a: (weight.get(a, 0.0), a))


def _known_topics(params: CalibrationParams) -> dict[str, float]:
    """Every topic the parameters know, with its history weight (0 for a topic seen only in
    the agenda -> topic map)."""
    known = dict(params.history_weights.get("t", {}))
    for v in params.topic_map.values():
        known.setdefault(v, 0.0)
    return known
