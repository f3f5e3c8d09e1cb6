"""The expression lab's calls folded: a click expands a collapsed call in place, another collapses
it again, and the step-through steps over a collapsed call or into it.

A mixin of ``ExpressionCore`` (gradlab.labs.expression), kept apart for its size: it uses the
core's ``graph``, ``walk``, ``selected``, ``events``, ``select`` and ``rerunning``.  Folding
changes which nodes are drawn, not a value: the graph is replaced (``program_changed``, with
``rerunning`` true as for a re-run, so the sliders keep their rows) and the selection follows
the Value it was on.
"""

from __future__ import annotations

from collections.abc import Iterable

from gradlab.backprop_steps import Step, step_order
from gradlab.call_groups import enclosing_group, with_collapsed
from gradlab.engine import Value
from gradlab.graph import GraphModel

__all__ = ["CallFolding", "done_nodes"]


def done_nodes(graph: GraphModel, units: Iterable[int]) -> set[int]:
    """The nodes of ``graph.full`` whose ``_backward`` ran when ``units`` of ``graph`` were stepped
    (a collapsed call: every node inside it)."""
    full, groups, done = graph.full, graph.full.call_groups, set()
    for k in units:
        g = graph.group_of(k)
        if g >= 0:
            done.update(groups.members[g])
        else:
            done.add(full.index[id(graph.values[k])])
    return done


class CallFolding:
    """ExpressionCore's folding of calls (see the module's docstring)."""

    def click_node(self, index: int) -> None:
        """A click on node ``index``: a collapsed call expands in place (the node showing its
        result selected); a click on the selected node collapses the call around it again (so a
        second click on the same place closes what the first opened; not while stepping
        through: the call's steps have run one by one); any other click selects the node."""
        g = self.graph
        if g is not None and index >= 0:
            if index == self.selected and self.walk.step < 0:
                group = enclosing_group(g, index)
                if group >= 0:
                    self.set_collapsed(g.collapsed | {group})
                    return
            group = g.group_of(index)
            if group >= 0:
                self.set_collapsed(g.collapsed - {group}, g.values[index])
                return
        self.select(index)

    def set_collapsed(self, collapsed: Iterable[int], chosen: Value | None = None) -> None:
        """Draw the graph with the call groups ``collapsed`` collapsed; the selection goes to the
        node that shows Value ``chosen`` (default: stays on its Value), the step-through stays
        where it was."""
        old = self.graph
        if old is None or old.full.call_groups is None:
            return
        if chosen is None and self.selected >= 0:
            chosen = old.values[self.selected]
        new = with_collapsed(old, collapsed)
        if self.walk.step >= 0:
            self._refold_walk(old, new)
        self.graph = new
        self.rerunning = True  # the same program and values, drawn anew: the sliders keep their rows
        try:
            self.events.emit("program_changed")
        finally:
            self.rerunning = False
        found = new.index.get(id(chosen)) if chosen is not None else None
        self.select(found if found is not None else -1, force=True)
        if self.walk.step >= 0:
            self.events.emit("backprop_step_changed", self.walk.step)

    def folded_as_before(self, graph: GraphModel | None) -> GraphModel | None:
        """A new run's ``graph`` with the calls collapsed that were collapsed in the graph shown,
        where both were made by the same calls (a re-run for a slider, an edit of a number)."""
        old = self.graph
        if graph is None or old is None or graph.full.call_groups is None or old.full.call_groups is None:
            return graph
        if graph.full.call_groups.labels != old.full.call_groups.labels or graph.collapsed == old.collapsed:
            return graph
        return with_collapsed(graph, old.collapsed)

    def next_step_call(self) -> int:
        """The collapsed call the step-through's next step would step over, or -1."""
        walk, g = self.walk, self.graph
        if g is None or walk.step < 0 or walk.step >= len(walk.order):
            return -1
        return g.group_of(walk.order[walk.step])

    def step_into(self) -> bool:
        """Expand the collapsed call the step-through reaches next, to step through its nodes one
        by one; False (nothing done) if the next step is not a collapsed call."""
        group = self.next_step_call()
        if group < 0:
            return False
        self.set_collapsed(self.graph.collapsed - {group})
        return True

    def _refold_walk(self, old: GraphModel, new: GraphModel) -> None:
        """The step-through's state, from ``old``'s nodes to ``new``'s: the steps that ran first,
        then the rest in backward()'s order; the gradients reached stay reached."""
        walk = self.walk
        done = done_nodes(old, walk.order[: walk.step])
        full = new.full
        reached = {full.index[id(old.values[k])] for k in walk._reached}
        reached.update(p for i in done for p in full.parents[i])
        at_full = [full.index[id(v)] for v in new.values]
        finished = [k for k in step_order(new) if done.issuperset(done_nodes(new, [k]))]
        walk.order = finished + [k for k in step_order(new) if k not in set(finished)]
        walk.step = len(finished)
        walk._reached = {k for k, i in enumerate(at_full) if i in reached}
        last = walk.last
        if last is not None:
            node = new.index.get(id(old.values[last.node]))
            parents = tuple(new.index.get(id(old.values[p]), -1) for p in last.parents)
            walk.last = Step(node, parents, last.lines) if node is not None and -1 not in parents else None
