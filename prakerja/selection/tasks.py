"""Selection and announcement jobs: the operator's requests and the schedule (SEL-5, WAV-6)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.selection import services


@db_task()
def run_selection(wave_id: int):
    from prakerja.waves.models import Wave

    try:
        run = services.selection_run_wave(actor=None, wave=Wave.objects.get(pk=wave_id))
    except services.SelectionRefused as refused:
        return refused.code
    return run.status


@db_task()
def continue_announcement(announcement_id: int) -> int:
    from prakerja.selection.models import Announcement

    return services.announcement_continue(announcement=Announcement.objects.get(pk=announcement_id)).done


@db_periodic_task(crontab(minute="*/5"))
def select_closed_waves() -> list[int]:
    """A closed wave is selected without anyone pressing a button."""
    return services.waves_select_due()


@db_periodic_task(crontab(minute="*"))
def publish_due_results() -> list[int]:
    return services.waves_publish_due()
