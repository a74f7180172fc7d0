"""The same MLP training step as mg's, differentiated by hand and run on plain lists of floats.

This is the floor for pure CPython: no graph, no nodes, no per-operation objects - only the
multiply-adds that the chain rule says must happen. `engine_speed.py` uses it twice: as an
independent reference for the loss and every gradient (a derivation on paper, not a second
autograd), and as the yardstick for "how far above the float loops is mg".

The network (sizes ``s_0 .. s_L``; relu on every hidden layer, identity on the last):

    z^l = W^l a^(l-1) + b^l,    a^l = relu(z^l) for l < L,    a^L = z^L = y,    a^0 = x

and the loss over a batch of N samples with m outputs each (the mean of all N m squared errors,
as ``torch.nn.functional.mse_loss`` computes it):

    L = 1/(N m) * sum_n sum_i (y_ni - t_ni)^2

Backward, for one sample (gradients of the batch are the sums over its samples):

    delta^L_i = dL/dz^L_i = 2 (y_i - t_i) / (N m)
    dL/dW^l_jk += delta^l_j a^(l-1)_k        dL/db^l_j += delta^l_j
    dL/da^(l-1)_k = sum_j delta^l_j W^l_jk
    delta^(l-1)_k = dL/da^(l-1)_k * [z^(l-1)_k > 0]       (relu' = 1 above 0, else 0)

A row with delta^l_j == 0 contributes nothing (a dead relu), so it is skipped; since
a^l_k > 0 exactly when z^l_k > 0, the relu mask can be read off the stored activations.

Parameters are held and exchanged in mg-nn's order - layer by layer, neuron by neuron, each
neuron's weights then its bias - so one flat list describes the same model to every engine.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["HandMLP"]


class HandMLP:
    """Weights ``w[l][j][k]`` and biases ``b[l][j]`` as lists, with gradients of the same shape."""

    def __init__(self, sizes: Sequence[int], flat_params: Sequence[float]) -> None:
        if len(sizes) < 2 or not all(_is_size(s) for s in sizes):
            raise ValueError(f"sizes must be at least two positive ints, got {list(sizes)!r}")
        expected = 0
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            expected += fan_out * (fan_in + 1)
        if len(flat_params) != expected:
            raise ValueError(
                f"sizes {list(sizes)!r} need {expected} parameters, got {len(flat_params)}"
            )
        self.sizes = list(sizes)
        self.w: list[list[list[float]]] = []
        self.b: list[list[float]] = []
        at = 0
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            rows: list[list[float]] = []
            biases: list[float] = []
            for _ in range(fan_out):
                rows.append([float(v) for v in flat_params[at : at + fan_in]])
                biases.append(float(flat_params[at + fan_in]))
                at += fan_in + 1
            self.w.append(rows)
            self.b.append(biases)
        self.gw = [[[0.0] * len(row) for row in rows] for rows in self.w]
        self.gb = [[0.0] * len(biases) for biases in self.b]

    def forward(self, x: Sequence[float]) -> list[list[float]]:
        """Activations ``[a^0, a^1, ..., a^L]`` of one sample (a^L is the output)."""
        last = len(self.w) - 1
        acts = [list(x)]
        a = acts[0]
        for layer, (rows, biases) in enumerate(zip(self.w, self.b)):
            out: list[float] = []
            for row, bias in zip(rows, biases):
                z = 0.0
                for w, v in zip(row, a):
                    z += w * v
                z += bias
                out.append(z if layer == last or z > 0.0 else 0.0)
            acts.append(out)
            a = out
        return acts

    def loss_and_grads(self, xs: Sequence[Sequence[float]], ts: Sequence[Sequence[float]]) -> float:
        """Forward and backward over the batch: returns L and ADDS dL/dparam into ``gw``/``gb``."""
        if len(xs) != len(ts) or not xs:
            raise ValueError(f"need as many targets as inputs (>0), got {len(xs)} and {len(ts)}")
        m = self.sizes[-1]
        scale = 2.0 / (len(xs) * m)
        total = 0.0
        weights, grad_w, grad_b = self.w, self.gw, self.gb
        for x, t in zip(xs, ts):
            acts = self.forward(x)
            delta: list[float] = []
            for y, target in zip(acts[-1], t):
                err = y - target
                total += err * err
                delta.append(scale * err)
            for layer in range(len(weights) - 1, -1, -1):
                a_in = acts[layer]
                rows, g_rows, g_bias = weights[layer], grad_w[layer], grad_b[layer]
                g_in = [0.0] * len(a_in) if layer else []
                for j, d in enumerate(delta):
                    if d == 0.0:
                        continue
                    g_bias[j] += d
                    g_rows[j] = [g + d * v for g, v in zip(g_rows[j], a_in)]
                    if layer:
                        g_in = [g + d * w for g, w in zip(g_in, rows[j])]
                if layer:
                    delta = [g if v > 0.0 else 0.0 for g, v in zip(g_in, a_in)]
        return total / (len(xs) * m)

    def sgd_step_and_zero(self, lr: float) -> None:
        """``p -= lr * dL/dp`` for every parameter, then every gradient back to 0.0."""
        for rows, g_rows, biases, g_bias in zip(self.w, self.gw, self.b, self.gb):
            for j, (row, g_row) in enumerate(zip(rows, g_rows)):
                rows[j] = [w - lr * g for w, g in zip(row, g_row)]
                g_rows[j] = [0.0] * len(g_row)
                biases[j] -= lr * g_bias[j]
                g_bias[j] = 0.0

    def step(
        self, xs: Sequence[Sequence[float]], ts: Sequence[Sequence[float]], lr: float
    ) -> float:
        """One training step: forward, backward, SGD update, zero grad. Returns the loss."""
        loss = self.loss_and_grads(xs, ts)
        self.sgd_step_and_zero(lr)
        return loss

    def flat_params(self) -> list[float]:
        """Parameters in mg-nn's order (see the module docstring)."""
        return _flatten(self.w, self.b)

    def flat_grads(self) -> list[float]:
        """Gradients in the same order as `flat_params`."""
        return _flatten(self.gw, self.gb)


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _flatten(
    rows_per_layer: list[list[list[float]]], biases_per_layer: list[list[float]]
) -> list[float]:
    flat: list[float] = []
    for rows, biases in zip(rows_per_layer, biases_per_layer):
        for row, bias in zip(rows, biases):
            flat.extend(row)
            flat.append(bias)
    return flat
