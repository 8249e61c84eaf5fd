"""Examples in the commands' help: every command shows how it is called."""

from __future__ import annotations


def example(*lines: str) -> str:
    """The `epilog` of a command: one example a paragraph, so that neither click nor rich-click
    runs two of them into one line."""
    return "\n\n".join(["Example:", *(f"  $ {line}" for line in lines)])
