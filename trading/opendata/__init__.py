"""Open data: OCDS 1.1 packages, Atom feeds and the national-platform export (docs/opendata.md)."""
