"""Database: declarative base, portable column types, engine and sessions, migrations."""

from trading.db.base import Base, IdMixin, UTCDateTime
from trading.db.session import Database

__all__ = ["Base", "Database", "IdMixin", "UTCDateTime"]
