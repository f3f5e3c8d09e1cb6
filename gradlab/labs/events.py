"""A tiny observer: a lab's core announces each change by name, and whoever listens is called.

The Qt models turn these into signals one for one (``gradlab.ui``); a test or a script listens
with plain functions.  An event name is declared once, where the core that emits it lives, so a
misspelt name fails at once rather than never firing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["Events"]


class Events:
    """Listeners by event name, called in the order they connected, with the event's payload."""

    def __init__(self, names: Iterable[str]) -> None:
        self._listeners: dict[str, list[Callable[..., object]]] = {name: [] for name in names}

    @property
    def names(self) -> tuple[str, ...]:
        """Every event this object carries, in the order they were declared."""
        return tuple(self._listeners)

    def connect(self, name: str, listener: Callable[..., object]) -> None:
        """Call ``listener(*payload)`` every time ``name`` is emitted."""
        self._listeners[name].append(listener)

    def disconnect(self, name: str, listener: Callable[..., object]) -> None:
        """Stop calling ``listener`` for ``name`` (its first connection, if it connected twice)."""
        self._listeners[name].remove(listener)

    def emit(self, name: str, *payload: object) -> None:
        """Tell ``name``'s listeners, in order; one that connects meanwhile hears the next one."""
        for listener in tuple(self._listeners[name]):
            listener(*payload)
