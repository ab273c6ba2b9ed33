from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """A province; ``code`` is the Kemendagri code and NIK digits 1-2 ("32" is Jawa Barat)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name


class RegencyKind(models.TextChoices):
    KABUPATEN = "kabupaten", _("Regency (kabupaten)")
    KOTA = "kota", _("City (kota)")


class Regency(models.Model):
    """A kabupaten or kota; ``code`` is NIK digits 1-4 ("3273" is Kota Bandung)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies",
                                 verbose_name=_("province"))
    name = models.CharField(_("name"), max_length=100)
    # Derived from the official name ("Kota ...", "Kota Administrasi ...");
    # stored so lists can filter on it without parsing names.
    kind = models.CharField(_("kind"), max_length=10, choices=RegencyKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RegencyKind.values), name="regions_regency_kind_valid"),
        ]

    def __str__(self):
        return self.name
