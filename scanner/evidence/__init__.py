"""Audit evidence: verifiable bundles of one scan (Type 1) and the mapping coverage statement.

A bundle is a folder (optionally zipped) holding the report, the redacted inventory snapshot it
follows from, per-criterion summaries (CSV, Markdown), a self-contained HTML report and a
`manifest.json` with the SHA-256 of every file, optionally signed with Ed25519. `verify` checks the
digests and the signature and re-evaluates the snapshot to prove the report follows from it.
"""
