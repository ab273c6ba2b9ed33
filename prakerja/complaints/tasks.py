"""Periodic work of the complaints desk: each task calls one service and is safe to run twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from prakerja.complaints.services import pending_complaints_purge, tickets_close_resolved


@db_periodic_task(crontab(minute="*/15"))
def close_resolved_tickets():
    return tickets_close_resolved()


@db_periodic_task(crontab(minute="7"))
def purge_pending_complaints():
    return pending_complaints_purge()
