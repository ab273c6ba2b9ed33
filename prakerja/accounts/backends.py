"""The one authentication backend: allauth's, with the signed-in user loaded cheaply.

One backend, not Django's ModelBackend beside allauth's: with both, a wrong
password was hashed twice (each backend tried it), doubling the Argon2 cost
an attacker can make a failed login charge us. allauth's backend looks the
email up case-insensitively, accepts ``username`` for the admin's form, and
hashes a dummy password when no account matches, so a wrong password costs
the same with or without an account behind the address.

Every signed-in request loads its user by primary key (``get_user``).
Through the ORM that query is built and compiled anew each time, about a
third of the CPU of a signed-in request that does little else (``make
bench``). The SQL is the ORM's own, compiled once per database alias and
column list; the row becomes a ``User`` through ``Model.from_db`` as any
queryset's would. Inactive users are refused as ModelBackend refuses them.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.db import connections, router

# (alias, model label) -> (sql, attnames, converters): the ORM's own query for one user by primary key.
_compiled: dict[tuple[str, str], tuple[str, list[str], dict]] = {}


def _user_query(model, alias: str) -> tuple[str, list[str], dict]:
    key = (alias, model._meta.label)
    found = _compiled.get(key)
    if found is None:
        compiler = model._default_manager.using(alias).filter(pk=0).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if list(params) != [0]:
            raise RuntimeError(f"unexpected parameters in the user query: {params!r}")
        columns = [column for column, _sql, _alias in compiler.select]
        attnames = [column.target.attname for column in columns]
        # What the ORM applies to each value read (SQLite's datetimes and
        # booleans, a field's from_db_value): computed once, as the SQL.
        converters = compiler.get_converters(columns)
        found = _compiled[key] = (sql, attnames, converters)
    return found


def user_by_pk(pk):
    """The user with this primary key, or None: ``User._default_manager.get(pk=pk)`` without the compiler."""
    model = get_user_model()
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, attnames, converters = _user_query(model, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, (functions, expression) in converters.items():
        value = values[index]
        for function in functions:
            value = function(value, expression, connection)
        values[index] = value
    return model.from_db(alias, attnames, values)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
