"""`Module`: the base of every model part: parameter discovery, gradients and state dicts.

Discovery reads the instance's attributes in the order they were assigned (``vars(self)`` keeps
insertion order), so ``parameters()`` has a fixed, documented order without any registration
call: an attribute that is a `Parameter`, a `Module`, or a list/tuple of them is part of the
model. A Parameter reached twice (shared weights) is listed once, at its first place.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from .parameter import Parameter

__all__ = ["Module"]


class Module:
    """Base class: subclasses assign Parameters and sub-Modules as attributes."""

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs in assignment order, e.g. ``layers.0.neurons.1.w.2``."""
        seen: set[Parameter] = set()
        named: list[tuple[str, Parameter]] = []
        for name, param in self._walk(""):
            if param not in seen:
                seen.add(param)
                named.append((name, param))
        return named

    def parameters(self) -> list[Parameter]:
        """Every parameter, in the order of `named_parameters()`."""
        return [param for _, param in self.named_parameters()]

    def num_parameters(self) -> int:
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (leaves accumulate across `backward()` calls)."""
        for param in self.parameters():
            param.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Name -> value of every parameter: plain JSON-safe floats, never pickle."""
        return {name: param.data for name, param in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float], strict: bool = True) -> None:
        """Copy values from ``state`` into the parameters: all of them, or (on any error) none.

        Every entry is validated before the first parameter changes: a missing or (with
        ``strict``) unexpected key, a non-numeric value (TypeError), or a non-finite value or an
        int too large for a float (ValueError) raises naming the key and leaves the model as
        it was.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a mapping of name to float, got {type(state).__name__}")
        named = self.named_parameters()
        known = {name for name, _ in named}
        if strict:
            missing = [name for name, _ in named if name not in state]
            if missing:
                raise ValueError(f"state dict is missing key(s): {', '.join(missing)}")
            unexpected = [str(key) for key in state if key not in known]
            if unexpected:
                raise ValueError(f"state dict has unexpected key(s): {', '.join(unexpected)}")
        updates: list[tuple[Parameter, float]] = []
        for name, param in named:
            if name not in state:
                continue
            value = state[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(
                    f"state dict value for {name!r} must be a number, "
                    f"got {type(value).__name__}: {value!r}"
                )
            try:
                number = float(value)
            except OverflowError:
                raise ValueError(
                    f"state dict value for {name!r} is too large for a float: an int of "
                    f"{int(value).bit_length()} bits"
                ) from None
            if not math.isfinite(number):
                raise ValueError(f"state dict value for {name!r} is not finite: {value!r}")
            updates.append((param, number))
        for param, value in updates:
            param.data = value

    def _walk(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, attr in vars(self).items():
            if name.startswith("_"):
                continue
            yield from _members(prefix + name, attr)

    def _extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = [
            (name, attr) for name, attr in vars(self).items() if isinstance(attr, Module)
        ] + [
            (f"{name}.{i}", item)
            for name, attr in vars(self).items()
            if isinstance(attr, (list, tuple))
            for i, item in enumerate(attr)
            if isinstance(item, Module)
        ]
        head = f"{type(self).__name__}({self._extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


def _members(name: str, attr: object) -> Iterator[tuple[str, Parameter]]:
    if isinstance(attr, Parameter):
        yield name, attr
    elif isinstance(attr, Module):
        yield from attr._walk(name + ".")
    elif isinstance(attr, (list, tuple)):
        for index, item in enumerate(attr):
            if isinstance(item, (Parameter, Module)):
                yield from _members(f"{name}.{index}", item)
