"""Chosen uniforms of a block that numpy's ``Generator.random((rows, n))`` would draw, read in compiled code.

The market draws seven uniforms for every potential arrival (common random numbers: see
:mod:`sim.model.market`) but uses all of one row only, the thinning row; of the other rows it reads the
columns of the arrivals kept, a fifth of them or so. Drawing the whole block with numpy turns every
one of the ``rows x n`` states into a double; here the generator's state is stepped past the uniforms
nobody reads and only the ones read are turned into doubles, in compiled code. The block's uniforms are
exactly numpy's, and the generator is left where numpy would leave it (``rows x n`` draws further on).

numpy's ``PCG64``: a 128-bit linear congruential state stepped by ``state * MULTIPLIER + inc`` (mod
2**128), each step's output the XSL-RR of the new state (the two halves xor-ed, rotated right by the
top six bits), a double the output's top 53 bits over 2**53 (O'Neill 2014; numpy's ``pcg64.h`` and
``distributions``). A state here is ``uint64[4]``: the state's high and low halves, the increment's.
tests/core/test_market.py checks it against numpy's own draws.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645   # PCG's default 128-bit multiplier (numpy's)
_HALF = (1 << 64) - 1
M_HI, M_LO = np.uint64(_MULTIPLIER >> 64), np.uint64(_MULTIPLIER & _HALF)
_ZERO, _ONE = np.uint64(0), np.uint64(1)
_ROTATION, _BITS, _LOW6, _DOUBLE_SHIFT = np.uint64(58), np.uint64(64), np.uint64(63), np.uint64(11)
_DOUBLE_UNIT = 1.0 / 9007199254740992.0   # 2**-53
#: Positions in a state array.
HI, LO, INC_HI, INC_LO = range(4)


def reserve(rng: np.random.Generator, draws: int) -> np.ndarray:
    """The PCG64 state (``uint64[4]``) from which ``rng``'s next ``draws`` uniforms come; ``rng`` is moved past
    them. (``advance`` also drops a buffered half of a 32-bit draw: the market's streams draw none.)"""
    s = rng.bit_generator.state["state"]
    rng.bit_generator.advance(draws)
    return np.array([s["state"] >> 64, s["state"] & _HALF, s["inc"] >> 64, s["inc"] & _HALF], dtype=np.uint64)


def _mul_high(a: np.uint64, b: np.uint64) -> np.uint64:
    """The high 64 bits of the 128-bit product of two uint64 (as Python runs it: see ``_mul_high_ir``)."""
    return np.uint64((int(a) * int(b)) >> 64)


@intrinsic
def _mul_high_ir(typingctx, a, b):   # pragma: no cover - compiled
    """:func:`_mul_high` in compiled code: one widening multiply."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


@overload(_mul_high)
def _mul_high_compiled(a, b):   # pragma: no cover - compiled
    return lambda a, b: _mul_high_ir(a, b)


@njit(cache=True, inline="always")
def _mul_add(hi, lo, m_hi, m_lo, a_hi, a_lo):   # pragma: no cover - compiled
    """``(hi, lo) * (m_hi, m_lo) + (a_hi, a_lo)`` mod 2**128, as (high, low) halves."""
    p_lo = lo * m_lo
    p_hi = _mul_high(lo, m_lo) + lo * m_hi + hi * m_lo
    r_lo = p_lo + a_lo
    carry = _ONE if r_lo < p_lo else _ZERO
    return p_hi + a_hi + carry, r_lo


@njit(cache=True, inline="always")
def _double(hi, lo):   # pragma: no cover - compiled
    """The uniform on [0, 1) of a stepped state: XSL-RR output, top 53 bits."""
    x = hi ^ lo
    rot = hi >> _ROTATION
    out = (x >> rot) | (x << ((_BITS - rot) & _LOW6))
    return np.float64(out >> _DOUBLE_SHIFT) * _DOUBLE_UNIT


@njit(cache=True)
def advanced(state, delta):   # pragma: no cover - compiled
    """The state ``delta`` steps on (jump-ahead in O(log delta) steps; Brown 1994), as (high, low)."""
    acc_hi, acc_lo, plus_hi, plus_lo = _ZERO, _ONE, _ZERO, _ZERO
    cur_hi, cur_lo, inc_hi, inc_lo = M_HI, M_LO, state[INC_HI], state[INC_LO]
    d = np.uint64(delta)
    while d > _ZERO:
        if d & _ONE:
            acc_hi, acc_lo = _mul_add(acc_hi, acc_lo, cur_hi, cur_lo, _ZERO, _ZERO)
            plus_hi, plus_lo = _mul_add(plus_hi, plus_lo, cur_hi, cur_lo, inc_hi, inc_lo)
        m1_lo = cur_lo + _ONE
        m1_hi = cur_hi + (_ONE if m1_lo < cur_lo else _ZERO)
        inc_hi, inc_lo = _mul_add(m1_hi, m1_lo, inc_hi, inc_lo, _ZERO, _ZERO)
        cur_hi, cur_lo = _mul_add(cur_hi, cur_lo, cur_hi, cur_lo, _ZERO, _ZERO)
        d = d >> _ONE
    return _mul_add(state[HI], state[LO], acc_hi, acc_lo, plus_hi, plus_lo)


#: Steps by which block_uniforms jumps at once (a table of this many jumps is made for each call).
_JUMPS = 32


@njit(cache=True)
def block_uniforms(state, n, row, cols):   # pragma: no cover - compiled
    """``Generator.random((rows, n))[row, cols]`` of a generator at ``state`` (``cols`` ascending): from
    the first, each wanted state is one jump from the last (``state * a + c`` with the jump's a and c)."""
    out = np.empty(cols.size)
    if cols.size == 0:
        return out
    jump = np.empty((_JUMPS + 1, 4), dtype=np.uint64)   # jump g: a's and c's halves
    a_hi, a_lo, c_hi, c_lo = M_HI, M_LO, state[INC_HI], state[INC_LO]
    for g in range(1, _JUMPS + 1):
        jump[g, 0], jump[g, 1], jump[g, 2], jump[g, 3] = a_hi, a_lo, c_hi, c_lo
        a_hi, a_lo = _mul_add(a_hi, a_lo, M_HI, M_LO, _ZERO, _ZERO)
        c_hi, c_lo = _mul_add(c_hi, c_lo, M_HI, M_LO, state[INC_HI], state[INC_LO])
    at = row * n + cols[0]   # steps taken to the first wanted draw's state (its output is one more on)
    hi, lo = advanced(state, at)
    for j in range(cols.size):
        gap = row * n + cols[j] + 1 - at
        while gap > _JUMPS:
            hi, lo = _mul_add(hi, lo, jump[_JUMPS, 0], jump[_JUMPS, 1], jump[_JUMPS, 2], jump[_JUMPS, 3])
            gap -= _JUMPS
        hi, lo = _mul_add(hi, lo, jump[gap, 0], jump[gap, 1], jump[gap, 2], jump[gap, 3])
        at = row * n + cols[j] + 1
        out[j] = _double(hi, lo)
    return out
