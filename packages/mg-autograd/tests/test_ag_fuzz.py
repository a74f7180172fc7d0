"""Gradient fuzzer: random expression graphs, backward() against central differences.

Hypothesis draws a graph as plain data - 2-4 leaf values in [-2, 2) and 1-16 instructions, each a
tuple of small ints (op, three operand references, a constant index, flag bits), all decoded
from one byte string (`decode`) - and `_Build` turns it into Values. One draw per graph instead
of one per field or per node keeps 10,000 graphs near 10 s. An operand reference r means "the
node r places back" (0 = the newest), so small references make deep chains, and reused leaves,
diamonds and ``x op x`` come from references that collide. Every op of `Value`
and the n-ary functions appear: + - * / (Value-Value and both constant sides), unary -, ** with
a number, a Value and a number base, relu, tanh, exp, log, sigmoid, softplus, `sum`, `dot`
with and without bias (constants mixed in), and `make_node` (sin(a) * b, a hand-derived local
derivative, parents possibly equal). The output sums every instruction result no later
instruction used, so every node reaches it.

Domains are kept by construction, whatever the leaf values:
- log, division, a negative or fractional constant power and a Value power take ``pos(v)``,
  one of softplus(v) + 0.5 >= 0.5, exp(tanh v) >= 1/e, v*v + 0.25 >= 0.25 (a divisor may be
  -pos(v)); a non-negative integer power takes any base.
- Magnitudes: every operand passes through ``fit(v, L)``, which multiplies by a constant
  L / |v| when |v| > L (L = 3, or 2 under exp, a power or dot). The factor is chosen once at the
  unshifted point (the "plan") and then frozen, so all evaluations compute the same smooth
  function. With |operand| <= L every op's result stays below ~40 (4.25^2.5 = 37 is the largest),
  so no op overflows and rounding stays small.
- relu kinks: relu(v + s) gets a planned shift s that puts its input at least MARGIN from 0 at
  the unshifted point. That is not yet enough - an input with derivative G moves by eps * G at
  the shifted points - so `_gradcheck` records every relu input at all 2n + 1 points gradcheck
  evaluates and, if one relu's inputs are not all > MARGIN or all < -MARGIN, moves that relu's
  shift (the earliest such relu first: later shifts cannot change earlier inputs) and checks
  again. When all of them agree in sign, f equals a smooth function (relu replaced by x or 0)
  at every point used, so backward and the central difference must agree on it exactly as for
  a smooth graph; no kink needs to be "far enough" by a guessed amount. (In 10,000 graphs the
  planned margin always sufficed; `test_fuzz_moves_a_relu_kink_off_the_points_it_checks`
  exercises the move.)

Tolerances: eps = 1e-6, |analytic - numeric| <= ATOL + RTOL |numeric| with ATOL = 1e-8,
RTOL = 1e-6. The central difference errs by eps^2 |f'''| / 6 (~1e-12 |f'''|) plus rounding
~ k u |v| / eps for intermediate values |v| <= 40 amplified by the downstream derivative
(u = 2^-53: ~1e-9 absolute, which ATOL covers). Over 10,000 graphs (gradients up to ~600) the
largest error seen was 9% of this tolerance. gradcheck's defaults (1e-5, 1e-3) would be safe
too but would let a local derivative off by 0.1% pass; with these, engine mutants off by 1e-6
relative (exp, log) fail within 500 graphs.

`test_fuzz_can_fail_*` show the fuzzer is not vacuous: the same graphs with one local
derivative off by a factor (make_node) must be reported, at exactly the leaves it affects.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

import mg_autograd as ag
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import GradcheckReport, Value

EXAMPLES = int(os.environ.get("MG_FUZZ_EXAMPLES", "500"))
CAN_FAIL_EXAMPLES = 300
EPS = 1e-6
ATOL = 1e-8
RTOL = 1e-6
MARGIN = 1e-3
WRONG = 1.5

CONSTS = (0.5, -1.0, 2.0, -0.25, 1.5, -2.0, 0.1, 3.0)
EXPONENTS: tuple[float, ...] = (2, 3, 0, 1, -1, -2, 0.5, 1.5, -0.5, 2.5, 1.0 / 3.0, 2.0)
BASES = (0.5, 2.0, 3.0, math.e, 0.25)

Instr = tuple[str, int, int, int, int, int]


@dataclass(frozen=True)
class Graph:
    """A random expression graph as data: leaf values and instructions (see module docstring)."""

    leaves: tuple[float, ...]
    code: tuple[Instr, ...]


@dataclass
class Plan:
    """Constants chosen at the unshifted point (fit factors, relu shifts), in build order."""

    values: list[float] = field(default_factory=list)


@dataclass
class Fault:
    """A deliberately wrong local derivative: scale leaf ``leaf``'s or every make_node's."""

    leaf: Optional[int] = None
    custom: float = 1.0


@dataclass
class ReluTrace:
    """Where a relu's shift sits in the plan, and its input at every evaluation so far."""

    slot: int
    inputs: list[float] = field(default_factory=list)


class _Build:
    """One evaluation of a `Graph` on given leaf Values; in planning mode it fills the plan."""

    def __init__(
        self, plan: Plan, leaves: Sequence[Value], relu_log: list[ReluTrace], fault: Fault
    ) -> None:
        self.plan = plan
        self.cursor = 0
        self.pool: list[Value] = list(leaves)
        self.used = [False] * len(leaves)
        self.relu_log = relu_log
        self.relus = 0
        self.fault = fault

    def constant(self, proposal: float) -> float:
        if self.cursor == len(self.plan.values):
            self.plan.values.append(proposal)
        value = self.plan.values[self.cursor]
        self.cursor += 1
        return value

    def ref(self, r: int, limit: float = 3.0) -> Value:
        index = len(self.pool) - 1 - r % len(self.pool)
        self.used[index] = True
        return self.fit(self.pool[index], limit)

    def fit(self, v: Value, limit: float) -> Value:
        size = abs(v.data)
        scale = self.constant(limit / size if size > limit else 1.0)
        return v if scale == 1.0 else v * scale

    def pos(self, v: Value, flags: int) -> Value:
        kind = (flags >> 1) % 3
        if kind == 0:
            return v.softplus() + 0.5 if flags & 1 else 0.5 + v.softplus()
        if kind == 1:
            return v.tanh().exp()
        small = self.fit(v, 2.0)
        return small * small + 0.25

    def relu(self, v: Value, k: float, flags: int) -> Value:
        centre = v.data + k
        shift = self.constant(k if abs(centre) >= MARGIN else k + math.copysign(2 * MARGIN, centre))
        z = v + shift if flags & 1 else shift + v
        if len(self.relu_log) == self.relus:
            self.relu_log.append(ReluTrace(self.cursor - 1))
        self.relu_log[self.relus].inputs.append(z.data)
        self.relus += 1
        return z.relu()

    def custom(self, a: Value, b: Value) -> Value:
        """sin(a) * b: d/da = cos(a) b, d/db = sin(a) (a and b may be one node)."""
        s = math.sin(a.data)
        local = (math.cos(a.data) * b.data * self.fault.custom, s)
        return ag.make_node(s * b.data, (a, b), local, "sin_times")

    def run(self, code: Sequence[Instr]) -> Value:
        for op, i, j, k, c, flags in code:
            self.pool.append(OPS[op](self, i, j, k, c, flags))
            self.used.append(False)
        first = len(self.used) - len(code)
        sinks = [v for v, used in zip(self.pool[first:], self.used[first:]) if not used]
        return sinks[0] if len(sinks) == 1 else ag.sum(sinks)


Op = Callable[[_Build, int, int, int, int, int], Value]


def _pow_const(b: _Build, i: int, k: int, flags: int) -> Value:
    e = EXPONENTS[k % len(EXPONENTS)]
    if e >= 0 and float(e).is_integer():
        return b.ref(i, 2.0) ** e
    base = b.pos(b.ref(i, 2.0), flags)
    if float(e).is_integer() and flags & 8:
        base = -base
    return base**e


def _sum(b: _Build, i: int, j: int, k: int, c: int, flags: int) -> Value:
    terms: list[ag.ValueLike] = [b.ref(i), b.ref(j), b.ref(k)]
    del terms[1 + (flags >> 4) % 3 :]
    if flags & 8:
        terms.insert(flags % len(terms), CONSTS[c])
    return ag.sum(terms)


def _dot(b: _Build, i: int, j: int, k: int, c: int, flags: int, bias: bool) -> Value:
    length = 1 + (flags >> 4) % 3
    x, y, z = b.ref(i, 2.0), b.ref(j, 2.0), b.ref(k, 2.0)
    weights: list[ag.ValueLike] = [x, y, z]
    inputs: list[ag.ValueLike] = [y, z, x]
    del weights[length:], inputs[length:]
    if flags & 8:
        inputs[(flags >> 1) % length] = CONSTS[c]
    if not bias:
        return ag.dot(weights, inputs)
    offset: ag.ValueLike = z if flags & 1 else CONSTS[c]
    return ag.dot(weights, inputs, offset)


OPS: dict[str, Op] = {
    "add": lambda b, i, j, k, c, f: b.ref(i) + b.ref(j),
    "add_const": lambda b, i, j, k, c, f: b.ref(i) + CONSTS[c] if f & 1 else CONSTS[c] + b.ref(i),
    "sub": lambda b, i, j, k, c, f: b.ref(i) - b.ref(j),
    "sub_const": lambda b, i, j, k, c, f: b.ref(i) - CONSTS[c] if f & 1 else CONSTS[c] - b.ref(i),
    "neg": lambda b, i, j, k, c, f: -b.ref(i),
    "mul": lambda b, i, j, k, c, f: b.ref(i) * b.ref(j),
    "mul_const": lambda b, i, j, k, c, f: b.ref(i) * CONSTS[c] if f & 1 else CONSTS[c] * b.ref(i),
    "div": lambda b, i, j, k, c, f: (
        b.ref(i) / (-b.pos(b.ref(j), f) if f & 8 else b.pos(b.ref(j), f))
    ),
    "div_const": lambda b, i, j, k, c, f: (
        b.ref(i) / CONSTS[c] if f & 8 else CONSTS[c] / b.pos(b.ref(i), f)
    ),
    "pow_const": lambda b, i, j, k, c, f: _pow_const(b, i, k, f),
    "pow_value": lambda b, i, j, k, c, f: b.pos(b.ref(i, 2.0), f) ** b.ref(j, 2.0),
    "rpow": lambda b, i, j, k, c, f: BASES[c % len(BASES)] ** b.ref(i, 2.0),
    "relu": lambda b, i, j, k, c, f: b.relu(b.ref(i), CONSTS[c] / 2, f),
    "tanh": lambda b, i, j, k, c, f: b.ref(i).tanh(),
    "exp": lambda b, i, j, k, c, f: b.ref(i, 2.0).exp(),
    "log": lambda b, i, j, k, c, f: b.pos(b.ref(i), f).log(),
    "sigmoid": lambda b, i, j, k, c, f: b.ref(i).sigmoid(),
    "softplus": lambda b, i, j, k, c, f: b.ref(i).softplus(),
    "sum": _sum,
    "dot": lambda b, i, j, k, c, f: _dot(b, i, j, k, c, f, bias=False),
    "dot_bias": lambda b, i, j, k, c, f: _dot(b, i, j, k, c, f, bias=True),
    "make_node": lambda b, i, j, k, c, f: b.custom(b.ref(i), b.ref(j)),
}

OP_NAMES = tuple(sorted(OPS))
MAX_LEAVES = 4
MAX_CODE = 16
REFS = 16


def decode(data: bytes) -> Graph:
    """Byte 0 picks 2-4 leaves and byte 1 picks 1-16 instructions (uniformly: a hypothesis list
    would be mostly 1-3 long); the next 12 bytes are 4 leaf values (3 bytes each, signed, / 2^22:
    a grid of step 2.4e-7 on [-2, 2) that holds 0); each further 4 bytes is one instruction, read
    as one integer in mixed radix (op, three references, constant index, flags).
    """
    leaves = tuple(
        int.from_bytes(data[_LEAVES_AT + 3 * n : _LEAVES_AT + 3 * n + 3], "big", signed=True)
        / 2**22
        for n in range(2 + data[0] % (MAX_LEAVES - 1))
    )
    code: list[Instr] = []
    for n in range(1 + data[1] % MAX_CODE):
        at = _CODE_AT + 4 * n
        word = int.from_bytes(data[at : at + 4], "big")
        word, op = divmod(word, len(OP_NAMES))
        word, i = divmod(word, REFS)
        word, j = divmod(word, REFS)
        word, k = divmod(word, REFS)
        word, c = divmod(word, len(CONSTS))
        code.append((OP_NAMES[op], i, j, k, c, word % 64))
    return Graph(leaves, tuple(code))


_LEAVES_AT = 2
_CODE_AT = _LEAVES_AT + 3 * MAX_LEAVES
_SIZE = _CODE_AT + 4 * MAX_CODE
graphs = st.binary(min_size=_SIZE, max_size=_SIZE).map(decode)
"""Random graphs drawn as one fixed-size byte string: one hypothesis draw per graph instead of
one per field keeps generation at ~0.7 ms a graph (drawing ~40 ints costs ~3 ms), and hypothesis
still shrinks it (bytes towards 0 = fewer leaves and instructions, newer operands)."""


class GraphFunction:
    """f(*leaves) = the graph's output, as `gradcheck` wants it: one Value per leaf in, one out.

    With ``fault.leaf`` set, that leaf first passes through an identity node whose local
    derivative is WRONG instead of 1: the value is unchanged, its gradient is not.
    """

    def __init__(self, graph: Graph, plan: Plan, relu_log: list[ReluTrace], fault: Fault) -> None:
        self.graph = graph
        self.plan = plan
        self.relu_log = relu_log
        self.fault = fault

    def __call__(self, *leaves: Value) -> Value:
        bad = self.fault.leaf
        if bad is not None:
            x = leaves[bad]
            wrong = ag.make_node(x.data, (x,), (WRONG,), "wrong_identity")
            leaves = (*leaves[:bad], wrong, *leaves[bad + 1 :])
        return _Build(self.plan, leaves, self.relu_log, self.fault).run(self.graph.code)


def _gradcheck(
    graph: Graph, fault: Fault, plan: Optional[Plan] = None
) -> tuple[GradcheckReport, Plan]:
    """gradcheck the graph after planning its constants and moving relu kinks off every point."""
    if plan is None:
        plan = Plan()
        with ag.no_grad():
            GraphFunction(graph, plan, [], Fault())(*(Value(x) for x in graph.leaves))
    for _ in range(len(graph.code) + 1):
        relu_log: list[ReluTrace] = []
        f = GraphFunction(graph, plan, relu_log, fault)
        report = ag.gradcheck(f, graph.leaves, eps=EPS, atol=ATOL, rtol=RTOL, raise_exception=False)
        straddling = [
            t for t in relu_log if not (min(t.inputs) > MARGIN or max(t.inputs) < -MARGIN)
        ]
        if not straddling:
            return report, plan
        _move_shift(plan, straddling[0])
    raise AssertionError(f"relu shifts did not settle for {graph}")


def _move_shift(plan: Plan, trace: ReluTrace) -> None:
    """Move one relu's shift so that its recorded inputs all lie about 2 MARGIN or more from 0."""
    low, high = min(trace.inputs), max(trace.inputs)
    delta = 2 * MARGIN - low if low + high >= 0 else -2 * MARGIN - high
    plan.values[trace.slot] += delta


def _with_make_node(graph: Graph, at: int, i: int, j: int) -> Graph:
    code = list(graph.code)
    code.insert(at % (len(code) + 1), ("make_node", i, j, 0, 0, 0))
    return Graph(graph.leaves, tuple(code))


graphs_with_make_node = st.builds(
    _with_make_node, graphs, st.integers(0, MAX_CODE), st.integers(0, REFS), st.integers(0, REFS)
)


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None)


def test_fuzz_random_graphs() -> None:
    """MG_FUZZ_EXAMPLES random graphs, every gradient within tolerance of central differences.

    Also checks that the run was not vacuous: every op was built, and most graphs have a
    gradient large enough (> 1e-3) that a wrong derivative would show.
    """
    ops_seen = dict.fromkeys(OPS, 0)
    graphs_checked = 0
    lively = 0

    @_settings(EXAMPLES)
    @given(graphs)
    def check(graph: Graph) -> None:
        nonlocal graphs_checked, lively
        report, _ = _gradcheck(graph, Fault())
        assert report.ok, f"{graph}: {report.mismatches}"
        graphs_checked += 1
        lively += max(abs(n) for n in report.numeric) > 1e-3
        for instr in graph.code:
            ops_seen[instr[0]] += 1

    check()
    assert graphs_checked >= EXAMPLES
    assert [op for op, n in ops_seen.items() if n == 0] == []
    assert lively >= 0.9 * graphs_checked


def test_fuzz_moves_a_relu_kink_off_the_points_it_checks() -> None:
    """relu(x1 - 0.75) at x1 = 0.75: the central difference straddles the kink and gives 0.5
    where backward gives 0, a false alarm; `_gradcheck` moves the shift until every evaluated
    input is positive, and then both agree on the slope 1."""
    graph = Graph((0.25, 0.75), (("relu", 0, 0, 0, 0, 1),))
    plan = Plan([1.0, -0.75])
    on_kink = GraphFunction(graph, Plan(list(plan.values)), [], Fault())
    straddled = ag.gradcheck(on_kink, graph.leaves, eps=EPS, raise_exception=False)
    assert [m.index for m in straddled.mismatches] == [1]
    assert straddled.analytic[1] == 0.0

    report, moved = _gradcheck(graph, Fault(), plan)
    assert report.ok
    assert report.analytic == (0.0, 1.0)
    assert math.isclose(moved.values[1], -0.75 + 2 * MARGIN, abs_tol=2 * EPS)


def test_fuzz_can_fail_at_a_leaf() -> None:
    """One leaf routed through make_node with local derivative 1.5 instead of 1.

    Every path from that leaf passes through the wrong node, so backward gives exactly 1.5 times
    the true gradient g there and the true one elsewhere: gradcheck must flag that leaf, and only
    it, whenever |0.5 g| exceeds the tolerance. The leaf chosen is the one with the largest g.
    """
    detected = 0

    @_settings(CAN_FAIL_EXAMPLES)
    @given(graphs)
    def check(graph: Graph) -> None:
        nonlocal detected
        good, plan = _gradcheck(graph, Fault())
        assert good.ok
        target = max(range(len(graph.leaves)), key=lambda i: abs(good.numeric[i]))
        bad, _ = _gradcheck(graph, Fault(leaf=target), plan)
        g = good.numeric[target]
        if abs((WRONG - 1.0) * g) > 2 * (ATOL + RTOL * abs(g)):
            assert [m.index for m in bad.mismatches] == [target]
            assert bad.analytic[target] == WRONG * good.analytic[target]
            detected += 1
        else:
            assert bad.ok

    check()
    assert detected >= 0.95 * CAN_FAIL_EXAMPLES


def test_fuzz_can_fail_inside_the_graph() -> None:
    """Every make_node's d/da (sin(a) b -> cos(a) b) scaled by 1.5, deep inside random graphs.

    The error it injects into leaf i's gradient is e_i = (wrong analytic) - (right analytic);
    gradcheck must flag leaf i when |e_i| is clearly above its tolerance and must not when it is
    clearly below (e.g. e_i = 0: no path, a dead relu, b = 0).
    """
    detected = 0

    @_settings(CAN_FAIL_EXAMPLES)
    @given(graphs_with_make_node)
    def check(graph: Graph) -> None:
        nonlocal detected
        good, plan = _gradcheck(graph, Fault())
        assert good.ok
        bad, _ = _gradcheck(graph, Fault(custom=WRONG), plan)
        flagged = {m.index for m in bad.mismatches}
        for i, (right, wrong, n) in enumerate(zip(good.analytic, bad.analytic, good.numeric)):
            tolerance = ATOL + RTOL * abs(n)
            if abs(wrong - right) > 2 * tolerance:
                assert i in flagged
            if abs(wrong - right) < tolerance / 2:
                assert i not in flagged
        detected += bool(flagged)

    check()
    assert detected >= 0.85 * CAN_FAIL_EXAMPLES
