"""One place derives every random stream from (seed, key): sim/seeding.py."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim import study
from sim.engine import montecarlo, seeding
from sim.errors import InputError
from tests.conftest import ROOT

SCENARIO = ROOT / "scenarios" / "jerusalem_2017_us_veto.toml"


def _state(ss: np.random.SeedSequence) -> list[int]:
    return ss.generate_state(4).tolist()


@pytest.mark.parametrize("key", [(), (0,), (3,), (3, 0), (3, 2), (seeding.LHS_STREAM,)])
def test_an_int_seed_streams_are_the_documented_seed_sequences(key: tuple[int, ...]) -> None:
    assert _state(seeding.stream(2024, *key)) == _state(np.random.SeedSequence(2024, spawn_key=key))


def test_a_seed_sequence_appends_the_key_to_its_own() -> None:
    parent = np.random.SeedSequence(11, spawn_key=(5,))
    assert _state(seeding.stream(parent, 2)) == _state(np.random.SeedSequence(11, spawn_key=(5, 2)))
    assert _state(seeding.stream(parent, 2)) != _state(seeding.stream(11, 2))


def test_the_generators_are_pcg64_on_the_stream() -> None:
    ours = montecarlo.chunk_rng(7, 3).standard_normal(5)
    theirs = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(3,)))).standard_normal(5)
    assert ours.tolist() == theirs.tolist()
    assert seeding.generator(9).random(3).tolist() == np.random.default_rng(9).random(3).tolist()


def test_derived_seeds_are_63_bit_and_differ_by_key() -> None:
    seeds = [seeding.derived_seed(1, i) for i in range(50)]
    assert all(0 <= s < 2**63 for s in seeds)
    assert len(set(seeds)) == 50
    assert study.point_seed(1, 7) == seeds[7]


def test_simulate_takes_a_seed_sequence_and_records_the_int_it_ran_on() -> None:
    ss = np.random.SeedSequence(123, spawn_key=(4,))
    a = sim.simulate(SCENARIO, draws=5000, seed=ss)
    assert a.seed == seeding.recorded(ss) == seeding.derived_seed(ss)
    b = sim.simulate(SCENARIO, draws=5000, seed=a.seed)  # the recorded number replays the run
    assert a.p_adopted == b.p_adopted and a.member_votes.tolist() == b.member_votes.tolist()


def test_a_seed_of_another_type_says_what_to_pass() -> None:
    with pytest.raises(InputError, match="whole number, a numpy SeedSequence or None"):
        sim.simulate(SCENARIO, draws=100, seed=np.random.default_rng(1))  # type: ignore[arg-type]
