"""The provider desk's own records: what a training provider's system keeps of its calls to the partner API."""

from django.db import models


class DeskAction(models.Model):
    """One submission at the provider desk (check, use, or report a redeem code) and what Prakerja answered.

    ``token`` comes from the submitted form: it is the action's address in
    URLs and the root of its Idempotency-Key, so a double click or a retry of
    the same form is one action. The desk keeps the participant's name as it
    reported it (for its own certificate page), not their email or phone.
    """

    token = models.CharField(max_length=32, unique=True)
    provider = models.CharField(max_length=64, db_index=True)  # the client code the desk signed as
    kind = models.CharField(max_length=12)  # status | commit | completion
    redeem_code = models.CharField(max_length=32)
    # unused | used | cancelled (status, commit) | accepted | held_for_review (completion) | refused
    outcome = models.CharField(max_length=16)
    course_code = models.CharField(max_length=32, blank=True)
    participant_name = models.CharField(max_length=200, blank=True)  # masked, as Prakerja shows it
    completion_id = models.CharField(max_length=36, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    certificate_number = models.CharField(max_length=64, blank=True, db_index=True)
    certificate_url = models.CharField(max_length=500, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    reported_name = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.redeem_code}"
