"""The program language's machinery: gradlab.expr is its public face.

Read it bottom up (the imports form no cycle; tests/test_import_graph.py):

* ``limits``, ``objects``, ``program``, ``scopes``: the limits and messages, the records a
  program makes (functions, classes, instances), what a run leaves behind, the compiler's
  tables and name rules;
* ``arguments``, ``text``, ``arrays``, ``networks``: argument checks, formatting, numpy
  arrays and gradlab's networks, as the rules below use them; ``alive``: what a run holds
  now (Values alive, memory), measured when a count of what it made crosses its limit;
* ``runtime``: ``Run``, one run's state and limits, with its rules as mixins by concern
  (``arith``, ``attributes``, ``calls``, ``items``, ``spelling``);
* ``library``, ``methods``, ``modules``: the built-in functions, the methods of built-in
  values and the importable modules, among them two stand-ins whose objects answer the rules
  through ``objects.StandIn``: ``graphviz_stub`` (a recording ``Digraph``) and ``torch_stub``
  (small tensors: ``torch_tensor``, printed by ``torch_format``);
* ``compiler`` (statements) over ``expressions`` (with ``compile_names``, ``compile_calls``,
  ``compile_comprehensions``, ``compile_definitions``): one ``s_<Node>``/``e_<Node>`` method
  per ``ast`` node type turns the tree into closures.  This is the one evaluator: every
  statement, top-level ones too, is compiled when the run reaches it, then run.

gradlab.expr hands each Run the builtins (library) and the method tables (methods).
Nothing here calls ``eval``, ``exec`` or ``compile``.
"""
