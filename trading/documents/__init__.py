"""The center's official documents (正式文书): PDFs in Chinese (English on request), rendered from
Jinja2 templates with WeasyPrint in a worker process, signed (PAdES) with the center's document
key, stored once by SHA-256 and verifiable by anyone with the code printed on them.

Kinds are registered in a registry (kind → template, data loader, who may issue and read); the
core registers the announcement kinds, `bidding` and `funds` register theirs at wiring time.
"""
