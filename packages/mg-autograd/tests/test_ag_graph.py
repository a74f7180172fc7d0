"""The backward sweep: accumulation, topological order, no_grad, determinism, a 10^6-node chain."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from pathlib import Path

import mg_autograd as ag
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value

# The subprocesses import the very mg_autograd this process tests (the installed wheel under
# tox), never the source tree next to this file.
IMPORTED_FROM = str(Path(ag.__file__).resolve().parents[1])


def _leaves(seed: int, n: int) -> list[Value]:
    rng = random.Random(seed)
    return [Value(rng.uniform(-1.0, 1.0), label=f"x{i}") for i in range(n)]


def _random_graph(seed: int, leaves: list[Value], n_ops: int) -> Value:
    """A random DAG on ``leaves`` whose nodes reuse earlier ones (shared subexpressions, diamonds).

    The shape and constants depend only on ``seed``, so the same graph can be rebuilt on other
    leaf values. Products are squashed by tanh so that values stay O(1) at any depth.
    """
    rng = random.Random(seed)
    nodes: list[Value] = list(leaves)
    for _ in range(n_ops):
        a, b, c = rng.choice(nodes), rng.choice(nodes), rng.choice(nodes)
        kind = rng.randrange(7)
        if kind == 0:
            out = a + b
        elif kind == 1:
            out = (a * b).tanh()
        elif kind == 2:
            out = (a - b).tanh()
        elif kind == 3:
            out = a.sigmoid() * 2.0 - b
        elif kind == 4:
            out = ag.dot([a, b, c], [b, rng.uniform(-1, 1), a], c).tanh()
        elif kind == 5:
            out = ag.sum([a, rng.uniform(-1, 1), b, c]) * 0.25
        else:
            out = (a * 0.5).softplus() / (1.0 + b * b)
        nodes.append(out)
    return ag.sum(nodes[len(leaves) :])


# ---- accumulation -----------------------------------------------------------------------------


def test_two_backward_calls_give_leaves_exactly_twice_the_gradient() -> None:
    x, w = Value(0.7), Value(-1.3)
    h = (w * x).tanh()
    y = h * h + x
    y.backward()
    first_x, first_w, first_h = x.grad, w.grad, h.grad
    y.backward()
    assert (x.grad, w.grad) == (2 * first_x, 2 * first_w)
    assert h.grad == first_h  # intermediate nodes start afresh every call


def test_gradients_of_two_outputs_accumulate_into_shared_leaves() -> None:
    x = Value(2.0)
    (x * x).backward()
    (x * 3.0).backward()
    assert x.grad == 2 * 2.0 + 3.0


def test_backward_of_a_leaf_adds_one() -> None:
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_a_value_used_twice_gets_both_contributions() -> None:
    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 2 * 3.0 + 1.0


# ---- topological order --------------------------------------------------------------------


def test_operand_that_depends_on_the_other_operand() -> None:
    # c = 3a, b = 2c, y = b + c: y = 9a, and c must be placed after b in the sweep
    a = Value(2.0)
    c = a * 3
    b = c * 2
    y = b + c
    y.backward()
    assert a.grad == 9.0
    assert c.grad == 3.0
    order = ag.topological_order(y)
    assert order == [c, b, y]


@settings(derandomize=True, deadline=None, max_examples=25)
@given(st.integers(0, 10**6), st.integers(1, 5), st.integers(1, 30))
def test_order_places_every_node_after_its_parents(seed: int, n_leaves: int, n_ops: int) -> None:
    root = _random_graph(seed, _leaves(seed, n_leaves), n_ops)
    order = ag.topological_order(root)
    assert order[-1] is root
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)  # no node twice
    for node in order:
        assert not node.is_leaf()
        for parent in node.parents:
            if not parent.is_leaf():
                assert position[id(parent)] < position[id(node)]
    stack, seen = [root], {id(root)}
    while stack:  # every non-leaf ancestor is present
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
                assert parent.is_leaf() or id(parent) in position


@settings(derandomize=True, deadline=None, max_examples=25)
@given(st.integers(0, 10**6), st.integers(1, 4), st.integers(1, 30))
def test_random_graphs_agree_with_central_differences(seed: int, n_leaves: int, n_ops: int) -> None:
    def f(*xs: Value) -> Value:
        return _random_graph(seed, list(xs), n_ops)

    points = [leaf.data for leaf in _leaves(seed, n_leaves)]
    assert ag.gradcheck(f, points, atol=1e-7, rtol=1e-6).ok


def test_same_graph_gives_the_same_order() -> None:
    first = ag.topological_order(_random_graph(3, _leaves(3, 4), 60))
    second = ag.topological_order(_random_graph(3, _leaves(3, 4), 60))
    assert [(n.op, n.data.hex()) for n in first] == [(n.op, n.data.hex()) for n in second]


def test_order_skips_leaves_and_is_empty_for_a_leaf() -> None:
    x = Value(1.0)
    assert ag.topological_order(x) == []
    y = x * 2.0
    assert ag.topological_order(y) == [y]


# ---- no_grad ----------------------------------------------------------------------------------


def test_no_grad_results_are_leaves() -> None:
    x, w = Value(2.0), Value(3.0)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        products = [
            x * w,
            x + 1.0,
            (x / w).tanh(),
            x**w,
            ag.dot([x], [w], 1.0),
            ag.sum([x, w]),
            ag.make_node(1.0, [x], [1.0]),
        ]
    assert ag.is_grad_enabled()
    for out in products:
        assert out.is_leaf()
        assert out.parents == ()
        assert out.local_grads == ()
        out.backward()
    assert (x.grad, w.grad) == (0.0, 0.0)
    assert products[0].data == 6.0


def test_no_grad_nests_and_restores_after_an_exception() -> None:
    x = Value(1.0)
    try:
        with ag.no_grad():
            with ag.no_grad():
                pass
            assert (x * 2.0).is_leaf()  # still off after the inner block
            raise KeyError("boom")
    except KeyError:
        pass
    assert ag.is_grad_enabled()
    assert not (x * 2.0).is_leaf()


# ---- determinism across processes -------------------------------------------------------------

PROGRAM = """
import random
import mg_autograd as ag
rng = random.Random(7)
leaves = [ag.Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(6)]
nodes = list(leaves)
for step in range(300):
    a, b, c = rng.choice(nodes), rng.choice(nodes), rng.choice(nodes)
    k = step % 4
    if k == 0:
        nodes.append(ag.dot([a, b, c], [c, a, b], 0.1).tanh())
    elif k == 1:
        nodes.append(ag.sum([a * b, c, 0.3]) * 0.5)
    elif k == 2:
        nodes.append((a - c).sigmoid() + b)
    else:
        nodes.append((a * c).softplus() - b * 0.25)
labels = {n.label: n for n in leaves}
ag.sum(nodes[6:]).backward()
print(ag.__file__)
print(" ".join(labels[k].grad.hex() for k in sorted(labels)))
"""


def _gradients_in_subprocess(hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    env["PYTHONPATH"] = os.pathsep.join([IMPORTED_FROM, *sys.path])
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, check=True
    )
    module_file, gradients = done.stdout.strip().splitlines()
    assert module_file == ag.__file__
    return gradients


def test_gradients_are_bit_identical_across_hash_seeds() -> None:
    first = _gradients_in_subprocess("0")
    second = _gradients_in_subprocess("4242")
    assert len(first.split()) == 6
    assert first == second


# ---- depth ------------------------------------------------------------------------------------


def test_chain_of_a_million_operations() -> None:
    # y = x c^n: dy/dx = c^n. Each product rounds with relative error <= u = 2^-53, so the
    # accumulated relative error is at most n u ~ 1.1e-10.
    n, c = 10**6, 1.0 - 1e-7
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * c
    y.backward()
    expected = math.pow(c, n)
    assert math.isclose(x.grad, expected, rel_tol=n * 2.0**-53)
    assert math.isclose(y.data, expected, rel_tol=n * 2.0**-53)
