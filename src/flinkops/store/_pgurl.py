"""PostgreSQL store URLs: parsing, the printable form, the secrets they carry (pure).

``postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?schema=NAME&<libpq params>]``
(``postgres://`` too). What the URL leaves out comes from libpq's ``PG*``
variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGPASSFILE``,
``PGSSLMODE``...). ``schema`` (not a libpq parameter: flinkops takes it out) puts
the store's tables in that schema, so several projects can share one database;
default ``public``. The password, from the URL or ``PGPASSWORD``, is a secret:
``display`` leaves it out, and ``secrets`` lists it for redaction.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from flinkops.errors import StoreError

__all__ = ["PgLocation", "parse_pg_url", "store_secrets"]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class PgLocation:
    conninfo: str  # the URL for libpq: password kept, ``schema`` removed
    schema: str | None
    display: str  # postgresql://user@host:port/db?schema=s, no password
    host: str
    secrets: tuple[str, ...]


def parse_pg_url(url: str, env: dict[str, str] | None = None) -> PgLocation:
    """Split a store URL into what libpq gets, the schema, and what may be printed."""
    env = dict(os.environ) if env is None else env
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as e:
        raise StoreError(
            f"bad PostgreSQL store URL ({_no_password(e, url)}): expected "
            "postgresql://user@host:5432/dbname[?schema=name]"
        ) from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in query if k == "schema"]
    schema = schemas[-1] if schemas else None
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise StoreError(
            f"bad schema name {schema!r} in the store URL: use lower-case letters, digits "
            "and _, starting with a letter or _ (at most 63)"
        )
    rest = [(k, v) for k, v in query if k != "schema"]
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest), ""))
    host = parts.hostname or env.get("PGHOST") or "localhost"
    user = unquote(parts.username) if parts.username else env.get("PGUSER", "")
    shown_host = f"[{host}]" if ":" in host else host
    netloc = (f"{user}@" if user else "") + shown_host + (f":{port}" if port else "")
    shown_query = urlencode(([("schema", schema)] if schema else []) + rest)
    display = urlunsplit(("postgresql", netloc, parts.path, shown_query, ""))
    secrets = []
    if parts.password:
        secrets += [parts.password, unquote(parts.password)]
    if env.get("PGPASSWORD"):
        secrets.append(env["PGPASSWORD"])
    return PgLocation(conninfo, schema, display, host, tuple(dict.fromkeys(secrets)))


def store_secrets(location: str, env: dict[str, str] | None = None) -> set[str]:
    """The secrets a store location carries: a PostgreSQL password (URL or PGPASSWORD)."""
    if not location.strip().startswith(("postgresql://", "postgres://")):
        return set()
    try:
        return set(parse_pg_url(location, env).secrets)
    except StoreError:
        return set()  # reported when the store is opened


def _no_password(e: Exception, url: str) -> str:
    text = str(e)
    password = urlsplit(url).password if "@" in url else None
    return text.replace(password, "***") if password else text
