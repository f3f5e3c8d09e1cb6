"""The expression lab: a program's graph, its editor, sliders, probe and step-through."""
