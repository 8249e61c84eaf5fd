"""Offline OCDS 1.1 validation against the vendored schemas (wave2-pitfalls §7)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).parents[3] / "trading" / "opendata" / "schema"
FILES = (
    "release-schema.json",
    "release-package-schema.json",
    "record-package-schema.json",
    "versioned-release-validation-schema.json",
)


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {name: json.loads((SCHEMA_DIR / name).read_text()) for name in FILES}


@cache
def validator(package_schema: str) -> Draft4Validator:
    schemas = _schemas()
    # Only the vendored files resolve: a reference to anything else fails instead of fetching.
    registry = Registry().with_resources(
        [(s["id"], Resource(contents=s, specification=DRAFT4)) for s in schemas.values()]
    )
    return Draft4Validator(schemas[package_schema], registry=registry, format_checker=FormatChecker())


def errors(package: dict[str, Any], kind: str) -> list[str]:
    found = validator(f"{kind}-package-schema.json").iter_errors(package)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def project_rules(package: dict[str, Any], prefix: str) -> list[str]:
    """What the schema cannot check (§7): the ocid prefix and unique release ids per ocid."""
    problems = []
    releases = package.get("releases") or [r for rec in package.get("records", []) for r in rec["releases"]]
    seen = set()
    for release in releases:
        if not release["ocid"].startswith(prefix + "-"):
            problems.append(f"ocid {release['ocid']} lacks the prefix {prefix}")
        key = (release["ocid"], release["id"])
        if key in seen:
            problems.append(f"release id {release['id']} repeated")
        seen.add(key)
    return problems
