"""Collect, then evaluate: the collection runner, the evaluator and the report builder."""
