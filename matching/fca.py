"""Two-step floating catchment area (2SFCA) accessibility, with optional distance decay.

Luo & Wang (2003): for supply sites ``j`` and demand locations ``i`` with
straight-line distances ``d_ij`` and a catchment radius ``d0``,

    step 1  R_j = S_j / sum_{k : d_kj <= d0} G(d_kj) D_k      (supply per weighted demand)
    step 2  A_i = sum_{j : d_ij <= d0} G(d_ij) R_j            (accessibility of location i)

Classic 2SFCA has ``G = 1`` inside the catchment (``decay="none"``). The enhanced
variant used by default weighs distance inside the catchment with a Gaussian that
is 1 at the site and 0 at the edge (Dai 2010's form)::

    G(d) = (exp(-d^2 / (2 d0^2)) - exp(-1/2)) / (1 - exp(-1/2))   for d <= d0, else 0

``A_i`` is in supply units per unit of demand; summed over ``i`` with weights
``D_i`` it returns the total supply that is within reach of some demand.
"""

from __future__ import annotations

import numpy as np

from graph.errors import InvalidInput

__all__ = ["two_step_fca", "decay_weights", "check_radii", "DECAYS"]

DECAYS = ("gaussian", "none")
_EDGE = float(np.exp(-0.5))


def decay_weights(dist_km: np.ndarray, catchment_km: float, decay: str = "gaussian") -> np.ndarray:
    """``G(d)`` for a distance array (NaN distances weigh 0)."""
    if decay not in DECAYS:
        raise InvalidInput(f"unknown distance decay {decay!r}: expected one of {', '.join(DECAYS)}")
    if not catchment_km > 0:
        raise InvalidInput(f"catchment radius must be > 0 km, got {catchment_km!r}")
    d = np.nan_to_num(np.asarray(dist_km, dtype=np.float64), nan=np.inf)
    inside = d <= catchment_km
    if decay == "none":
        return inside.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        g = (np.exp(-(d * d) / (2.0 * catchment_km * catchment_km)) - _EDGE) / (1.0 - _EDGE)
    return np.where(inside, g, 0.0)


def two_step_fca(
    supply: np.ndarray,
    demand: np.ndarray,
    dist_km: np.ndarray,
    catchment_km: float,
    decay: str = "gaussian",
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Accessibility of every demand location and the supply-to-demand ratio of every site.

    ``supply (m,)`` or ``(m, t)`` for ``t`` topics at once, ``demand (n,)`` or ``(n, t)``,
    ``dist_km (n, m)``. Returns ``(A (n,) or (n, t), R (m,) or (m, t))``; a site with no
    demand in reach has ``R = 0``. ``weights`` may pass precomputed ``decay_weights``.
    """
    s = np.asarray(supply, dtype=np.float64)
    dem = np.asarray(demand, dtype=np.float64)
    g = decay_weights(dist_km, catchment_km, decay) if weights is None else weights
    if g.shape != (dem.shape[0], s.shape[0]):
        raise InvalidInput(f"distance matrix has shape {g.shape}, expected ({dem.shape[0]}, {s.shape[0]})")
    reach = g.T @ dem  # (m,) or (m, t): demand weighted by decay within each site's catchment
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reach > 0, s / np.where(reach > 0, reach, 1.0), 0.0)
    return g @ ratio, ratio


def check_radii(radii: object) -> tuple[float, ...]:
    """Validate catchment radii: one or more numbers > 0 (km), returned sorted."""
    if isinstance(radii, int | float):
        radii = (radii,)
    try:
        vals = [float(r) for r in radii]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise InvalidInput(f"catchment radii must be numbers in km, e.g. 25,50,75; got {radii!r}") from None
    bad = [r for r in vals if not r > 0 or not np.isfinite(r)]
    if bad or not vals:
        raise InvalidInput(f"a catchment radius must be a number > 0 km, got {bad[0] if bad else 'none':g} (e.g. 25,50,75)"
                           if bad else "no catchment radius given (e.g. 25,50,75)")
    return tuple(sorted(set(vals)))
