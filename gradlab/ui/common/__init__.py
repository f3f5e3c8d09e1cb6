"""Widgets both labs use: the graph canvas, the inspector and its plots, the palette, text helpers."""
