"""Writers racing to append to the audit chain, on PostgreSQL with real threads."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]

THREADS, ROWS = 6, 5


def test_concurrent_writers_keep_one_chain(monkeypatch):
    """Writers sharing a chain (as connections do when there are more of them than chains) take turns."""
    import prakerja.audit.services as services

    monkeypatch.setattr(services, "_chain_of", lambda connection: 0)
    before = AuditEntry.objects.count()
    barrier = threading.Barrier(THREADS)
    errors = []

    def writer(n):
        try:
            barrier.wait()
            for row in range(ROWS):
                with transaction.atomic():
                    audit_record(actor=None, action="race.write", data={"thread": n, "row": row})
                    # The rest of a service's transaction: every other writer
                    # reads the chain's end while this row is still uncommitted.
                    time.sleep(0.01)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert AuditEntry.objects.count() == before + THREADS * ROWS
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert f"audit log intact: {before + THREADS * ROWS} entries" in out.getvalue()


def test_writers_on_other_connections_append_to_other_chains():
    """Each connection keeps its chain, taken in turn: writers rarely wait for one another's commit."""
    used, errors = {}, []
    barrier = threading.Barrier(4)

    def writer(n):
        try:
            barrier.wait()
            for row in range(3):
                with transaction.atomic():
                    first = audit_record(actor=None, action="race.spread", data={"thread": n, "row": row})
                    second = audit_record(actor=None, action="race.spread.again", data={"thread": n, "row": row})
                used.setdefault(n, set()).update({first.chain, second.chain})
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert all(len(chains) == 1 for chains in used.values())  # one connection, one chain
    assert len(set().union(*used.values())) == 4  # four connections, four chains
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "audit log intact" in out.getvalue()

