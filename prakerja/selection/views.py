"""The selection's pages (issue 16, items 3 and 5): the open results of a wave, its draw as CSV, and
the operators' report of the run with its two buttons.

WAV-6: nothing of a result is public before the wave's ``results_published_at`` has passed; until
then the public URLs answer 404, as if they did not exist. The public pages never show a count of
people from 1 to 9 (it is shown as "<10"), so a small group cannot be singled out; operators see
exact counts.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from prakerja.selection import selectors
from prakerja.selection import services as selection_services
from prakerja.selection.charts import bar_chart_svg
from prakerja.selection.models import NikList, RunStatus, SelectionRun
from prakerja.waves.models import Wave

SMALL = "<10"
STAGE_ORDER = ["start", "SEL-1", "SEL-2", "SEL-3", "SEL-4", "report"]
STAGE_NAMES = {
    "SEL-1": gettext_lazy("Civil-registry match"),
    "SEL-2": gettext_lazy("Basic rules"),
    "SEL-3": gettext_lazy("Never twice"),
    "SEL-4": gettext_lazy("Draw"),
}
OTHER_STAGES = {"start": gettext_lazy("Preparation (draw keys)"), "report": gettext_lazy("Report")}
# What each reason code means, for the open statistics (services.REASONS holds the Indonesian
# sentence stored on each application; these are the same reasons as English msgids).
REASON_LABELS = {
    "nik_unverified": gettext_lazy("NIK not verified by the civil registry"),
    "age": gettext_lazy("Age outside the programme's range"),
    "past_participant": gettext_lazy("Already a Kartu Prakerja participant"),
    "revoked": gettext_lazy("Kartu Prakerja participation revoked before"),
    "kk_cap": gettext_lazy("Family card (KK) already has the most participants allowed"),
    "not_drawn": gettext_lazy("Not drawn for the wave's quota"),
    "drawn": gettext_lazy("Drawn: passed"),
}
TOTALS = [
    ("applied", gettext_lazy("Applied")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("eligible", gettext_lazy("Eligible for the draw")),
    ("passed", gettext_lazy("Drawn (passed)")),
]
CSV_COLUMNS = ["section", "stage", "code", "label", "applied", "eligible", "passed", "quota", "count"]


# --- what may be shown --------------------------------------------------------------------
def published(wave: Wave, now=None) -> bool:
    """WAV-6: a wave's results are public once results_published_at is set and has passed."""
    now = now or timezone.now()
    return wave.results_published_at is not None and wave.results_published_at <= now


def public_count(value) -> tuple[int | None, str]:
    """(bar value, text) of a count of people on a public page: 1 to 9 show as "<10", with no bar."""
    if value is None:
        return None, ""
    if 0 < value < 10:
        return None, SMALL
    return value, intcomma(value)


def exact_count(value) -> tuple[int | None, str]:
    return value, "" if value is None else intcomma(value)


def _csv_count(value) -> str:
    if value is None:
        return ""
    return SMALL if 0 < value < 10 else str(value)


def _published_wave(public_id) -> tuple[Wave, dict]:
    """The wave and its run's report, or 404 before publication (WAV-6) or without a finished run."""
    wave = get_object_or_404(Wave, public_id=public_id)
    if not published(wave):
        raise Http404
    run = SelectionRun.objects.filter(wave=wave, status=RunStatus.DONE).only("report").first()
    if run is None or not run.report:
        raise Http404
    return wave, run.report


def _list_names(report: dict) -> dict:
    codes = {row["reason_code"].removeprefix("list:") for row in report.get("by_reason", [])
             if row["reason_code"].startswith("list:")}
    return dict(NikList.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def reason_label(code: str, list_names: dict) -> str:
    if code.startswith("list:"):
        name = list_names.get(code.removeprefix("list:"), code.removeprefix("list:"))
        return _("Listed as %(name)s") % {"name": name}
    return str(REASON_LABELS.get(code, code))


def stage_label(stage: str) -> str:
    name = STAGE_NAMES.get(stage)
    if name:
        return f"{stage} {name}"
    return str(OTHER_STAGES.get(stage, stage))


def report_tables(wave: Wave, report: dict, *, count=public_count) -> dict:
    """The report's rows as the page shows them, each count through ``count`` (public or exact)."""
    list_names = _list_names(report)
    totals = [{"label": label, "text": count(report.get(key))[1]} for key, label in TOTALS]
    passed = report.get("passed") or 0
    quota = report.get("quota") or wave.national_quota
    reasons = [{"stage": stage_label(row["decided_stage"]), "reason": reason_label(row["reason_code"], list_names),
                "code": row["reason_code"], "text": count(row["count"])[1]} for row in report.get("by_reason", [])]
    provinces = []
    for row in report.get("by_province", []):
        provinces.append({"code": row["code"], "name": row["name"], "applied": count(row["applied"])[1],
                          "eligible": count(row["eligible"])[1], "passed": count(row["passed"])[1],
                          "quota": None if row.get("quota") is None else intcomma(row["quota"])})
    chart = bar_chart_svg(
        [(row["name"], *count(row["passed"])) for row in report.get("by_province", [])],
        title=_("Passed per province, wave %(n)s") % {"n": wave.number}, value_label=_("Passed"),
        empty_text=_("No applications"), chart_id=f"passed-{wave.number}")
    return {"totals": totals, "reasons": reasons, "provinces": provinces, "chart": chart,
            "quota": intcomma(quota), "passed_text": count(passed)[1],
            "national_pool": intcomma(report.get("national_pool") or 0)}


# --- public -------------------------------------------------------------------------------
@require_GET
def results(request, public_id):
    wave, report = _published_wave(public_id)
    context = {"wave": wave, **report_tables(wave, report)}
    return render(request, "selection/results.html", context)


@require_GET
def results_csv(request, public_id):
    wave, report = _published_wave(public_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-wave-{wave.number}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for key, label in TOTALS:
        writer.writerow(["total", "", key, str(label), "", "", "", "", _csv_count(report.get(key))])
    writer.writerow(["total", "", "quota", str(_("Quota")), "", "", "", report.get("quota", wave.national_quota), ""])
    list_names = _list_names(report)
    for row in report.get("by_reason", []):
        writer.writerow(["reason", row["decided_stage"], row["reason_code"],
                         reason_label(row["reason_code"], list_names), "", "", "", "", _csv_count(row["count"])])
    for row in report.get("by_province", []):
        writer.writerow(["province", "", row["code"], row["name"], _csv_count(row["applied"]),
                         _csv_count(row["eligible"]), _csv_count(row["passed"]),
                         "" if row.get("quota") is None else row["quota"], ""])
    return response


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def _draw_lines(wave: Wave):
    writer = csv.writer(_Echo())
    yield writer.writerow(selectors.DRAW_COLUMNS)
    for row in selectors.draw_rows(wave=wave):
        yield writer.writerow(row)


@require_GET
def draw_csv(request, public_id):
    """SEL-4: every application that reached the draw, under its pseudonym; docs/verify_draw.py reads it.

    Streamed: a wave can have millions of rows, and draw_rows reads them in chunks.
    """
    wave, _report = _published_wave(public_id)
    response = StreamingHttpResponse(_draw_lines(wave), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-wave-{wave.number}.csv"'
    return response


# --- operators ----------------------------------------------------------------------------
def _timings(run: SelectionRun) -> list[tuple[str, float]]:
    # jsonb does not keep key order: the stages' own order, then anything else.
    stages = sorted(run.timings, key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else len(STAGE_ORDER), s))
    return [(stage_label(stage), run.timings[stage]) for stage in stages]


@login_required
@permission_required("selection.view_selectionrun", raise_exception=True)
@require_GET
def report(request, public_id):
    """SEL-5's report for operators: exact counts, even before publication, and the run itself."""
    wave = get_object_or_404(Wave, public_id=public_id)
    run = SelectionRun.objects.filter(wave=wave).first()
    context = {"wave": wave, "run": run, "published": published(wave), "timings": _timings(run) if run else [],
               "stages_done": [stage_label(s) for s in run.stages_done] if run else []}
    if run is not None and run.report:
        context.update(report_tables(wave, run.report, count=exact_count))
    return render(request, "selection/report.html", context)


def _operator_action(request, public_id, action, done):
    """One of the report's buttons: the service decides and audits; a refusal is shown as it says."""
    wave = get_object_or_404(Wave, public_id=public_id)
    try:
        action(actor=request.user, wave=wave)
    except selection_services.SelectionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done % {"n": wave.number})
    return redirect("selection_report", public_id=wave.public_id)


@login_required
@permission_required("selection.run_selection", raise_exception=True)
@require_POST
def report_run(request, public_id):
    return _operator_action(request, public_id, selection_services.selection_request,
                            _("The selection of wave %(n)s has been started."))


@login_required
@permission_required("selection.publish_results", raise_exception=True)
@require_POST
def report_publish(request, public_id):
    return _operator_action(request, public_id, selection_services.results_publish,
                            _("The results of wave %(n)s have been published."))
