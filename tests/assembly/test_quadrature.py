"""The Assembly's smooth quadrature grid (sim/assembly/quadrature.py) against the Council's
adaptive grid, on the library's scenarios and the benchmark's model; its fallback to the
Council's grid; and its convergence when its nodes are doubled."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from sim.assembly import exact
from sim.assembly import quadrature as aq
from sim.assembly.model import AssemblyModel, assembly_model
from sim.assembly.scenario import build_assembly
from sim.engine.quadrature import grid
from sim.io.files import read_any_scenario

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(p.stem for p in (ROOT / "scenarios" / "assembly").glob("*.toml"))
#: The axis scenarios, whose Council grid is large (3,072 outer nodes, 25,000 per bloc)
AXIS = ("es11_7_european_text_2025", "es11_8_us_text_amended_2025")
FIELDS = ("yes", "no", "abstain", "spare")


def library(stem: str) -> AssemblyModel:
    return build_assembly(read_any_scenario(ROOT / "scenarios" / "assembly" / f"{stem}.toml")).model


def bench(axis: bool) -> AssemblyModel:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_assembly
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return bench_assembly.assembly(axis)


def synthetic(n: int, cohesion: dict[str, float], *, axis: bool = True, common: float = 0.2,
              question: str = "simple", loading: float = 0.5, seed: int = 2) -> AssemblyModel:
    """n members in three groups with Dirichlet votes; the first ten load on the axis, uniform
    in (-loading, loading)."""
    rng = np.random.default_rng(seed)
    regions = [("A", "B", "C")[i % 3] for i in range(n)]
    probs = rng.dirichlet([5, 3, 1.5, 0.5], size=n)
    lam = np.zeros(n)
    lam[:10] = rng.uniform(-loading, loading, 10)
    return assembly_model([f"M{i:03d}" for i in range(n)], probs, regions, question, common=common,
                          cohesion=cohesion, alignment=lam if axis else None)


def outcomes(model: AssemblyModel, which: str, monkeypatch: pytest.MonkeyPatch,
             nodes: int | None = None) -> exact.AssemblyOutcome:
    """exact_outcomes summed over the Council's grid ("council"), :func:`aq.assembly_grid`
    ("assembly") or the smooth grid whatever the model ("smooth")."""
    build = {"council": grid, "assembly": aq.latent_grid, "smooth": aq.smooth_grid}[which]
    with monkeypatch.context() as patch:
        patch.setattr(exact, "assembly_grid", lambda m, n=None: build(m.latent, n))
        return exact.exact_outcomes(model, nodes)


def assert_close(got: exact.AssemblyOutcome, want: exact.AssemblyOutcome, p_tol: float, tol: float) -> None:
    assert got.p_adopted == pytest.approx(want.p_adopted, abs=p_tol)
    for name in FIELDS:
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), atol=tol, rtol=0, err_msg=name)


def test_the_library_and_the_benchmark_get_the_smooth_grid_with_few_nodes() -> None:
    for stem in LIBRARY:
        assert aq.smooth(library(stem).latent), stem
    assert aq.smooth(bench(True).latent) and aq.smooth(bench(False).latent)
    for stem in AXIS:
        q = aq.assembly_grid(library(stem))
        # about 1,000 outer nodes and 1,400 per bloc, against the Council's 3,072 and 25,000
        assert q.weights.size < 1500
        assert max(g.probs.shape[0] for g in q.groups) < 2000


@pytest.mark.slow
@pytest.mark.parametrize("stem", AXIS)
def test_the_axis_scenarios_match_the_adaptive_grid(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within 1e-9 on P(adopted) and 1e-8 on every distribution of the Council's grid at its
    default nodes (measured: 7.4e-11 and 3.3e-9, the Council's own error: against it with 12
    nodes per piece the smooth grid is within 2.3e-14 and 7e-12)."""
    model = library(stem)
    assert_close(outcomes(model, "assembly", monkeypatch), outcomes(model, "council", monkeypatch), 1e-9, 1e-8)


@pytest.mark.parametrize("stem", [s for s in LIBRARY if s not in AXIS])
def test_the_other_scenarios_match_the_adaptive_grid(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """No axis: within 1e-9 and 1e-8 of the Council's grid (measured 3.3e-12 and 2.1e-10)."""
    model = library(stem)
    assert_close(outcomes(model, "assembly", monkeypatch), outcomes(model, "council", monkeypatch), 1e-9, 1e-8)


@pytest.mark.parametrize("axis", [True, False])
def test_the_benchmark_model_matches_the_adaptive_grid(axis: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Idiosyncratic weights down to 0.49 (0.63 without the axis): measured 1.1e-10 and 6e-11."""
    model = bench(axis)
    assert_close(outcomes(model, "assembly", monkeypatch), outcomes(model, "council", monkeypatch), 1e-9, 1e-8)


#: (model, its name): the library's axis scenarios, the benchmark's, and assemblies whose tally
#: is narrow in F (no bloc: 156 and 365 F nodes) or with a bloc of cohesion 0.6 (c down to 0.33)
CONVERGENCE = [
    *[pytest.param(lambda stem=stem: library(stem), id=stem) for stem in AXIS],
    pytest.param(lambda: bench(True), id="bench"),
    pytest.param(lambda: synthetic(80, {}), id="80 members, no bloc"),
    pytest.param(lambda: synthetic(193, {}, axis=False), id="193 members, no bloc, no axis"),
    pytest.param(lambda: synthetic(193, {"A": 0.6}, question="important", loading=0.3), id="193 members, cohesion 0.6"),
]


@pytest.mark.parametrize("make", CONVERGENCE)
def test_doubling_the_nodes_changes_nothing_beyond_1e_10(make: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The node counts are justified by convergence: twice the nodes of A and of F and half the
    stance steps move every statistic by less than 1e-10 (measured 1e-14 to 3e-11)."""
    assert callable(make)
    model = make()
    assert aq.smooth(model.latent)
    assert_close(outcomes(model, "smooth", monkeypatch, 2 * aq.DEFAULT_NODES),
                 outcomes(model, "smooth", monkeypatch), 1e-10, 1e-10)


def test_the_councils_grid_is_coarse_on_a_large_assembly_with_no_bloc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the counts follow the tally's width: on 80 members in no bloc the Council's 40
    Gauss–Hermite nodes in F leave 1.5e-4 on P(adopted); the smooth grid's 156 agree with its
    own doubled grid to 1e-10 and with the Council's at 16 nodes per piece to its error there."""
    model = synthetic(80, {})
    fine = outcomes(model, "smooth", monkeypatch, 2 * aq.DEFAULT_NODES)
    assert abs(outcomes(model, "council", monkeypatch).p_adopted - fine.p_adopted) > 1e-5
    assert outcomes(model, "assembly", monkeypatch).p_adopted == pytest.approx(fine.p_adopted, abs=1e-10)
    assert outcomes(model, "council", monkeypatch, 16).p_adopted == pytest.approx(fine.p_adopted, abs=1e-6)


def _same_grid(model: AssemblyModel) -> None:
    got, want = aq.assembly_grid(model), grid(model.latent)
    assert np.array_equal(got.weights, want.weights)
    for g, w in zip(got.split(4096), want.split(4096), strict=True):
        assert len(g.groups) == len(w.groups)
        for a, b in zip(g.groups, w.groups, strict=True):
            assert np.array_equal(a.probs, b.probs)


def test_fallback_to_the_councils_grid() -> None:
    """The Council's grid, to the bit, when the assembly is small (the enumeration tests), when
    some member's transition is narrow (cohesion 0.8 with common 0.15: idiosyncratic weights 0.22
    and below), or when members are so tied to F that its rule would need more than MAX_HERMITE
    nodes (common 0.85); a member at the constraint who is certain of its vote does not count."""
    small = synthetic(39, {"A": 0.3})
    narrow = synthetic(60, {"A": 0.8}, common=0.15, loading=0.2)
    tied = synthetic(193, {"B": 0.05}, common=0.85, loading=0.3)
    for model in (small, narrow, tied):
        assert not aq.smooth(model.latent)
        _same_grid(model)
    wide = synthetic(60, {"A": 0.3})
    lam = wide.latent.alignment.copy()
    probs = wide.probs.copy()
    lam[14], probs[14] = 0.894427, (1.0, 0.0, 0.0, 0.0)  # in group C (no bloc), c = 4e-7, certain yes
    certain = assembly_model(wide.members, probs, wide.regions, "simple", common=0.2, cohesion={"A": 0.3},
                             alignment=lam)
    assert aq.smooth(wide.latent) and aq.smooth(certain.latent)


def test_a_member_at_the_constraint_certain_of_its_vote(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sixty members, ten loadings of both signs in the bloc and out, one member at the
    constraint certain to vote yes: within 1e-9 and 1e-8 of the Council's grid."""
    wide = synthetic(60, {"A": 0.3})
    lam = wide.latent.alignment.copy()
    probs = wide.probs.copy()
    lam[14], probs[14] = 0.894427, (1.0, 0.0, 0.0, 0.0)
    model = assembly_model(wide.members, probs, wide.regions, "important", common=0.2, cohesion={"A": 0.3},
                           alignment=lam)
    assert_close(outcomes(model, "assembly", monkeypatch), outcomes(model, "council", monkeypatch), 1e-9, 1e-8)
