"""Small records of named fields, cheap to define and to load (core: the standard library only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Self


class Record:
    """A small record of named fields, given in order or by name, compared and shown by value.

    Plain classes with ``__slots__``: a questionnaire's plan has thousands of them and is
    loaded at every start, and the classes on the way of a single ``screening score`` call are
    defined at every start; these cost a fraction of named tuples and data classes to define
    (about 7 µs against 180 µs and 800 µs) and to load. A record is not changed once built
    (:meth:`replace` makes a changed copy).

    A subclass names its fields in ``_fields`` (and ``__slots__ = _fields``), their defaults in
    ``_defaults``, and defaults made afresh for each record (a list, a dict) in ``_factories``;
    it may define a typed ``__init__`` of its own that calls ``Record.__init__``.
    """

    __slots__: ClassVar[tuple[str, ...]] = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    """The fields, in the order they are given."""
    _defaults: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[dict[str, Callable[[], Any]]] = {}

    def __init__(self, *values: Any, **named: Any) -> None:
        fields = self._fields
        if len(values) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields")
        for name, value in zip(fields, values, strict=False):
            object.__setattr__(self, name, value)
        for name in fields[len(values) :]:
            if name in named:
                object.__setattr__(self, name, named.pop(name))
            elif name in self._defaults:
                object.__setattr__(self, name, self._defaults[name])
            elif name in self._factories:
                object.__setattr__(self, name, self._factories[name]())
            else:
                raise TypeError(f"{type(self).__name__}: missing field {name!r}")
        if named:
            raise TypeError(f"{type(self).__name__}: unknown fields {sorted(named)}")

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        copy = object.__new__(type(self))
        Record.__init__(copy, **values)
        return copy

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *map(_hashable, self._values())))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__name__}({shown})"


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


__all__ = ["Record"]
