"""`migrate` as the owner role, when the application runs as a role that owns nothing.

With `VANGNET_MIGRATE_DATABASE_URL` set (PostgreSQL), migrations connect with that URL (the
owner role, which creates and owns every table) instead of `DATABASE_URL` (the application
role). Afterwards the application role is granted exactly what it needs: SELECT, INSERT, UPDATE
and DELETE on the domain tables, but only SELECT and INSERT on the access log, its seals and
the account log, and no TRUNCATE, REFERENCES or TRIGGER anywhere. Owning nothing, it can neither disable a
trigger nor drop or alter a table. Without the variable (SQLite, `make test`) nothing changes.
"""

from __future__ import annotations

from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

APPEND_ONLY_TABLES = ("audit_accesslogentry", "audit_accesslogseal", "audit_accountlogentry")


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        url = settings.VANGNET_MIGRATE_DATABASE_URL
        if not url or options["database"] != DEFAULT_DB_ALIAS:
            super().handle(*args, **options)
            return
        connection = connections[DEFAULT_DB_ALIAS]
        app_role = connection.settings_dict["USER"]
        owner = dj_database_url.parse(url)
        if connection.vendor != "postgresql" or not owner["ENGINE"].endswith("postgresql"):
            raise CommandError("VANGNET_MIGRATE_DATABASE_URL is alleen voor PostgreSQL.")
        if owner["NAME"] != connection.settings_dict["NAME"]:
            raise CommandError(
                "VANGNET_MIGRATE_DATABASE_URL en DATABASE_URL wijzen naar verschillende databases."
            )
        if owner["USER"] == app_role:
            raise CommandError("De eigenaarsrol en de applicatierol moeten verschillen.")
        connection.close()
        saved = dict(connection.settings_dict)
        for key in ("USER", "PASSWORD", "HOST", "PORT"):
            connection.settings_dict[key] = owner.get(key, "")
        try:
            super().handle(*args, **options)
            grant_application_role(connection, app_role)
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


def grant_application_role(connection: Any, role: str) -> None:
    quote = connection.ops.quote_name
    role_q = quote(role)
    append_only = ", ".join(quote(t) for t in APPEND_ONLY_TABLES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        for sql in [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role_q}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role_q}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role_q}",
            f"REVOKE UPDATE, DELETE ON {append_only} FROM {role_q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role_q}",
        ]:
            cursor.execute(sql)
