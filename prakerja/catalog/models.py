"""The catalogue (TRN-1): providers' courses, listed by platforms at a price, visible once operators approve."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LISTING_CODE = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{2,31}$",
                              _("Use 3 to 32 capital letters, digits or '-'."))


class CourseKind(models.TextChoices):
    WEBINAR = "webinar", "Webinar"
    SELF_PACED = "self_paced", "Self-Paced Learning"
    OFFLINE = "offline", pgettext_lazy("course type", "Offline")


class Category(models.TextChoices):
    SALES = "sales", _("Sales and marketing")
    TECHNOLOGY = "technology", _("Information technology")
    LANGUAGES = "languages", _("Foreign languages")
    BUSINESS = "business", _("Entrepreneurship")
    MANAGEMENT = "management", _("Management")
    FINANCE = "finance", _("Finance and accounting")
    CREATIVE = "creative", _("Design and creative work")
    FOOD = "food", _("Food and beverage")
    TOURISM = "tourism", _("Tourism and hospitality")
    AGRICULTURE = "agriculture", _("Agriculture")
    HEALTH = "health", _("Health and care")
    TRADES = "trades", _("Technical trades")


class Course(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="courses",
                                 limit_choices_to={"kind": "provider"}, verbose_name=_("training provider"))
    code = models.CharField(_("course code"), max_length=32, unique=True, validators=[LISTING_CODE])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    kind = models.CharField(_("type"), max_length=10, choices=CourseKind.choices)
    province = models.ForeignKey("regions.Province", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("province"))
    location = models.CharField(_("location"), max_length=300, blank=True, help_text=_("Offline courses only."))
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1)])
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # "Cari Pelatihan" (catalog/search.py): the words, lower case without accents, and the approved
    # listings' summary. Kept by signals; `manage.py rebuild_search_index` recomputes them all. On PostgreSQL
    # the generated column search_vector (migration 0003) depends on search_text: drop that column before
    # changing its type.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    listed_from = models.PositiveIntegerField(_("cheapest approved price"), null=True, blank=True, editable=False)
    listed_on = models.PositiveSmallIntegerField(_("platforms"), default=0, editable=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [
            # An offline course says where; the others are nowhere in particular.
            models.CheckConstraint(condition=(Q(kind="offline") & Q(province__isnull=False) & ~Q(location=""))
                                   | (~Q(kind="offline") & Q(province__isnull=True) & Q(location="")),
                                   name="course_location_iff_offline"),
        ]
        indexes = [models.Index(fields=["listed_from"], name="course_listed", condition=Q(listed_from__isnull=False))]

    def __str__(self):
        return self.title


class ListingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Listing(models.Model):
    """A course for sale on one platform at one price, under the platform's listing code."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("listing code"), max_length=32, unique=True, validators=[LISTING_CODE])
    platform = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="listings",
                                 limit_choices_to={"kind": "platform"}, verbose_name=_("digital platform"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="listings",
                               verbose_name=_("course"))
    price = models.PositiveIntegerField(_("price (Rp)"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=8, choices=ListingStatus.choices,
                              default=ListingStatus.PENDING)
    # Provider and platform are related (one corporate group): two different approvers.
    conflict_of_interest = models.BooleanField(_("conflict of interest"), default=False)
    first_approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("first approver"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        permissions = [("approve_listing", "Can approve or reject listings")]
        constraints = [
            models.UniqueConstraint(fields=["platform", "course"], name="one_listing_per_platform_and_course"),
            # Conflicted listings are approved by two people.
            models.CheckConstraint(condition=~Q(status="approved", conflict_of_interest=True)
                                   | (Q(first_approver__isnull=False) & ~Q(first_approver=models.F("decided_by"))),
                                   name="conflicted_listing_has_two_approvers"),
        ]
        indexes = [models.Index(fields=["status"], name="listing_awaiting",
                                condition=Q(status="pending"))]

    def __str__(self):
        return f"{self.code}: {self.course}"
