"""CI integrations: GitHub Actions writers (step summary, annotations, outputs)."""
