"""Operating effectiveness over a period (SOC 2 Type 2): many reports read as streams, one summary.

`reader` streams a report file's findings one at a time; `analysis` folds them, in scan order, into
per-check, per-resource and per-criterion state whose size depends on the estate (distinct finding
ids), not on the number of scans; `render` writes JSON, CSV, Markdown or HTML.
"""
