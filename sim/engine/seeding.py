"""Every random stream, derived from ``(seed, key)`` in one place.

A seed is an ``int`` or a :class:`numpy.random.SeedSequence`. Each stream is the seed's
sequence with ``key`` appended to its spawn key, so streams never overlap, and the numbers of a
stream depend only on the seed and the key: not on the number of workers, the executor, or the
order in which work finishes.

Key layout (the spawn key appended to the seed's own):

===============================  ==================================================================
``(chunk,)``                     Monte Carlo chunk ``chunk`` of one vote (:mod:`sim.engine.montecarlo`)
``(chunk, 0)``                   an amendment sequence's chunk: the final vote on the draft
``(chunk, j + 1)``               an amendment sequence's chunk: the vote on amendment ``j``
``(MIXTURE_STREAM, chunk)``      Monte Carlo chunk ``chunk`` of a hurdle mixture
                                 (:mod:`sim.engine.mixture`); ``MIXTURE_STREAM`` = 2**32 + 1 is two
                                 32-bit words, so this key is three words long, unlike any other
``(point,)``                     a study point's seed (63 bits of that stream's state; :mod:`sim.study`)
``(LHS_STREAM,)``                a study's Latin hypercube; ``LHS_STREAM`` = 2**32 is above any point
``()``                           the calibration fit's generator (``numpy.random.default_rng(seed)``)
===============================  ==================================================================

A study point's seed is an ``int`` that is then used as the seed of its own run, so a point
gives the same numbers as a single ``simulate`` call with that seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LHS_STREAM", "MIXTURE_STREAM", "Seed", "derived_seed", "fresh_seed", "generator", "recorded", "stream"]

Seed = int | np.integer[Any] | np.random.SeedSequence

#: Spawn key of a study's Latin hypercube: 2**32, above any point index.
LHS_STREAM = 2**32

#: First spawn key word of a mixture's Monte Carlo chunks: ``(MIXTURE_STREAM, chunk)``.
MIXTURE_STREAM = 2**32 + 1


def stream(seed: Seed, *key: int) -> np.random.SeedSequence:
    """The seed sequence of stream ``key`` of ``seed``."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + key, pool_size=seed.pool_size)
    return np.random.SeedSequence(seed, spawn_key=key)


def generator(seed: Seed, *key: int) -> np.random.Generator:
    """A PCG64 generator on stream ``key`` of ``seed``."""
    return np.random.Generator(np.random.PCG64(stream(seed, *key)))


def derived_seed(seed: Seed, *key: int) -> int:
    """A 63-bit ``int`` seed from stream ``key`` of ``seed`` (a study point's seed)."""
    state = stream(seed, *key).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def fresh_seed() -> int:
    """A new 63-bit seed from the operating system's entropy, to be recorded with the result."""
    return int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]


def recorded(seed: Seed) -> int:
    """The ``int`` recorded with a result: the seed, or a sequence's 63-bit derived seed.

    An ``int`` is recorded as given. A :class:`~numpy.random.SeedSequence` is recorded as
    :func:`derived_seed` of it, and a run given a sequence runs on that derived seed, so the
    recorded number reproduces the result on its own.
    """
    return derived_seed(seed) if isinstance(seed, np.random.SeedSequence) else int(seed)
