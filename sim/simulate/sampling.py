"""Drawing from the model's distributions, and the random streams they draw from.

Each kind of disruption has its own stream per replication,
``SeedSequence(root seed, spawn_key=(replication, kind))``, so a replication's
luck does not depend on workers, batches or the order they finish in.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.model import Distribution, DistributionKind


def sample(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` independent draws (shift added, cap applied)."""
    values = _raw(dist, rng, size) + dist.shift
    if dist.cap is not None:
        np.minimum(values, dist.cap, out=values)
    return values


def _raw(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    kind = dist.kind
    if kind is DistributionKind.FIXED:
        return np.full(size, dist.param("value"))
    if kind is DistributionKind.UNIFORM:
        return rng.uniform(dist.param("low"), dist.param("high"), size)
    if kind is DistributionKind.NORMAL:
        return rng.normal(dist.param("mean"), dist.param("sd"), size)
    if kind is DistributionKind.EXPONENTIAL:
        return rng.exponential(dist.param("mean"), size)
    if kind is DistributionKind.LOGNORMAL:
        return dist.param("median") * np.exp(dist.param("sigma") * rng.standard_normal(size))
    if kind is DistributionKind.MIXTURE:
        weights = np.array([w for w, _ in dist.components], dtype=float)
        pick = rng.choice(len(weights), size=size, p=weights / weights.sum())
        out = np.empty(size)
        # Every component draws all ``size`` values, so one component's parameters
        # never change which random numbers another one gets.
        for index, (_, component) in enumerate(dist.components):
            values = sample(component, rng, size)
            mask = pick == index
            out[mask] = values[mask]
        return out
    raise ValueError(f"Unknown distribution kind {kind!r}")


class Stream(IntEnum):
    """One random stream per kind of disruption (the last key of the seed sequence)."""

    DURATION = 0
    ARRIVAL = 1
    TRAVEL = 2
    OVERRUN = 3
    CANCEL = 4
    WALKOUT = 5
    ADDITIONS = 6


def stream(root_seed: int, replication: int, what: Stream) -> np.random.Generator:
    """The generator of one kind of disruption in one replication."""
    sequence = np.random.SeedSequence(root_seed, spawn_key=(replication, int(what)))
    return np.random.Generator(np.random.PCG64(sequence))
