"""The program language's machinery: gradlab.expr is its public face.

``compiler`` turns an ``ast`` tree into closures, ``runtime`` holds one run's state
and its rules (arithmetic, attributes, calls, printing, limits), ``objects`` the
values only programs make (functions, classes, instances), ``library`` the
built-in functions and ``modules`` the importable modules.  Nothing here calls
``eval``, ``exec`` or ``compile``.
"""
