"""Calls: of a program's functions, classes and objects, of built-ins, methods and networks.

A mixin of :class:`gradlab.lang.runtime.Run`; a program's own functions run their compiled
body in a new Frame, within the call-depth limit.
"""

from __future__ import annotations

import ast

from gradlab.engine import Value
from gradlab.lang import limits
from gradlab.lang.call_records import CallRecord, counts
from gradlab.lang.limits import _METHODS
from gradlab.lang.networks import call_network
from gradlab.lang.objects import (
    MISSING,
    NN_TYPES,
    RETURN,
    BoundMethod,
    Builtin,
    Class,
    Frame,
    Function,
    Instance,
    Method,
    Module,
    Refusal,
    StandIn,
    Super,
    describe,
)
from gradlab.ops import UNARY as _UNARY_OPS


class CallRules:
    """Run's rules for calls (see the module's docstring)."""

    methods: dict[type, dict]  # type -> method name -> impl(run, node, obj, name, args, kwargs)

    def call(self, f: object, args: list, kwargs: dict | None, node: ast.AST) -> object:
        t = type(f)
        if t is Function:
            return self.call_function(f, args, kwargs, node)
        if t is BoundMethod:
            return self.call_function(f.func, [f.self, *args], kwargs, node)
        if t is Builtin:
            return f.impl(self, node, args, kwargs or {})
        if t is Method:
            return f.impl(self, node, f.obj, f.name, args, kwargs or {})
        if t is Class:
            return self.instantiate(f, args, kwargs, node)
        if t is Instance:
            call = f.cls.lookup("__call__")
            if type(call) is Function:
                return self.call_function(call, [f, *args], kwargs, node)
        if isinstance(f, NN_TYPES):
            return call_network(self, node, f, args, kwargs or {})
        raise Refusal(node, f"{describe(f)} is not a function")

    def call_method(self, obj: object, name: str, args: list, kwargs: dict | None, node: ast.AST) -> object:
        """``obj.name(*args, **kwargs)`` without making the bound method first."""
        if type(obj) is Instance:
            attrs = obj.attrs
            if name in attrs:
                return self.call(attrs[name], args, kwargs, node)
            f = obj.cls.lookup(name)
            if type(f) is Function:
                out = self.call_function(f, [obj, *args], kwargs, node)
                if name == "backward" and "data" in attrs:  # the lecture's own Value: a training step too
                    self.backward_done(obj)
                return out
            if f is MISSING:
                raise Refusal(node, f"'{obj.cls.name}' object has no attribute '{name}'")
            return self.call(f, args, kwargs, node)
        if type(obj) is Value:
            if name in _UNARY_OPS or name == "backward" or name == "_backward":  # limits._METHODS, inline
                return self.value_method(node, obj, name, args, kwargs)
            raise Refusal(
                node,
                f"'{name}' is not available here"
                if name.startswith("__")
                else f"'.{name}()' is not available here",
            )
        table = self.methods.get(type(obj))
        if table is not None and name in table:
            return table[name](self, node, obj, name, args, kwargs or {})
        if name in _METHODS and not isinstance(obj, (Module, Class, Super, StandIn)) and obj is not None:
            raise Refusal(node, f"'.{name}()' works on Values only, not on {describe(obj)}")
        return self.call(self.getattr(obj, name, node), args, kwargs, node)

    def call_function(self, fn: Function, args: list, kwargs: dict | None, node: ast.AST) -> object:
        if self.call_depth >= limits.MAX_CALL_DEPTH:
            raise Refusal(node, limits.CALL_DEPTH_MESSAGE)
        params = fn.params
        if not kwargs and fn.positional and len(args) == len(params):
            names = dict(zip(params, args, strict=True))
        elif not kwargs and fn.positional and len(params) - len(fn.defaults) <= len(args) < len(params):
            names = dict(zip(params, args, strict=False))  # the rest from the defaults
            names.update(zip(params[len(args) :], fn.defaults[len(args) - len(params) :], strict=True))
        else:
            names = self.bind_arguments(fn, args, kwargs or {}, node)
        frame = Frame(names, fn.chain, fn)
        saved, top = self.current, self.call_top
        name = fn.name
        if (name[0] != "_" or name == "__call__") and counts(name, fn.owner, args):  # dunders: no look
            # the Values made from here on are this call's
            self.call_top = self.last_call = CallRecord(node, top, args[0] if fn.owner is not None and args
                                                        else None, name)
        self.call_depth += 1
        ended = fn.body(frame)
        self.call_depth -= 1
        self.current, self.call_top = saved, top
        return frame.retval if ended is RETURN else None

    def bind_arguments(self, fn: Function, args: list, kwargs: dict, node: ast.AST) -> dict:
        params, n = fn.params, len(fn.params)
        names = dict(zip(params, args, strict=False))
        if len(args) > n:
            if fn.vararg is None:
                raise Refusal(node, f"{fn.name}() takes {n} positional arguments but {len(args)} were given")
            names[fn.vararg] = tuple(args[n:])
        elif fn.vararg is not None:
            names[fn.vararg] = ()
        extra = {}
        for key, value in kwargs.items():
            if key in names:
                raise Refusal(node, f"{fn.name}() got two values for '{key}'")
            if key in params or key in fn.kwonly:
                names[key] = value
            elif fn.kwarg is not None:
                extra[key] = value
            else:
                raise Refusal(node, f"{fn.name}() got an unexpected keyword argument '{key}'")
        first_default = n - len(fn.defaults)
        for i, p in enumerate(params):
            if p not in names:
                if i >= first_default:
                    names[p] = fn.defaults[i - first_default]
                else:
                    raise Refusal(node, f"{fn.name}() is missing the argument '{p}'")
        for p in fn.kwonly:
            if p not in names:
                if p not in fn.kwdefaults:
                    raise Refusal(node, f"{fn.name}() is missing the keyword argument '{p}'")
                names[p] = fn.kwdefaults[p]
        if fn.kwarg is not None:
            names[fn.kwarg] = extra
        return names

    def instantiate(self, cls: Class, args: list, kwargs: dict | None, node: ast.AST) -> Instance:
        obj = Instance(cls)
        obj.call = self.call_top
        self.alloc(8, node)
        init = cls.lookup("__init__")
        if type(init) is Function:
            if self.call_function(init, [obj, *args], kwargs, node) is not None:
                raise Refusal(node, "__init__() should return None")
        elif args or kwargs:
            raise Refusal(node, f"{cls.name}() takes no arguments")
        return obj
