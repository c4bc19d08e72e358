"""The lobbying plan search against brute force over every set of up to three moves and every
shift on the grid (issue 16)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import sim
from sim.engine import exact
from sim.engine.lobby import moved, options, search
from sim.engine.model import VoteModel
from sim.lobbying import describe
from tests.conftest import ROOT, random_model

STEP, TOP = 0.5, 2.0
LEVELS = np.arange(1, int(TOP / STEP) + 1) * STEP


Sets = set[tuple[tuple[str, str], ...]]


def brute_force(model: VoteModel, target: float, max_moves: int) -> tuple[int | None, Sets, float]:
    """Every set of moves on distinct members, at every shift level: the fewest moves that reach
    the target, the sets that reach it at the smallest shift each (as member-kind pairs) and that
    smallest shift."""
    opts = options(model)
    for k in range(1, max_moves + 1):
        reached: dict[tuple[tuple[str, str], ...], float] = {}
        for combo in itertools.combinations(opts, k):
            if len({i for i, _ in combo}) < k:
                continue
            for s in LEVELS:
                probs = model.probs.copy()
                for i, kind in combo:
                    probs[i] = moved(model.probs[i], kind, float(s))
                if exact.event_probabilities(model.with_probs(probs))[0] >= target:
                    reached[tuple((model.members[i], kind) for i, kind in combo)] = float(s)
                    break
        if reached:
            least = min(reached.values())
            return k, {c for c, s in reached.items() if s == least}, least
    return None, set(), 0.0


@pytest.mark.parametrize(("seed", "common"), [(0, 0.0), (1, 0.0), (2, 0.3), (3, 0.3), (4, 0.0), (5, 0.5)])
def test_the_search_finds_the_same_minimal_plans_as_brute_force(seed: int, common: float) -> None:
    rng = np.random.default_rng(seed)
    model = random_model(rng, 7, 2, common=common, threshold=5)
    now = exact.event_probabilities(model)[0]
    target = min(0.95, now + 0.3)
    k, best_sets, least = brute_force(model, target, 3)
    got = search(model, target, max_moves=3, step=STEP, max_shift=TOP)
    assert got.p_adopted_now == pytest.approx(now)
    if k is None:
        assert not got.reachable and got.plans == ()
        return
    assert got.reachable and all(len(p.moves) == k for p in got.plans)
    cheapest = got.plans[0].shift
    assert cheapest == pytest.approx(least)
    found = {tuple((m.member, m.kind) for m in p.moves) for p in got.plans if p.shift == cheapest}
    assert found == best_sets
    for plan in got.plans:
        assert plan.p_adopted >= target
        assert exact.event_probabilities(model.with_probs(plan.probs))[0] == pytest.approx(plan.p_adopted)


def test_moves_only_ever_help_and_no_to_abstain_keeps_yes() -> None:
    probs = (0.2, 0.3, 0.45, 0.05)
    for s in (0.3, 1.0, 2.5):
        to_yes = moved(probs, "to_yes", s)
        abstain = moved(probs, "no_to_abstain", s)
        assert to_yes[0] > probs[0] and to_yes[2] < probs[2] and to_yes[3] == probs[3]
        assert abstain[0] == probs[0] and abstain[2] < probs[2] and abs(abstain.sum() - 1) < 1e-12
    with pytest.raises(ValueError, match="a move is one of"):
        moved(probs, "bribe", 1.0)


def test_the_api_and_cli_agree_and_say_when_it_cannot_be_done() -> None:
    from click.testing import CliRunner

    from sim.cli import main

    path = ROOT / "scenarios" / "libya_2011_abstentions.toml"
    result = sim.lobby(path, target=0.9)
    assert result.reachable and result.plans
    best = result.plans[0]
    assert best.p_adopted >= 0.9 and describe(best).startswith("Win ")
    res = CliRunner().invoke(main, ["lobby", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    import json

    out = json.loads(res.stdout)
    assert out["reachable"] and out["plans"][0]["p_adopted"] == pytest.approx(best.p_adopted)
    assert set(out["plans"][0]["member_votes"]) == set(result.members)
    # a plan re-simulated as a plain scenario gives its P(adopted)
    spec = sim.model_spec(path)
    assert exact.event_probabilities(spec.model.with_probs(best.probs))[0] == pytest.approx(best.p_adopted)
    hard = sim.lobby(ROOT / "scenarios" / "ukraine_2022_russia_veto.toml", target=0.99, max_moves=1)
    assert not hard.reachable and hard.found.best is not None and hard.found.best.p_adopted < 0.99
    bad = CliRunner().invoke(main, ["lobby", str(path), "--target", "1.5"])
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "target" in bad.stderr


def test_an_evaluation_budget_stops_the_search_and_says_so() -> None:
    path = ROOT / "scenarios" / "whatif_2026_us_ukraine_text.toml"
    full = sim.lobby(path, target=0.8, max_moves=3)
    assert full.found.complete and full.reachable
    cut = sim.lobby(path, target=0.8, max_moves=3, max_evaluations=20)
    assert not cut.found.complete and cut.found.evaluations <= 21
    assert "stopped after 20 exact computations" in cut.note
    for plan in cut.plans:  # whatever it found still reaches the target
        assert plan.p_adopted >= 0.8
    assert cut.to_dict()["complete"] is False
