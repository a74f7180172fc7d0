"""`Optimizer` and `ParamGroup`: parameters, per-group options, per-parameter state, state dicts.

An optimizer owns a list of `ParamGroup`s. Each group is a list of `mg_nn.Parameter`s plus the
options its update rule reads (``lr``, ``weight_decay``, ...), so one model can train its biases
with one learning rate and its weights with another. Each parameter may also carry state between
steps (a momentum buffer, Adam's moment estimates), kept in ``optimizer.state[param]``.

Typing: a group's float options are read and written as ``group["lr"]`` (a ``float`` under
``mypy --strict``, no casts), its parameters are the attribute ``group.params``, and its on/off
switches (``nesterov``, ``amsgrad``) are ``group.flag("nesterov")``. Every write is validated by
the optimizer that owns the group, so ``group["lr"] = -1.0`` fails at once, not steps later.

State dicts are plain JSON (see `JSON`): parameters are referred to by their position in
``param_groups`` order, as in PyTorch, because a Parameter has no name an optimizer could know.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import ClassVar, Dict, List, Union

from mg_autograd import Value
from mg_nn import Parameter

from ._checks import check_real, is_real, show, to_float

__all__ = ["JSON", "Optimizer", "ParamGroup", "ParamsLike", "StateDict"]

JSON = Union[None, bool, int, float, str, List["JSON"], Dict[str, "JSON"]]
"""A JSON value: what `json.dumps` accepts and `json.loads` gives back."""

StateDict = Dict[str, JSON]
"""What every ``state_dict()`` in mg-optim returns: a JSON object."""

ParamsLike = Iterable[Union[Parameter, Mapping[str, object]]]
"""Parameters in a fixed order (a list, ``model.parameters()``), or a list of group specs like
``{"params": [...], "lr": 0.01}`` (all one or all the other, checked at run time). Sets are
refused: their order, and so the order of the updates and of the state dict, is not
deterministic. (One iterable of a union, rather than a union of iterables, lets mypy accept a
list of group dicts whose values differ in type.)"""

OptionRules = Dict[str, "tuple[str, Callable[[float], bool]]"]
"""Option name -> (PyTorch's error label, valid range) for an optimizer's float options."""

OptionCheck = Callable[[str, object], float]
GroupCheck = Callable[[Mapping[str, float], Mapping[str, bool]], None]


class ParamGroup:
    """Parameters that share options: ``group["lr"]``, ``group["lr"] = 0.01``, ``group.params``."""

    __slots__ = ("_check_group", "_check_option", "_flags", "_options", "params")

    params: list[Parameter]

    def __init__(
        self,
        params: list[Parameter],
        options: dict[str, float],
        flags: dict[str, bool],
        check_option: OptionCheck,
        check_group: GroupCheck,
    ) -> None:
        self.params = params
        self._options = options
        self._flags = flags
        self._check_option = check_option
        self._check_group = check_group

    def __getitem__(self, key: str) -> float:
        try:
            return self._options[key]
        except KeyError:
            hint = " (parameters are group.params)" if key == "params" else ""
            raise KeyError(
                f"param group has no option {key!r}{hint}; options: {', '.join(self._options)}"
            ) from None

    def __setitem__(self, key: str, value: float) -> None:
        """Set an existing option (or ``initial_lr``), validated as the constructor would."""
        if key not in self._options and key != "initial_lr":
            raise KeyError(
                f"param group has no option {key!r}; options: {', '.join(self._options)}"
            )
        options = dict(self._options)
        options[key] = self._check_option(key, value)
        self._check_group(options, self._flags)
        self._options = options

    def __contains__(self, key: object) -> bool:
        return key in self._options

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._options))

    def __len__(self) -> int:
        return len(self._options)

    def keys(self) -> list[str]:
        """The float option names, in order (``params`` and flags are not options)."""
        return list(self._options)

    def setdefault(self, key: str, value: float) -> float:
        """``self[key]``, set to ``value`` first if absent (schedulers record ``initial_lr``)."""
        if key not in self._options:
            self[key] = value
        return self._options[key]

    def flag(self, name: str) -> bool:
        """An on/off option such as ``nesterov`` or ``amsgrad``."""
        try:
            return self._flags[name]
        except KeyError:
            raise KeyError(
                f"param group has no flag {name!r}; flags: {', '.join(self._flags)}"
            ) from None

    def set_flag(self, name: str, value: bool) -> None:
        if name not in self._flags:
            raise KeyError(f"param group has no flag {name!r}; flags: {', '.join(self._flags)}")
        flags = dict(self._flags)
        flags[name] = _check_bool(value, name)
        self._check_group(self._options, flags)
        self._flags = flags

    @property
    def flags(self) -> dict[str, bool]:
        """A copy of the flags (change them with `set_flag`)."""
        return dict(self._flags)

    def __repr__(self) -> str:
        items = [f"params={len(self.params)}"]
        items += [f"{k}={v!r}" for k, v in self._options.items()]
        items += [f"{k}={v!r}" for k, v in self._flags.items()]
        return f"ParamGroup({', '.join(items)})"


class Optimizer:
    """Base class: collects and validates parameters; subclasses write `step()`.

    A subclass passes its default options and flags to ``__init__`` and lists, in
    ``_OPTION_RULES``, each float option's PyTorch error label and valid range. Then every way
    an option can arrive - the constructor, a group spec, ``group[key] = v``, a state dict - is
    checked by the same rule.
    """

    _OPTION_RULES: ClassVar[OptionRules] = {
        "lr": ("learning rate", lambda x: x >= 0.0),
        "initial_lr": ("initial learning rate", lambda x: x >= 0.0),
        "weight_decay": ("weight_decay value", lambda x: x >= 0.0),
    }
    _STATE_KEYS: ClassVar[tuple[str, ...]] = ()
    _OPTIONAL_STATE_KEYS: ClassVar[tuple[str, ...]] = ()

    param_groups: list[ParamGroup]
    state: dict[Parameter, dict[str, float]]

    def __init__(
        self, params: ParamsLike, options: Mapping[str, object], flags: Mapping[str, bool]
    ) -> None:
        self._defaults = {name: self._check_option(name, value) for name, value in options.items()}
        self._default_flags = {name: _check_bool(value, name) for name, value in flags.items()}
        self._check_group(self._defaults, self._default_flags)
        self.param_groups = []
        self.state = {}
        for index, spec in enumerate(_group_specs(params)):
            self._add_group(spec, index)

    # ---------------------------------------------------------------- groups

    def add_param_group(self, spec: Mapping[str, object]) -> None:
        """Add a group, e.g. a layer unfrozen mid-training; missing options take the defaults."""
        if not isinstance(spec, Mapping):
            raise TypeError(f"a param group must be a mapping, got {type(spec).__name__}")
        self._add_group(spec, len(self.param_groups))

    def _add_group(self, spec: Mapping[str, object], index: int) -> None:
        where = f"param group {index}"
        if "params" not in spec:
            raise ValueError(f"{where} has no 'params' key")
        params = _parameter_list(spec["params"], where)
        seen = {id(p) for group in self.param_groups for p in group.params}
        for position, param in enumerate(params):
            if id(param) in seen:
                raise ValueError(f"{where}: params[{position}] appears more than once: {param!r}")
            seen.add(id(param))
        options = dict(self._defaults)
        flags = dict(self._default_flags)
        for key, value in self._expand_spec(spec, where).items():
            if key in options:
                options[key] = self._check_option(key, value)
            elif key in flags:
                flags[key] = _check_bool(value, key)
            else:
                known = ", ".join(["params", *options, *flags])
                raise ValueError(f"{where} has unknown option {key!r}; known: {known}")
        self._check_group(options, flags)
        self.param_groups.append(
            ParamGroup(params, options, flags, self._check_option, self._check_group)
        )

    def _expand_spec(self, spec: Mapping[str, object], where: str) -> dict[str, object]:
        """The spec's options without ``params`` (Adam rewrites ``betas`` here)."""
        return {key: value for key, value in spec.items() if key != "params"}

    def _check_option(self, name: str, value: object) -> float:
        if name not in self._OPTION_RULES:
            raise KeyError(f"{type(self).__name__} has no option {name!r}")
        label, valid = self._OPTION_RULES[name]
        return check_real(value, name, label, valid)

    def _check_group(self, options: Mapping[str, float], flags: Mapping[str, bool]) -> None:
        """Constraints between options (Momentum: nesterov needs momentum); none by default."""

    # ---------------------------------------------------------------- steps

    def step(self) -> None:
        """Update every parameter from its ``.grad`` (call after ``loss.backward()``)."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0: leaves accumulate across ``backward()`` calls."""
        for group in self.param_groups:
            for param in group.params:
                param.grad = 0.0

    def _parameters(self) -> list[Parameter]:
        return [param for group in self.param_groups for param in group.params]

    # ---------------------------------------------------------------- state dicts

    def state_dict(self) -> StateDict:
        """``{"optimizer", "param_groups", "state"}`` as plain JSON.

        ``param_groups[i]["params"]`` lists positions in the flattened parameter order;
        ``state[k]`` is the per-parameter state (``{}`` before its first step) of position ``k``.
        """
        groups: list[JSON] = []
        position = 0
        for group in self.param_groups:
            entry: dict[str, JSON] = {"params": list(range(position, position + len(group.params)))}
            position += len(group.params)
            entry.update({key: group[key] for key in group})
            entry.update(group.flags)
            groups.append(entry)
        state: list[JSON] = []
        for param in self._parameters():
            state.append(dict(self.state.get(param, {})))
        return {"optimizer": type(self).__name__, "param_groups": groups, "state": state}

    def load_state_dict(self, state_dict: Mapping[str, object]) -> None:
        """Restore options and per-parameter state: all of it, or (on any error) nothing.

        The dict must come from the same optimizer class over the same group structure; every
        value is validated before anything changes.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
        expected = {"optimizer", "param_groups", "state"}
        if set(state_dict) != expected:
            raise ValueError(
                f"optimizer state dict must have keys {sorted(expected)}, got {sorted(state_dict)}"
            )
        name = state_dict["optimizer"]
        if name != type(self).__name__:
            raise ValueError(f"state dict is for optimizer {name!r}, not {type(self).__name__!r}")
        groups = _as_list(state_dict["param_groups"], "param_groups")
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"state dict has {len(groups)} param group(s), this optimizer has "
                f"{len(self.param_groups)}"
            )
        new_groups = []
        position = 0
        for index, (loaded, group) in enumerate(zip(groups, self.param_groups)):
            size = len(group.params)
            new_groups.append(self._parse_group(loaded, index, position, size))
            position += size
        states = _as_list(state_dict["state"], "state")
        if len(states) != position:
            raise ValueError(
                f"state dict has state for {len(states)} parameter(s), "
                f"this optimizer has {position}"
            )
        new_state: dict[Parameter, dict[str, float]] = {}
        params = self._parameters()
        flat_flags = [flags for _, flags, n in new_groups for _ in range(n)]
        for k, (param, loaded_state) in enumerate(zip(params, states)):
            parsed = self._parse_state(loaded_state, f"state[{k}]", flat_flags[k])
            if parsed:
                new_state[param] = parsed
        for group, (options, flags, _) in zip(self.param_groups, new_groups):
            group._options = options
            group._flags = flags
        self.state = new_state

    def _parse_group(
        self, loaded: object, index: int, start: int, size: int
    ) -> tuple[dict[str, float], dict[str, bool], int]:
        where = f"param_groups[{index}]"
        if not isinstance(loaded, Mapping):
            raise TypeError(f"{where} must be a mapping, got {type(loaded).__name__}")
        indices = loaded.get("params")
        if indices != list(range(start, start + size)):
            raise ValueError(
                f"{where}['params'] is {indices!r}, but this optimizer's group {index} holds "
                f"parameters {start}..{start + size - 1}: the state dict is for other parameters"
            )
        required = set(self._defaults) | set(self._default_flags) | {"params"}
        allowed = required | {"initial_lr"}
        missing = sorted(required - set(loaded))
        unexpected = sorted(str(key) for key in loaded if key not in allowed)
        if missing or unexpected:
            raise ValueError(
                f"{where}: missing option(s) {missing}, unexpected option(s) {unexpected}"
            )
        options = {
            key: self._check_option(key, loaded[key])
            for key in [*self._defaults, "initial_lr"]
            if key in loaded
        }
        flags = {key: _check_bool(loaded[key], f"{where}[{key!r}]") for key in self._default_flags}
        self._check_group(options, flags)
        return options, flags, size

    def _parse_state(
        self, loaded: object, where: str, flags: Mapping[str, bool]
    ) -> dict[str, float]:
        if not isinstance(loaded, Mapping):
            raise TypeError(f"{where} must be a mapping, got {type(loaded).__name__}")
        if not loaded:
            return {}
        keys = self._state_keys(flags)
        optional = [key for key in self._OPTIONAL_STATE_KEYS if key in loaded]
        if not set(keys) <= set(loaded) or not set(loaded) <= {*keys, *optional}:
            maybe = list(self._OPTIONAL_STATE_KEYS)
            extra = f" (and optionally {maybe})" if maybe else ""
            raise ValueError(
                f"{where} must be empty or have keys {list(keys)}{extra}, got {sorted(loaded)}"
            )
        parsed: dict[str, float] = {}
        for key in [*keys, *optional]:
            value = loaded[key]
            if not is_real(value):
                raise TypeError(
                    f"{where}[{key!r}] must be a number, got {type(value).__name__}: {value!r}"
                )
            number = to_float(value)
            if not math.isfinite(number):
                raise ValueError(f"{where}[{key!r}] is not finite: {show(value)}")
            problem = self._check_state_value(key, number)
            if problem:
                raise ValueError(f"{where}[{key!r}] {problem}, got {show(value)}")
            parsed[key] = number
        return parsed

    def _state_keys(self, flags: Mapping[str, bool]) -> tuple[str, ...]:
        """The keys a parameter's state holds once it has been stepped."""
        return self._STATE_KEYS

    def _check_state_value(self, key: str, value: float) -> str:
        """What is wrong with a finite loaded state value (``"must be >= 0"``), or ``""``."""
        return ""

    def __repr__(self) -> str:
        groups = ", ".join(repr(group) for group in self.param_groups)
        return f"{type(self).__name__}([{groups}])"


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}: {value!r}")
    return value


def _as_list(value: object, name: str) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"state dict entry {name!r} must be a list, got {type(value).__name__}")
    return value


def _ordered_items(value: object, what: str) -> list[object]:
    """The items of an ordered iterable; sets, mappings and single values are refused."""
    if isinstance(value, AbstractSet):
        raise TypeError(
            f"{what} must be an ordered collection such as a list, got a {type(value).__name__}: "
            "a set's order, and so the update order and the state dict, is not deterministic"
        )
    if isinstance(value, Mapping):
        raise TypeError(f"{what} must be an iterable of Parameters or group dicts, got a mapping")
    if isinstance(value, (Value, str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{what} must be an iterable of Parameters, got {type(value).__name__}: {value!r}"
        )
    return list(value)


def _group_specs(params: object) -> list[Mapping[str, object]]:
    items = _ordered_items(params, "params")
    if not items:
        raise ValueError("optimizer got an empty parameter list")
    specs = [item for item in items if isinstance(item, Mapping)]
    if len(specs) == len(items):
        return specs
    if specs:
        raise TypeError("params must be all Parameters or all group dicts, not a mix")
    return [{"params": items}]


def _parameter_list(value: object, where: str, *, allow_empty: bool = False) -> list[Parameter]:
    if isinstance(value, Parameter):
        value = [value]
    items = _ordered_items(value, f"{where} 'params'")
    if not items and not allow_empty:
        raise ValueError(f"{where} has an empty parameter list")
    params: list[Parameter] = []
    for position, param in enumerate(items):
        if not isinstance(param, Parameter):
            raise TypeError(
                f"{where}: params[{position}] must be an mg_nn.Parameter, got "
                f"{type(param).__name__}: {param!r}"
            )
        params.append(param)
    return params
