"""Statistics (OPS-3): daily counters, kept by a periodic task, read by the pages.

Nothing here is a source of truth: every row is recomputed from the domain tables by
``services.stats_refresh`` (recent days, every 10 minutes) or ``manage.py rebuild_stats`` (any
range), with DELETE + INSERT in one transaction per range of days. The pages and the public
figures read only these rows (and the selection's own report), never the domain tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL_WAVES = 0  # wave_number of the rows that count everything, whatever the wave
NO_PROVINCE = ""  # province_code when the province is not known (no domicile yet, no account)
ALL_PROVINCES = "*"  # province_code of the rows that sum every province (and the unknown) of a key


class DailyCount(models.Model):
    """One number of one metric on one WIB day, for one wave slice and one province.

    ``wave_number`` 0 is the whole programme; a wave's number is that wave's slice (its
    applications, or for the funnel's earlier steps, what happened while the wave was open), so
    a page reads one slice and never adds slices up (windows of two waves may overlap).
    ``province_code`` "*" is the sum of every province of the same day, metric and wave: what a
    page without a province filter reads for its totals and time series, 39 times fewer rows
    than adding the provinces up at every request.
    """

    id = models.BigAutoField(primary_key=True)
    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=64)
    wave_number = models.PositiveIntegerField(_("wave number"), default=ALL_WAVES)
    province_code = models.CharField(_("province code"), max_length=2, blank=True, default=NO_PROVINCE)
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        permissions = [("view_statistics", _("Can see the statistics"))]
        constraints = [
            models.UniqueConstraint(fields=["day", "metric", "wave_number", "province_code"],
                                    name="stats_one_count_per_key"),
        ]
        indexes = [
            # The pages ask "these metrics, this wave slice, these days (and maybe this province)";
            # value is in the index so PostgreSQL and SQLite answer from the index alone.
            models.Index(fields=["wave_number", "metric", "day", "province_code", "value"], name="stats_read"),
        ]

    def __str__(self):
        return f"{self.day} {self.metric} w{self.wave_number} p{self.province_code or '-'}: {self.value}"


class Freshness(models.Model):
    """One row: when the counters were last recomputed, shown on the pages ("as of ...").

    Its row lock also puts two refreshes (the periodic task and a rebuild) one after the other.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)
    first_day = models.DateField(_("first day recomputed"), null=True, blank=True)
    last_day = models.DateField(_("last day recomputed"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics freshness")
        verbose_name_plural = _("statistics freshness")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="stats_freshness_one_row")]

    def __str__(self):
        return f"statistics as of {self.refreshed_at}"
