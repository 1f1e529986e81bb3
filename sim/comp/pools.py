"""Team pools: a share of a pod's (or the firm's) net GP, divided exactly among its producers.

For each basis (every pod, or the whole firm) the pool is::

    pool = round_half_even(rate * (GP credited to the basis - refunds of fall-offs attributed to it))

where a placement's GP and a fall-off's refund are attributed to pods by the plan's split (the recruiter
share to the recruiter's pod, the account manager share to the AM's pod), and the firm's GP is the sum
over all pods. GP credited to people who have since left still funds their pod's pool: it was earned by
the pod. A negative pool (refunds above GP) is charged to the producers as ``clawback`` lines when
clawback is on, and floored at 0 when it is off.

The pool is divided among the basis's current producers (recruiters and account managers, never the pod
lead), equally or by role weight, with the largest-remainder rule (ties to the lower person_id), so the
``pool`` lines sum to the pool to the cent. A basis with no producers (or only zero-weight ones) pays
nothing: its pool is *forfeited* and kept by the firm; :class:`PoolAccount` reports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .ledger import ACCOUNT_MANAGER, RECRUITER, Member
from .money import Rate, allocate, allocate_equally, integer_weights
from .params import PoolTerms

FIRM = None
"""The basis key of a firm-wide pool (pod pools are keyed by pod number)."""


class PoolAccount(NamedTuple):
    """One pool in one period: the basis it is on, what it holds and what was paid out of it."""

    pod: int | None
    """Pod number, or ``None`` for the firm-wide pool."""
    net_gp_cents: int
    pool_cents: int
    paid_cents: int

    @property
    def forfeited_cents(self) -> int:
        """What the pool held but nobody was there to be paid (``pool_cents - paid_cents``)."""
        return self.pool_cents - self.paid_cents


@dataclass(frozen=True, slots=True)
class PoolRule:
    """The exact terms of a pool: rate, basis, and integer role weights (``None`` for equal shares)."""

    rate: Rate
    firm_basis: bool
    weights: Mapping[str, int] | None
    clawback: bool

    @classmethod
    def from_terms(cls, terms: PoolTerms, rate: Rate, clawback: bool) -> PoolRule:
        """A rule from validated terms; ``rate`` is passed in because a hybrid scales it by ``1 - w``."""
        weights = None
        if terms.sharing == "role_weights":
            w = terms.role_weights
            recruiter, account_manager = integer_weights([w.recruiter, w.account_manager])
            weights = {RECRUITER: recruiter, ACCOUNT_MANAGER: account_manager}
        return cls(rate=rate, firm_basis=terms.basis == "firm", weights=weights, clawback=clawback)

    def pool_of(self, net_gp_cents: int) -> int:
        """The pool a basis holds for its net GP (negative only when clawback is on)."""
        pool = self.rate.of(net_gp_cents)
        return pool if pool >= 0 or self.clawback else 0

    def bases(self, pod_net_gp: Mapping[int, int],
              producers_by_pod: Mapping[int, list[Member]]) -> Iterable[tuple[int | None, int, list[Member]]]:
        """``(basis key, net GP, producers)`` for every basis that has GP, refunds or producers."""
        if self.firm_basis:
            everyone = [m for group in producers_by_pod.values() for m in group]
            yield FIRM, sum(pod_net_gp.values()), everyone
            return
        for pod in sorted(pod_net_gp.keys() | producers_by_pod.keys()):
            yield pod, pod_net_gp.get(pod, 0), producers_by_pod.get(pod, [])

    def shares(self, pool_cents: int, producers: list[Member]) -> dict[int, int]:
        """The pool split among ``producers`` by person_id (largest remainder, ties to the lower id).

        Returns an empty mapping when nobody can be paid (no producers, or every weight zero): forfeited.
        """
        if self.weights is None:
            return allocate_equally(pool_cents, [m.person_id for m in producers]) if producers else {}
        weights = {m.person_id: self.weights[m.role] for m in producers}
        if not any(weights.values()):
            return {}
        return allocate(pool_cents, weights)

    def accounts(self, pod_net_gp: Mapping[int, int],
                 producers_by_pod: Mapping[int, list[Member]]) -> tuple[PoolAccount, ...]:
        """Every pool of the period with what it held and what it paid out."""
        out = []
        for key, net, producers in self.bases(pod_net_gp, producers_by_pod):
            pool = self.pool_of(net)
            out.append(PoolAccount(key, net, pool, sum(self.shares(pool, producers).values())))
        return tuple(out)
