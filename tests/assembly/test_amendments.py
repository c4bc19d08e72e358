"""Amendments in the General Assembly: the exact sequence against brute-force enumeration of
every vote's profiles, Monte Carlo against exact (4 standard errors), worker invariance, Article
18's two majorities on an amendment, and bad amendment input through the CLI."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.special import ndtr, ndtri, roots_hermitenorm

from sim.assembly.api import Method, simulate_assembly
from sim.assembly.model import assembly_model
from sim.assembly.scenario import AssemblyModelSpec, parse_assembly
from sim.cli import main
from sim.engine.amendments import Amendment, VotePath
from sim.engine.model import ABSENT, ABSTAIN, NO, YES
from sim.scenario.build import at_position, shift_probs
from sim.scenario.schema import VoteTable
from tests.assembly.files import assert_refused, write

REGIONS = ("African States", "Western European and other States")
N = 6
MEMBERS = tuple(f"M{i}" for i in range(N))
Row = tuple[float, float, float, float]


def _base(seed: int) -> dict[str, Row]:
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet([3, 2, 2, 0.5], size=N)
    return {m: (float(p[0]), float(p[1]), float(p[2]), float(p[3])) for m, p in zip(MEMBERS, probs, strict=True)}


def _table(row: Row | float) -> VoteTable:
    if isinstance(row, float):
        return VoteTable(shift=row)
    return VoteTable(yes=row[0], abstain=row[1], no=row[2], absent=row[3])


def _spec(base: Mapping[str, Row], question: str, amendments: list[Amendment], *, common: float = 0.0,
          loadings: Mapping[str, float] | None = None, position: float = 0.0) -> AssemblyModelSpec:
    """A six-member Assembly with the draft at ``position`` (``base`` are the numbers at 0)."""
    loadings = dict(loadings or {})
    moved = at_position(base, loadings, position)
    alignment = np.array([loadings.get(m, 0.0) for m in MEMBERS]) if loadings else None
    regions = [REGIONS[i % 2] for i in range(N)]
    model = assembly_model(MEMBERS, np.array([moved[m] for m in MEMBERS]), regions, question, common=common,
                           alignment=alignment)
    meta = parse_assembly({"scenario": {"name": "six members"}, "assembly": {"date": dt.date(2025, 2, 24),
                                                                               "question": question}})
    return AssemblyModelSpec(model, {}, meta, dt.date(2025, 2, 24), position, dict(base), loadings,
                             tuple(amendments))


# --- the expected numbers, written out: each vote's members' rows, and enumeration ------------


def _applied(rows: Mapping[str, Row], tables: Mapping[str, Row | float]) -> dict[str, Row]:
    out = dict(rows)
    for m, t in tables.items():
        out[m] = shift_probs(out[m], t) if isinstance(t, float) else t
    return out


def _enumerate(rows: Mapping[str, Row], important: bool, common: float, loadings: Mapping[str, float],
               ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """P(adopted) and the yes, no and abstain count distributions of one vote, summing every
    profile's probability over a dense Gauss-Hermite grid of the common factor F and the axis A
    (each member's stance is λ_i A + √common F + its own noise)."""
    probs = np.array([rows[m] for m in MEMBERS])
    lam = np.array([loadings.get(m, 0.0) for m in MEMBERS])
    present = 1.0 - probs[:, ABSENT]
    t1 = ndtri(np.clip(probs[:, NO] / present, 0, 1))
    t2 = ndtri(np.clip((probs[:, NO] + probs[:, ABSTAIN]) / present, 0, 1))
    x, w = roots_hermitenorm(30)
    w = w / w.sum()
    fa, ff = (g.ravel() for g in np.meshgrid(x if lam.any() else [0.0], x if common else [0.0], indexing="ij"))
    weight = np.outer(w if lam.any() else [1.0], w if common else [1.0]).ravel()
    c = np.sqrt(1.0 - lam**2 - common)
    mean = lam * fa[:, None] + np.sqrt(common) * ff[:, None]
    p_no = ndtr((t1 - mean) / c)
    p_ab = ndtr((t2 - mean) / c) - p_no
    cond = np.stack([present * (1 - p_no - p_ab), present * p_ab, present * p_no,
                     np.broadcast_to(probs[:, ABSENT], p_no.shape)], axis=2)  # (nodes, n, 4)
    adopted, yes, no, abstain = 0.0, np.zeros(N + 1), np.zeros(N + 1), np.zeros(N + 1)
    for profile in itertools.product(range(4), repeat=N):
        p = float(weight @ np.prod(cond[:, np.arange(N), profile], axis=1))
        y, k, a = profile.count(YES), profile.count(NO), profile.count(ABSTAIN)
        adopted += p * (y + k > 0 and 3 * y >= 2 * (y + k) if important else y > k)
        yes[y] += p
        no[k] += p
        abstain[a] += p
    return adopted, yes, no, abstain


def _expected(base: Mapping[str, Row], important: bool, amendments: list[dict[str, Any]], common: float = 0.0,
              loadings: Mapping[str, float] | None = None, position: float = 0.0,
              ) -> tuple[dict[VotePath, float], np.ndarray, float, np.ndarray]:
    """Every path's probability, each amendment's P(adopted), and the draft's P(adopted) and yes
    distribution mixed over paths: the sequence written out vote by vote."""
    loadings = dict(loadings or {})
    k = len(amendments)
    paths: dict[VotePath, float] = {}
    p_amend = np.zeros(k)
    p_draft, yes = 0.0, np.zeros(N + 1)
    for bits in itertools.product((True, False), repeat=k):
        rows, where, p = dict(base), position, 1.0
        for j, (amend, adopted) in enumerate(zip(amendments, bits, strict=True)):
            vote = _applied(rows, amend.get("votes", {}))
            at = amend.get("position", where)
            a, *_ = _enumerate(at_position(vote, loadings, at), important, common, loadings)
            if adopted:
                p_amend[j] += p * a
            p *= a if adopted else 1 - a
            if adopted:
                rows = _applied(rows, amend.get("effect", {}))
                where = amend.get("effect_position", where)
        d, y, _, _ = _enumerate(at_position(rows, loadings, where), important, common, loadings)
        paths[VotePath(bits, True)] = p * d
        paths[VotePath(bits, False)] = p * (1 - d)
        p_draft += p * d
        yes += p * y
    # an amendment's P(adopted) sums over its prefixes: count each prefix once
    p_amend /= np.array([2 ** (k - 1 - j) for j in range(k)])
    return paths, p_amend, p_draft, yes


def _amendment(name: str, spec: Mapping[str, Any]) -> Amendment:
    votes = {m: _table(t) for m, t in spec.get("votes", {}).items()}
    effect = {m: _table(t) for m, t in spec.get("effect", {}).items()}
    return Amendment(name, None, votes, effect, spec.get("position"), spec.get("effect_position"))


TWO: list[dict[str, Any]] = [
    {"votes": {"M0": (0.1, 0.1, 0.8, 0.0), "M3": 1.2},
     "effect": {"M1": (0.0, 0.2, 0.8, 0.0), "M2": -0.7, "M4": (0.9, 0.1, 0.0, 0.0)}},
    {"votes": {"M2": (0.6, 0.2, 0.1, 0.1), "M5": (0.0, 0.0, 1.0, 0.0)},
     "effect": {"M0": (1.0, 0.0, 0.0, 0.0), "M5": 0.8}},
]
ON_AXIS: list[dict[str, Any]] = [
    {"position": 1.5, "votes": {"M0": (0.2, 0.3, 0.5, 0.0)}, "effect": {"M4": -0.5}, "effect_position": 1.0},
    {"votes": {"M1": (0.5, 0.5, 0.0, 0.0)}, "effect": {"M3": (0.0, 1.0, 0.0, 0.0)}},
]
LOADINGS = {"M0": 0.5, "M1": -0.4, "M3": 0.3, "M5": -0.2}


@pytest.mark.parametrize(("case", "question", "common", "axis"), [
    ("independent", "important", 0.0, False), ("independent", "simple", 0.0, False),
    ("common factor", "important", 0.3, False), ("common factor and axis", "simple", 0.2, True),
])
def test_exact_sequence_matches_enumeration_of_every_vote(case: str, question: str, common: float, axis: bool) -> None:
    base = _base(3 if axis else 1)
    plan = ON_AXIS if axis else TWO
    loadings, position = (LOADINGS, 0.4) if axis else (None, 0.0)
    spec = _spec(base, question, [_amendment(f"A{j + 1}", a) for j, a in enumerate(plan)], common=common,
                 loadings=loadings, position=position)
    r = simulate_assembly(spec, method="exact")
    paths, p_amend, p_draft, yes = _expected(base, question == "important", plan, common, loadings, position)
    tol = 1e-12 if not common else 1e-7
    assert r.amendments is not None and r.amendments.names == ("A1", "A2")
    for path, p in paths.items():
        assert r.amendments.paths[path] == pytest.approx(p, abs=tol), path.label(r.amendments.names)
    np.testing.assert_allclose(r.amendments.p_adopted, p_amend, atol=tol)
    assert r.p_adopted == pytest.approx(p_draft, abs=tol)
    np.testing.assert_allclose(r.yes, yes, atol=tol)
    assert sum(r.amendments.paths.values()) == pytest.approx(1.0, abs=1e-12)
    # the draft's figures are the mixture: P(adopted) is the paths' whose draft is adopted
    assert r.p_adopted == pytest.approx(sum(p for path, p in r.amendments.paths.items() if path.draft), abs=1e-12)
    assert p_amend.min() > 0.05 and p_amend.max() < 0.95  # the case exercises both branches


def test_monte_carlo_agrees_with_exact_within_four_standard_errors() -> None:
    base = _base(1)
    spec = _spec(base, "important", [_amendment(f"A{j + 1}", a) for j, a in enumerate(TWO)], common=0.3)
    ex = simulate_assembly(spec, method="exact")
    draws = 100_000
    mc = simulate_assembly(spec, draws=draws, seed=12)
    assert ex.amendments is not None and mc.amendments is not None
    assert mc.draws == draws and mc.seed == 12 and mc.pivotal is not None

    def close(got: float, want: float) -> bool:
        # each estimate is a product or mixture of independent runs of `draws` draws: its
        # variance is at most p(1 - p) / draws
        return abs(got - want) <= 4 * np.sqrt(max(want * (1 - want), 1 / draws) / draws)

    assert close(mc.p_adopted, ex.p_adopted)
    assert all(close(m, e) for m, e in zip(mc.amendments.p_adopted, ex.amendments.p_adopted, strict=True))
    for path, p in ex.amendments.paths.items():
        assert close(mc.amendments.paths[path], p), path
    for key in ("yes", "no", "abstain"):
        e, m = ex.mean(getattr(ex, key)), mc.mean(getattr(mc, key))
        sd = np.sqrt(float(np.arange(N + 1) ** 2 @ getattr(ex, key)) - e**2)
        assert abs(m - e) <= 4 * sd / np.sqrt(draws), key
    np.testing.assert_allclose(mc.member_votes.sum(axis=1), 1.0)
    assert mc.p_adopted_se is not None and mc.p_adopted_se > 0


def test_monte_carlo_is_the_same_whatever_the_workers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    spec = _spec(_base(2), "simple", [_amendment(f"A{j + 1}", a) for j, a in enumerate(TWO)], common=0.2)
    one = simulate_assembly(spec, draws=40_000, seed=5)
    with ThreadPoolExecutor(3) as pool:
        many = simulate_assembly(spec, draws=40_000, seed=5, pool=pool)
    assert one.to_dict() == many.to_dict()
    other = simulate_assembly(spec, draws=40_000, seed=6)
    assert other.amendments is not None and one.amendments is not None
    assert other.amendments.paths != one.amendments.paths


def test_progress_counts_one_votes_draws() -> None:
    spec = _spec(_base(2), "simple", [_amendment("A1", TWO[0])])
    told: list[int] = []
    simulate_assembly(spec, draws=50_000, seed=1, progress=told.append)
    assert sum(told) == 50_000 and all(k > 0 for k in told)


CERTAIN = {"M0": (1.0, 0.0, 0.0, 0.0), "M1": (1.0, 0.0, 0.0, 0.0), "M2": (1.0, 0.0, 0.0, 0.0),
           "M3": (0.0, 0.0, 1.0, 0.0), "M4": (0.0, 0.0, 1.0, 0.0), "M5": (0.0, 1.0, 0.0, 0.0)}


@pytest.mark.parametrize(("question", "adopted"), [("simple", True), ("important", False)])
@pytest.mark.parametrize("method", ["exact", "monte-carlo"])
def test_an_amendment_needs_the_questions_majority(question: str, adopted: bool, method: Method) -> None:
    """3 yes, 2 no, 1 abstention on the amendment: a majority (3 > 2) but not two thirds (3 < 4).
    Adopted, it turns M3 and M4 to yes and the draft passes 5-0; rejected, the draft fails 3-2
    on an important question."""
    base = {m: (1.0, 0.0, 0.0, 0.0) if m in ("M0", "M1", "M2") else (0.0, 0.0, 1.0, 0.0) for m in MEMBERS}
    base["M5"] = (0.0, 1.0, 0.0, 0.0)
    turn = {"M3": (1.0, 0.0, 0.0, 0.0), "M4": (1.0, 0.0, 0.0, 0.0)}
    spec = _spec(base, question, [_amendment("A1", {"votes": CERTAIN, "effect": turn})])
    r = simulate_assembly(spec, method=method, draws=2_000, seed=0)
    assert r.amendments is not None
    assert r.amendments.p_adopted == pytest.approx((1.0,) if adopted else (0.0,), abs=1e-12)
    # adopted, the draft passes 5-0; rejected, 3-2 falls short of two thirds
    assert r.amendments.paths[VotePath((adopted,), adopted)] == pytest.approx(1.0, abs=1e-12)
    assert r.p_adopted == pytest.approx(1.0 if adopted else 0.0, abs=1e-12)
    assert r.mean(r.yes) == pytest.approx(5.0 if adopted else 3.0)


def test_a_certainly_rejected_amendment_leaves_the_draft_as_without_it() -> None:
    base = _base(4)
    never = {m: (0.0, 0.0, 1.0, 0.0) for m in MEMBERS}
    plain = simulate_assembly(_spec(base, "important", [], common=0.3), method="exact")
    r = simulate_assembly(_spec(base, "important", [_amendment("A1", {"votes": never, "effect": CERTAIN})],
                                common=0.3), method="exact")
    assert r.amendments is not None and r.amendments.p_adopted == (0.0,)
    assert r.p_adopted == plain.p_adopted
    np.testing.assert_array_equal(r.yes, plain.yes)
    np.testing.assert_array_equal(r.member_votes, plain.member_votes)


# --- files and the CLI ----------------------------------------------------------------------

FILE = """
[scenario]
name = "Assembly amendments"
[assembly]
date = 2025-02-24
question = "important"
arrears = ["Venezuela"]
[votes.WEOG]
yes = 0.9
abstain = 0.1
[votes."Russian Federation"]
no = 1.0
[[amendments]]
name = "Name the aggressor"
[amendments.votes.WEOG]
yes = 0.95
abstain = 0.05
[amendments.votes.France]
yes = 1.0
[amendments.votes.Cuba]
yes = 1.0
[amendments.effect."African States"]
shift = -0.3
[amendments.effect."Russian Federation"]
no = 1.0
[reference]
source = "s"
outcome = "adopted"
yes = 93
no = 8
abstain = 73
[[reference.amendments]]
name = "Name the aggressor"
outcome = "adopted"
"""

BAD = {
    "unknown": (FILE.replace("[amendments.votes.France]", "[amendments.votes.Atlantis]"),
                "amendments[0].votes.Atlantis: unknown UN member name"),
    "sum": (FILE.replace("yes = 0.95\nabstain = 0.05", "yes = 0.95\nabstain = 0.25"),
            "amendments[0].votes.WEOG: probabilities must sum to 1"),
    "observer": (FILE.replace('[amendments.effect."Russian Federation"]', '[amendments.effect."Holy See"]'),
                 'amendments[0].effect."Holy See": the Holy See is an observer state and does not vote'),
    "palestine": (FILE.replace("[amendments.votes.France]", '[amendments.votes."State of Palestine"]'),
                  'amendments[0].votes."State of Palestine": the State of Palestine is an observer state'),
    "twice": (FILE.replace("[amendments.votes.Cuba]", "[amendments.votes.FRA]"),
              "amendments[0].votes.FRA: FRA is listed twice under [amendments[0].votes]"),
    "procedural": (FILE.replace('name = "Name the aggressor"\n[amendments.votes.WEOG]',
                                'name = "Name the aggressor"\nprocedural = false\n[amendments.votes.WEOG]'),
                   "amendments[0]: procedural: does not apply in the Assembly"),
    "same_name": (FILE.replace("[reference]", '[[amendments]]\nname = "Name the aggressor"\n[reference]'),
                  "amendments[1].name: 'Name the aggressor' is the name of an earlier amendment"),
    "reference": (FILE.replace('outcome = "adopted"\n"""', 'outcome = "adopted"\n').rsplit(
        'name = "Name the aggressor"\noutcome', 1)[0] + 'name = "Other"\noutcome = "adopted"\n',
        "reference.amendments[0].name: 'Other' is not the name of an amendment"),
    "vetoed": (FILE[:-len('outcome = "adopted"\n')] + 'outcome = "vetoed"\n', "reference.amendments[0].outcome: "),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_amendments_exit_2_with_one_line_naming_the_file_and_field(case: str, tmp_path: Path) -> None:
    text, expected = BAD[case]
    assert_refused(tmp_path, case, text, expected)


def test_a_file_runs_with_amendments_in_the_table_and_the_json(tmp_path: Path) -> None:
    path = write(tmp_path, "good", FILE)
    res = CliRunner().invoke(main, ["run", str(path), "--draws", "4000", "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "Amendments (voted first, in order, each by the same majority as the draft):" in res.stdout
    assert "A1 Name the aggressor: P(adopted) " in res.stdout and "; recorded: adopted" in res.stdout
    assert "  A1 adopted, draft adopted\n" in res.stdout
    res = CliRunner().invoke(main, ["run", str(path), "--draws", "4000", "--seed", "3", "--format", "json"])
    out = json.loads(res.stdout)
    assert [a["name"] for a in out["amendments"]] == ["Name the aggressor"]
    assert set(out["paths"]) == {f"Name the aggressor {a}, draft {d}" for a in ("adopted", "rejected")
                                 for d in ("adopted", "not adopted")}
    assert sum(out["paths"].values()) == pytest.approx(1.0)
    for key in ("p_vetoed", "p_veto_by", "permanent", "p_short", "procedural", "vetoed_by"):
        assert key not in out and all(key not in a for a in out["amendments"])
    assert out["members"]["VEN"]["absent"] == 1.0  # in arrears (an amendment may not give it a vote)


def test_run_out_writes_each_amendments_p_adopted_and_the_standard_error(tmp_path: Path) -> None:
    import pandas as pd

    path = write(tmp_path, "good", FILE)
    out = tmp_path / "r.csv"
    res = CliRunner().invoke(main, ["run", str(path), "--draws", "4000", "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    row = pd.read_csv(out).iloc[0]
    r = simulate_assembly(path, draws=4000, seed=3)
    assert r.amendments is not None
    assert row["amendment Name the aggressor: p_adopted"] == pytest.approx(r.amendments.p_adopted[0], abs=1e-12)
    assert row["p_adopted_se"] == pytest.approx(r.p_adopted_se, abs=1e-12) and row["seed"] == 3
    assert "p_vetoed" not in row.index
