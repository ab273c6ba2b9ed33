"""What the selection asks of the database beyond the ORM: the draw key as SQL on both engines.

The draw orders applications by SHA-256 of "<seed>:<pseudonym>" (hex). PostgreSQL computes it with
its built-in sha256(); SQLite has no hash function, so the platform registers one on each of its
connections (the database calls it row by row; Python never loops over the applications).
"""

import hashlib

from django.db.backends.signals import connection_created
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Concat


def draw_key(seed: str, pseudonym: str) -> str:
    """The documented order of the draw (docs/verify_draw.py computes the same)."""
    return hashlib.sha256(f"{seed}:{pseudonym}".encode()).hexdigest()


def _sqlite_sha256_hex(value):
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


def _on_connection(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("prakerja_sha256_hex", 1, _sqlite_sha256_hex, deterministic=True)


def register_sqlite_functions() -> None:
    connection_created.connect(_on_connection, dispatch_uid="selection-sqlite-functions")


def sha256_hex_sql(vendor: str, expression: str) -> str:
    """SQL for the lowercase hex SHA-256 of a text expression."""
    if vendor == "postgresql":
        return f"encode(sha256(convert_to({expression}, 'UTF8')), 'hex')"
    return f"prakerja_sha256_hex({expression})"


def sha256_order_sql(vendor: str, expression: str) -> str:
    """SQL for a value that sorts as the hex SHA-256 of ``expression`` does byte by byte (the draw's order).

    On PostgreSQL the raw 32-byte digest: bytea compares byte by byte, which is the hex's order in the "C"
    collation, at half the width in a sort and with no text to encode. SQLite sorts the hex itself.
    """
    if vendor == "postgresql":
        return f"sha256(convert_to({expression}, 'UTF8'))"
    return sha256_hex_sql(vendor, expression)


def order_key_hex_sql(vendor: str, expression: str) -> str:
    """SQL for the hex draw key from the value ``sha256_order_sql`` gave (no second hash)."""
    return f"encode({expression}, 'hex')" if vendor == "postgresql" else expression


class DrawKey(Func):
    """The draw key as an ORM expression: the hex SHA-256 of ``prefix`` followed by the pseudonym."""

    output_field = CharField()

    def __init__(self, prefix: str):
        super().__init__(Concat(Value(prefix), F("pseudonym"), output_field=CharField()))

    def as_postgresql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        return sha256_hex_sql("postgresql", inner), params

    def as_sqlite(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        return sha256_hex_sql("sqlite", inner), params
