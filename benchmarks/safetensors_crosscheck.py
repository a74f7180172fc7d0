"""Cross-check mg-nn's safetensors files against PyTorch, both ways, and the README's torch lines.

    python benchmarks/safetensors_crosscheck.py [--tolerance 1e-15] [--train-tolerance 1e-12]

Runs in tox env ``crosscheck`` (torch 2.13, safetensors) against the INSTALLED mg-nn.

1. mg -> PyTorch: each MLP below is written by ``mg_nn.save_safetensors``, read by
   ``safetensors.torch.load_file`` and loaded with ``load_state_dict(strict=True)`` into the
   float64 ``torch.nn.Sequential`` its documentation names; both evaluate the same inputs.
2. PyTorch -> mg: a Sequential with torch's own initialisation is written by
   ``safetensors.torch.save_file`` (in float64, and in float32, which mg widens exactly) and
   read by ``mg_nn.load_safetensors`` into an MLP of another seed; the float32 net is evaluated
   in float64 after saving, so both sides compute with the same numbers.
3. The README: packages/mg-nn/README.md's XOR session and its safetensors block run with the
   installed mg, then its ``python torch`` block continues the training in PyTorch; mg takes the
   same 100 steps (full-batch SGD, lr 0.2, MSE) from the same file and the outputs are compared.

Every comparison prints the largest absolute output difference; the script exits 1 if one
exceeds its tolerance (1e-15 for the same weights, --train-tolerance after 100 steps of training
in two engines whose tanh may differ in the last bit).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import runpy
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

# torch is not installed in tox's typecheck env; where it is, its own annotations are used.
import torch  # type: ignore[import-not-found, unused-ignore]
from mg_autograd import no_grad
from mg_nn import MLP, Activation, load_safetensors, mse_loss, save_safetensors
from safetensors.torch import load_file, save_file

REPO = Path(__file__).resolve().parents[1]
README = REPO / "packages" / "mg-nn" / "README.md"
Rows = list[list[float]]

# (nin, widths, hidden activation, output activation)
MODELS: list[tuple[int, list[int], Activation, Activation]] = [
    (2, [16, 16, 1], "relu", "linear"),
    (3, [8, 8, 2], "tanh", "linear"),
    (2, [5, 3], "sigmoid", "sigmoid"),
    (4, [6, 6, 1], "linear", "tanh"),
    (1, [1], "relu", "relu"),
]
TORCH_ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "linear": torch.nn.Identity,
}


def check_installed() -> None:
    import mg_nn

    location = Path(mg_nn.__file__ or "").resolve()
    if REPO / "packages" in location.parents:
        raise SystemExit(f"mg_nn is imported from the source tree ({location}); install it")


def sequential(nin: int, widths: Sequence[int], hidden: str, output: str) -> torch.nn.Sequential:
    """The PyTorch equivalent the mg-nn README documents, in float64."""
    modules: list[torch.nn.Module] = []
    sizes = [nin, *widths]
    for index in range(len(widths)):
        modules.append(torch.nn.Linear(sizes[index], sizes[index + 1], dtype=torch.float64))
        last = index == len(widths) - 1
        if not last:
            modules.append(TORCH_ACTIVATIONS[hidden]())
        elif output != "linear":
            modules.append(TORCH_ACTIVATIONS[output]())
    return torch.nn.Sequential(*modules)


def inputs(nin: int, count: int, seed: int) -> Rows:
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(count)]


def mg_outputs(model: MLP, xs: Rows) -> Rows:
    with no_grad():
        return [[v.data for v in row] for row in model.forward_batch(xs)]


def torch_outputs(net: torch.nn.Sequential, xs: Rows) -> Rows:
    with torch.no_grad():
        out = net(torch.tensor(xs, dtype=torch.float64))
    return [[float(v) for v in row] for row in out.tolist()]


def largest_difference(a: Rows, b: Rows) -> float:
    if [len(row) for row in a] != [len(row) for row in b]:
        raise SystemExit("the two engines returned outputs of different shapes")
    worst = 0.0
    for row_a, row_b in zip(a, b):
        for x, y in zip(row_a, row_b):
            worst = max(worst, abs(x - y))
    return worst


@contextlib.contextmanager
def inside(directory: Path) -> Iterator[None]:
    """Run with ``directory`` as the working directory (the README's blocks use relative paths)."""
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def mg_to_torch(work: Path) -> float:
    worst = 0.0
    for seed, (nin, widths, hidden, output) in enumerate(MODELS):
        model = MLP(nin, widths, activation=hidden, output_activation=output, rng=seed)
        path = work / f"mg_{seed}.safetensors"
        save_safetensors(model, path, metadata={"written_by": "mg"})
        net = sequential(nin, widths, hidden, output)
        net.load_state_dict(load_file(str(path)), strict=True)
        xs = inputs(nin, 64, seed)
        difference = largest_difference(mg_outputs(model, xs), torch_outputs(net, xs))
        print(f"mg -> torch  MLP {nin}-{widths} {hidden}/{output}: max |diff| {difference:.3e}")
        worst = max(worst, difference)
    return worst


def torch_to_mg(work: Path) -> float:
    worst = 0.0
    for seed, (nin, widths, hidden, output) in enumerate(MODELS):
        for dtype in (torch.float64, torch.float32):
            torch.manual_seed(seed)
            net = sequential(nin, widths, hidden, output).to(dtype)
            path = work / f"torch_{seed}_{str(dtype).split('.')[-1]}.safetensors"
            save_file(net.state_dict(), str(path), metadata={"written_by": "torch"})
            net = net.double()  # the float32 weights, exactly, computed in float64
            model = MLP(nin, widths, activation=hidden, output_activation=output, rng=99)
            metadata = load_safetensors(model, path)
            if metadata != {"written_by": "torch"}:
                raise SystemExit(f"metadata of {path} came back as {metadata!r}")
            xs = inputs(nin, 64, seed + 100)
            difference = largest_difference(mg_outputs(model, xs), torch_outputs(net, xs))
            print(
                f"torch -> mg  MLP {nin}-{widths} {hidden}/{output} {dtype}: "
                f"max |diff| {difference:.3e}"
            )
            worst = max(worst, difference)
    return worst


def readme_blocks() -> tuple[str, str, str]:
    """The README's first python block, its safetensors block and its ``python torch`` block."""
    text = README.read_text(encoding="utf-8")
    python = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    torch_blocks = re.findall(r"```python torch\n(.*?)```", text, re.DOTALL)
    saving = [block for block in python if "save_safetensors(" in block]
    if not python or len(saving) != 1 or len(torch_blocks) != 1:
        raise SystemExit(f"{README} should have a session, one safetensors and one torch block")
    return python[0], saving[0], torch_blocks[0]


def readme(work: Path, tolerance: float, train_tolerance: float) -> bool:
    session, saving, torch_block = readme_blocks()
    script = work / "readme_mg.py"
    script.write_text(session + saving, encoding="utf-8")
    with inside(work), contextlib.redirect_stdout(io.StringIO()):
        mg_side = runpy.run_path(str(script))
    model = mg_side["model"]
    xs, ys = mg_side["xs"], mg_side["ys"]
    assert isinstance(model, MLP)

    # The five lines alone: PyTorch starts exactly where mg stopped.
    five = torch_block[: torch_block.index("\n\n", torch_block.index("optimizer =")) + 1]
    if len([line for line in five.splitlines() if line.strip()]) != 5:
        raise SystemExit(f"the README's torch block should begin with five lines, not:\n{five}")
    (work / "readme_torch_five.py").write_text(five, encoding="utf-8")
    with inside(work):
        loaded = runpy.run_path(str(work / "readme_torch_five.py"))
    start = largest_difference(mg_outputs(model, xs), torch_outputs(loaded["net"], xs))
    print(f"README: the five lines load the mg model; max |diff| {start:.3e}")

    # The whole block, and the same 100 steps in mg from the same file.
    if "range(100)" not in torch_block:
        raise SystemExit("the README's torch block should take 100 steps, as this check does")
    (work / "readme_torch.py").write_text(torch_block, encoding="utf-8")
    with inside(work):
        trained = runpy.run_path(str(work / "readme_torch.py"), init_globals={"xs": xs, "ys": ys})
    steps = 100
    for _ in range(steps):
        loss = mse_loss([model(x)[0] for x in xs], ys)
        model.zero_grad()
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p.data -= 0.2 * p.grad
    after = largest_difference(mg_outputs(model, xs), torch_outputs(trained["net"], xs))
    torch_loss = float(trained["loss"].item())
    print(
        f"README: after {steps} more steps in each engine, max |output diff| {after:.3e}; "
        f"last loss mg {loss.data!r}, torch {torch_loss!r}"
    )
    return start <= tolerance and after <= train_tolerance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tolerance", type=float, default=1e-15)
    parser.add_argument("--train-tolerance", type=float, default=1e-12)
    args = parser.parse_args()
    check_installed()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        there = mg_to_torch(work)
        back = torch_to_mg(work)
        readme_ok = readme(work, args.tolerance, args.train_tolerance)
    ok = there <= args.tolerance and back <= args.tolerance and readme_ok
    print(
        f"largest output difference mg -> torch {there:.3e}, torch -> mg {back:.3e} "
        f"(tolerance {args.tolerance:g}); README {'ok' if readme_ok else 'FAILED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
