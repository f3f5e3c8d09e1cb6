"""Attributes: reading and setting ``obj.name`` on every kind of value a program holds.

A mixin of :class:`gradlab.lang.runtime.Run`.  Each kind answers only the attributes listed
for it: a Value its data, grad, label and methods; a program's objects and classes their own;
a list, dict, set, text or tuple the methods of its table (handed to the Run when it is made).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import numpy as np

from gradlab.engine import Value
from gradlab.lang.arrays import array_attribute
from gradlab.lang.limits import _ATTRIBUTES, _METHODS
from gradlab.lang.networks import network_attribute
from gradlab.lang.objects import (
    MISSING,
    NN_TYPES,
    BoundMethod,
    Builtin,
    Class,
    Function,
    Instance,
    Method,
    Module,
    Refusal,
    StandIn,
    Super,
    describe,
    is_number,
)

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run

_VALUE_READABLE = (*_ATTRIBUTES, "_prev", "_op")


def _object_init(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
    """``super().__init__()`` where no base class defines __init__ (object's: it takes nothing)."""
    if args or kwargs:
        raise Refusal(node, "object.__init__() takes no arguments here (no base class defines __init__)")


def value_method(run: Run, node: ast.AST, v: Value, name: str, args: list, kwargs: dict) -> object:
    """A method of a Value read before it is called (``f = a.relu``): see Run.value_method."""
    return run.value_method(node, v, name, args, kwargs)


class AttributeRules:
    """Run's rules for attributes (see the module's docstring)."""

    methods: dict[type, dict]  # type -> method name -> impl(run, node, obj, name, args, kwargs)

    def getattr(self, obj: object, name: str, node: ast.AST) -> object:
        t = type(obj)
        if t is Instance:
            attrs = obj.attrs
            if name in attrs:
                return attrs[name]
            f = obj.cls.lookup(name)
            if f is MISSING:
                raise Refusal(node, f"'{obj.cls.name}' object has no attribute '{name}'")
            return BoundMethod(obj, f) if type(f) is Function else f
        if t is Value:
            if name in _VALUE_READABLE:
                return getattr(obj, name)
            if name in _METHODS:
                return Method(obj, name, value_method)
            raise Refusal(
                node,
                f"'{name}' is not available here"
                if name.startswith("_")
                else f"'.{name}' is not available here",
            )
        if t is Module:
            try:
                return obj.attrs[name]
            except KeyError:
                raise Refusal(node, f"'{obj.name}.{name}' is not available here") from None
        if t is Class:
            f = obj.lookup(name)
            if f is MISSING:
                raise Refusal(node, f"class '{obj.name}' has no attribute '{name}'")
            return f
        if t is Super:
            return self.super_attr(obj, name, node)
        return self.builtin_attribute(obj, name, node)

    def super_attr(self, sup: Super, name: str, node: ast.AST) -> object:
        mro = sup.self.cls.mro
        for c in mro[mro.index(sup.owner) + 1 :] if sup.owner in mro else ():
            if name in c.ns:
                f = c.ns[name]
                return BoundMethod(sup.self, f) if type(f) is Function else f
        if name == "__init__":  # no base defines it: Python's object.__init__, which does nothing
            return Builtin("object.__init__", _object_init)
        raise Refusal(node, f"super() has no attribute '{name}'")

    def setattr(self, obj: object, name: str, value: object, node: ast.AST) -> None:
        t = type(obj)
        if t is Instance:
            attrs = obj.attrs
            if name not in attrs:
                self.alloc(1, node)
            attrs[name] = value
            return
        if t is Value:
            if name == "label":
                if type(value) is not str:
                    raise Refusal(node, f"'.label' needs text, not {describe(value)}")
            elif name in _ATTRIBUTES:
                if not is_number(value):
                    raise Refusal(node, f"'.{name}' needs a number, not {describe(value)}")
                value = float(value)
                if name == "grad":
                    self.program.gradients_touched = True
            elif name.startswith("_"):
                raise Refusal(node, f"'{name}' is not available here")
            else:
                raise Refusal(node, f"'.{name}' can't be set here")
            setattr(obj, name, value)
            return
        if t is Class:
            obj.ns[name] = value
            return
        if isinstance(obj, StandIn):
            obj.set_attribute(self, name, value, node)
            return
        if name in _ATTRIBUTES:
            raise Refusal(node, f"'.{name}' works on Values only, not on {describe(obj)}")
        raise Refusal(node, f"'.{name}' can't be set here")

    def builtin_attribute(self, obj: object, name: str, node: ast.AST) -> object:
        """An attribute of a built-in value: a method of its table, or a field a network shows."""
        if name.startswith("__"):
            raise Refusal(node, f"'{name}' is not available here")
        table = self.methods.get(type(obj))
        if table is not None and name in table:
            return Method(obj, name, table[name])
        if isinstance(obj, NN_TYPES):
            found = network_attribute(obj, name)
            if found is not MISSING:
                return found
        if type(obj) is np.ndarray:
            return array_attribute(self, obj, name, node)
        if isinstance(obj, StandIn):
            return obj.attribute(self, name, node)
        if name in _ATTRIBUTES or name in _METHODS:
            raise Refusal(node, f"'.{name}' works on Values only, not on {describe(obj)}")
        raise Refusal(node, f"'.{name}' is not available on {describe(obj)} here")
