"""Operators replace the induction videos here (CRD-2); the three rows themselves are fixed."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.induction import media
from prakerja.induction.errors import InductionError
from prakerja.induction.models import InductionVideo, VideoProgress
from prakerja.induction.services import induction_video_replace
from prakerja.induction.uploads import with_video_upload_limits


def _video_help() -> str:
    # Interpolated when shown, in the reader's language: "%" on a lazy text would fix it at import.
    return gettext("At most %(mb)s MB. Leave empty to keep the current video.") % {
        "mb": media.VIDEO_MAX_BYTES // (1024 * 1024)}


class InductionVideoForm(forms.ModelForm):
    # Plain file inputs: the stored names are not URLs (the shipped files are not
    # in any storage); the current files are linked through the serving views.
    video = forms.FileField(label=_("New video (MP4, H.264)"), required=False,
                            widget=forms.FileInput(attrs={"accept": "video/mp4"}),
                            help_text=lazy(_video_help, str)())
    captions = forms.FileField(label=_("New captions (WebVTT, Indonesian)"), required=False,
                               widget=forms.FileInput(attrs={"accept": ".vtt,text/vtt"}),
                               help_text=_('A .vtt file whose first line is "WEBVTT". Leave empty to keep the '
                                           'current captions.'))
    duration_seconds = forms.IntegerField(label=_("Duration in seconds"), required=False, min_value=1,
                                          max_value=3600,
                                          help_text=_("Leave empty to read it from the new video."))

    class Meta:
        model = InductionVideo
        fields = ["title_id", "title_en", "video", "captions", "duration_seconds"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty unless the operator fills them: a file field's initial value would
        # come back as "the same file again", and a shown duration would be taken
        # for the new video's.
        for field in ("video", "captions", "duration_seconds"):
            self.initial.pop(field, None)

    def clean_video(self):
        upload = self.cleaned_data.get("video")
        if not upload:
            return None
        if upload.size > media.VIDEO_MAX_BYTES:
            raise forms.ValidationError(_("The video is larger than %(mb)s MB.")
                                        % {"mb": media.VIDEO_MAX_BYTES // (1024 * 1024)})
        try:
            self.probed = media.mp4_probe(upload, upload.size)
        except InductionError as error:
            raise forms.ValidationError(error.message)
        return upload

    def clean_captions(self):
        upload = self.cleaned_data.get("captions")
        if not upload:
            return None
        if upload.size > media.CAPTIONS_MAX_BYTES:
            raise forms.ValidationError(_("The captions file is larger than %(kb)s KB.")
                                        % {"kb": media.CAPTIONS_MAX_BYTES // 1024})
        upload.seek(0)
        try:
            media.vtt_check(upload.read())
        except InductionError as error:
            raise forms.ValidationError(error.message)
        upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("video") and not cleaned.get("duration_seconds"):
            seconds = getattr(self, "probed", None) and self.probed.duration_seconds
            if not seconds:
                self.add_error("duration_seconds", _("The video does not say how long it is: enter the duration."))
            else:
                cleaned["duration_seconds"] = max(1, round(seconds))
        return cleaned

    def _post_clean(self):
        # Nothing of the form goes onto the row here: induction_video_replace
        # writes the row, from cleaned_data (the model's own checks still run).
        pass


@admin.register(InductionVideo)
class InductionVideoAdmin(admin.ModelAdmin):
    form = InductionVideoForm
    list_display = ["position", "title_id", "slug", "duration_seconds", "updated_at"]
    readonly_fields = ["slug", "position", "current_video", "current_captions", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "position", "title_id", "title_en", "updated_at"]}),
        (_("Video"), {"fields": ["current_video", "video", "duration_seconds"]}),
        (_("Captions"), {"fields": ["current_captions", "captions"]}),
    ]

    def get_urls(self):
        # The change page takes uploads larger than the platform's 5 MB photo limit (uploads.py).
        urls = super().get_urls()
        name = f"{self.opts.app_label}_{self.opts.model_name}_change"
        return [path("<path:object_id>/change/", with_video_upload_limits(p.callback), name=name)
                if getattr(p, "name", None) == name else p for p in urls]

    def get_fieldsets(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fieldsets
        # Looking only: the stored names are not URLs; the current files are linked above them.
        return [(None, {"fields": ["slug", "position", "title_id", "title_en", "duration_seconds", "updated_at",
                                   "current_video", "current_captions"]})]

    def has_add_permission(self, request):
        return False  # exactly three videos, made on migrate

    def has_delete_permission(self, request, obj=None):
        return False  # progress points at them; replace instead

    @admin.display(description=_("Current video"))
    def current_video(self, obj):
        url = reverse("induction_video_file", args=[obj.slug])
        return format_html('<a href="{}?v={}">{}</a> ({} s)', url, int(obj.updated_at.timestamp()),
                           obj.video.name, obj.duration_seconds)

    @admin.display(description=_("Current captions"))
    def current_captions(self, obj):
        url = reverse("induction_captions_file", args=[obj.slug])
        return format_html('<a href="{}?v={}">{}</a>', url, int(obj.updated_at.timestamp()), obj.captions.name)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Reading POST parses the body (the CSRF check usually has already), which
        # is when the upload handler refuses.
        refusal = request.method == "POST" and request.POST is not None and getattr(request, "upload_refusal", None)
        if refusal:
            # The body was cut off at the limit: act on none of it.
            self.message_user(request, refusal.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = induction_video_replace(
            actor=request.user, video=obj, video_file=data.get("video"), captions_file=data.get("captions"),
            duration_seconds=data.get("duration_seconds"), title_id=data.get("title_id"),
            title_en=data.get("title_en"))
        obj.refresh_from_db()
        return saved


@admin.register(VideoProgress)
class VideoProgressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "video", "covered_seconds", "last_report_at", "completed_at"]
    list_filter = ["video", ("completed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["video", "user"]
    search_fields = ["=user__email"]
    show_full_result_count = False  # millions of rows: no COUNT(*) per page
