"""Quantiles of the scenario's distributions, exactly (no sampling).

The planner sizes the reserve after an important meeting from its overrun
distribution (docs/planning-rules.md, "Safety before ceremony"), and the
checker recomputes it; both need the same number without drawing random
values, so it is the inverse of the distribution function: closed forms for
the single distributions, bisection on the mixture's distribution function
(no closed form exists) to well below a second of a minute.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from sim.model import Distribution, DistributionKind

_STANDARD = NormalDist()
_BISECTIONS = 200  # halves the bracket far below float resolution


def quantile(dist: Distribution, q: float) -> float:
    """The value a draw stays at or below with probability ``q`` (0 < q < 1),
    ``shift`` and ``cap`` included."""
    if not 0 < q < 1:
        raise ValueError(f"quantile level {q} must lie strictly between 0 and 1")
    if dist.kind is DistributionKind.MIXTURE:
        value = _mixture_quantile(dist, q)
    else:
        value = _raw_quantile(dist, q) + dist.shift
    return value if dist.cap is None else min(value, dist.cap)


def cdf(dist: Distribution, x: float) -> float:
    """P(draw <= x), ``shift`` and ``cap`` included."""
    if dist.cap is not None and x >= dist.cap:
        return 1.0
    if dist.kind is DistributionKind.MIXTURE:
        total = sum(w for w, _ in dist.components)
        return sum(w * cdf(c, x - dist.shift) for w, c in dist.components) / total
    return _raw_cdf(dist, x - dist.shift)


def _raw_quantile(dist: Distribution, q: float) -> float:
    kind = dist.kind
    if kind is DistributionKind.FIXED:
        return dist.param("value")
    if kind is DistributionKind.UNIFORM:
        low, high = dist.param("low"), dist.param("high")
        return low + q * (high - low)
    if kind is DistributionKind.NORMAL:
        return dist.param("mean") + dist.param("sd") * _STANDARD.inv_cdf(q)
    if kind is DistributionKind.EXPONENTIAL:
        return -dist.param("mean") * math.log1p(-q)
    if kind is DistributionKind.LOGNORMAL:
        return dist.param("median") * math.exp(dist.param("sigma") * _STANDARD.inv_cdf(q))
    raise ValueError(f"unknown distribution kind {kind!r}")


def _raw_cdf(dist: Distribution, x: float) -> float:
    kind = dist.kind
    if kind is DistributionKind.FIXED:
        return 1.0 if x >= dist.param("value") else 0.0
    if kind is DistributionKind.UNIFORM:
        low, high = dist.param("low"), dist.param("high")
        if high <= low:
            return 1.0 if x >= low else 0.0
        return min(max((x - low) / (high - low), 0.0), 1.0)
    if kind is DistributionKind.NORMAL:
        sd = dist.param("sd")
        if sd <= 0:
            return 1.0 if x >= dist.param("mean") else 0.0
        return NormalDist(dist.param("mean"), sd).cdf(x)
    if kind is DistributionKind.EXPONENTIAL:
        return 0.0 if x <= 0 else -math.expm1(-x / dist.param("mean"))
    if kind is DistributionKind.LOGNORMAL:
        median, sigma = dist.param("median"), dist.param("sigma")
        if x <= 0:
            return 0.0
        if sigma <= 0:
            return 1.0 if x >= median else 0.0
        return _STANDARD.cdf(math.log(x / median) / sigma)
    raise ValueError(f"unknown distribution kind {kind!r}")


def _mixture_quantile(dist: Distribution, q: float) -> float:
    """The smallest x with cdf(x) >= q, by bisection between the components'
    own quantiles (the mixture's lies between the smallest and the largest)."""
    ends = [quantile(c, q) + dist.shift for _, c in dist.components]
    low, high = min(ends), max(ends)
    if low == high:
        return low
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if cdf(dist, middle) >= q:
            high = middle
        else:
            low = middle
    return high
