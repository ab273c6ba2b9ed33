"""Selection (SEL-1..5): the lists it checks, the runs, and the announcement's fan-out.

No NIK is stored here: list entries hold the same keyed hash (blind index)
the registry keeps for each profile, so a list matches a registrant without
either side holding the other's numbers in clear.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    EXCLUSION = "exclusion", _("Exclusion list")
    PRIORITY = "priority", _("Priority list")


class NikList(models.Model):
    """One list of NIKs kept by one agency: an excluded group (SEL-2) or a priority group (SEL-4)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)  # in Indonesian: it is the reason people see
    kind = models.CharField(_("kind"), max_length=12, choices=ListKind.choices)
    # PKH, BPNT, BSU, BPUM: checked only where the programme excludes other
    # social assistance (the semi-bansos preset).
    social_assistance = models.BooleanField(_("other social assistance"), default=False)
    is_active = models.BooleanField(_("checked by the selection"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("NIK list")
        verbose_name_plural = _("NIK lists")

    def __str__(self):
        return self.name


class ImportStatus(models.TextChoices):
    IMPORTING = "importing", _("Importing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class NikListVersion(models.Model):
    """One import of a list. The current version is the one the selection checks; older ones stay."""

    nik_list = models.ForeignKey(NikList, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("NIK list"))
    number = models.PositiveIntegerField(_("version"))
    source_agency = models.CharField(_("source agency"), max_length=200)
    source_date = models.DateField(_("date of the source"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.IMPORTING)
    is_current = models.BooleanField(_("current"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    bytes_total = models.BigIntegerField(_("file size (bytes)"), default=0)
    bytes_read = models.BigIntegerField(_("bytes read"), default=0)
    # The first bad rows, by line number: [{"line": 7, "error": "..."}]
    errors = models.JSONField(_("first rejected rows"), default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("imported by"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["nik_list", "-number"]
        verbose_name = _("NIK list version")
        verbose_name_plural = _("NIK list versions")
        constraints = [
            models.UniqueConstraint(fields=["nik_list", "number"], name="selection_list_version_number"),
            models.UniqueConstraint(fields=["nik_list"], condition=Q(is_current=True),
                                    name="selection_one_current_version"),
        ]

    def __str__(self):
        return f"{self.nik_list.code} v{self.number}"


class NikListEntry(models.Model):
    """One NIK of one version, as its blind index (registry.crypto.blind_index("nik", nik))."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    version = models.ForeignKey(NikListVersion, on_delete=models.CASCADE, related_name="+", db_index=False,
                                verbose_name=_("NIK list version"))
    nik_index = models.CharField(_("NIK blind index"), max_length=64)

    class Meta:
        verbose_name = _("NIK list entry")
        verbose_name_plural = _("NIK list entries")
        constraints = [
            models.UniqueConstraint(fields=["version", "nik_index"], name="selection_entry_once_per_version"),
        ]
        indexes = [models.Index(fields=["nik_index", "version"], name="selection_entry_match")]

    def __str__(self):
        return f"entry {self.pk} of version {self.version_id}"


class PriorityStatus(models.Model):
    """A declared employment status drawn first (SEL-4), e.g. "Laid off" in the pandemic years."""

    employment_status = models.CharField(_("employment status"), max_length=16, unique=True)
    is_active = models.BooleanField(_("drawn first"), default=True)

    class Meta:
        verbose_name = _("priority employment status")
        verbose_name_plural = _("priority employment statuses")

    def __str__(self):
        return self.employment_status


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped by an error")


class SelectionRun(models.Model):
    """The selection of one wave (SEL-5): one run, resumable, with its report."""

    wave = models.OneToOneField("waves.Wave", on_delete=models.PROTECT, related_name="selection_run",
                                verbose_name=_("wave"))
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Who may work on it now: a run holds a lease it renews at each stage; a
    # crashed run's lease runs out and the next start resumes it.
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    stages_done = models.JSONField(_("stages done"), default=list, blank=True)  # ["SEL-1", ...]
    timings = models.JSONField(_("seconds per stage"), default=dict, blank=True)  # stage -> seconds
    report = models.JSONField(_("report"), default=dict, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        permissions = [("run_selection", "Can start a wave's selection"),
                       ("publish_results", "Can publish a wave's results before the announcement time")]

    def __str__(self):
        return f"selection of {self.wave}"


class Announcement(models.Model):
    """WAV-6: the results published, and everyone told, in resumable chunks."""

    wave = models.OneToOneField("waves.Wave", on_delete=models.PROTECT, related_name="announcement",
                                verbose_name=_("wave"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("published by"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    total = models.PositiveIntegerField(_("applications to notify"), default=0)
    done = models.PositiveIntegerField(_("applications notified"), default=0)
    # the fan-out's position, committed with each chunk
    last_application_id = models.BigIntegerField(_("last application done (id)"), default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return f"announcement of {self.wave}"
