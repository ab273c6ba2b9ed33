"""The statistics pages (OPS-3) under /backoffice/stats/: the registration funnel, selection outcomes,
trainings, complaints. Each has a GET filter form, tables, server-rendered SVG charts and a CSV export
with the same filters.

Thin: the numbers come from ``selectors`` (the daily counters and the selection runs' reports),
never from the domain tables. Reading needs ``stats.view_statistics``; a refused operator is
audited by ``audit.middleware.DeniedAuditMiddleware``.
"""

import csv
from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from prakerja.selection.charts import bar_chart_svg
from prakerja.selection.models import NikList
from prakerja.selection.views import reason_label, stage_label
from prakerja.stats import selectors
from prakerja.stats.charts import line_chart_svg
from prakerja.stats.forms import StatsFilter
from prakerja.stats.metrics import COMPLAINTS, FUNNEL, METRICS, TRAININGS, codes, complaint_code

PERMISSION = "stats.view_statistics"
SECTIONS = [
    ("funnel", "stats_home", gettext_lazy("Registration")),
    ("selection", "stats_selection", gettext_lazy("Selection")),
    ("trainings", "stats_trainings", gettext_lazy("Trainings")),
    ("complaints", "stats_complaints", gettext_lazy("Complaints")),
]
GRANULARITY = {"day": gettext_lazy("per day"), "week": gettext_lazy("per week (from Monday)"),
               "month": gettext_lazy("per month")}
FUNNEL_SERIES = ["registered", "nik_verified", "joined"]
TRAINING_SERIES = ["purchases", "completions_reported", "certificates"]
TRAINING_PROVINCE_COLUMNS = ["purchases", "purchase_amount", "completions_reported", "certificates"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- helpers ---------------------------------------------------------------------------------
def _form(request, *, with_wave=True) -> StatsFilter:
    waves = [number for number, _opens, _closes in selectors.wave_choices()]
    return StatsFilter(request.GET or None, waves=waves, provinces=selectors.province_names(), with_wave=with_wave)


def _filters(form: StatsFilter) -> selectors.Filters | None:
    if not form.is_bound:
        return selectors.Filters()
    return form.filters() if form.is_valid() else None


def _province_name(code: str, names: dict) -> str:
    return names.get(code, code) if code else _("Province not known")


def _period_label(day: date, granularity: str) -> str:
    return formats.date_format(day, "M Y" if granularity == "month" else "j M Y")


def _number(value, unit="count") -> str:
    if value is None:
        return "-"
    if unit == "rupiah":
        return "Rp" + intcomma(value)
    return intcomma(value)


def _series_chart(filters, metric_codes, *, title, chart_id, names=None):
    data = selectors.series(filters, metric_codes)
    labels = [_period_label(day, data["granularity"]) for day in data["points"]]
    series = [(names.get(code) if names else selectors.metric_label(code), data["values"][code])
              for code in metric_codes]
    value_label = _("Count %(period)s") % {"period": GRANULARITY[data["granularity"]]}
    return line_chart_svg(labels, series, title=title, value_label=value_label, chart_id=chart_id,
                          empty_text=_("Nothing counted in this period")), data


def _filter_text(filters: selectors.Filters, names: dict, *, with_wave=True) -> str:
    """The filters in words, for chart titles and the page."""
    parts = []
    if with_wave:
        parts.append(_("wave %(n)s") % {"n": filters.wave} if filters.wave else _("all waves"))
    if filters.province is not None:
        parts.append(_province_name(filters.province, names))
    if filters.date_from or filters.date_to:
        first = formats.date_format(filters.date_from, "j M Y") if filters.date_from else "…"
        last = formats.date_format(filters.date_to, "j M Y") if filters.date_to else "…"
        parts.append(f"{first} – {last}")
    return ", ".join(parts) or _("the whole programme")


def _province_rows(per_province: dict, columns: list[str], names: dict) -> list[dict]:
    ordered = sorted(per_province, key=lambda code: (code == "", code))
    return [{"code": code, "name": _province_name(code, names),
             "values": [_number(per_province[code].get(metric, 0), METRICS[metric].unit) for metric in columns],
             "raw": per_province[code]} for code in ordered]


def _page(request, section: str, build, *, with_wave=True):
    form = _form(request, with_wave=with_wave)
    filters = _filters(form)
    context = {"form": form, "section": section, "sections": SECTIONS, "filters": filters,
               "refreshed_at": selectors.freshness(), "csv_url": None}
    if filters is not None:
        names = selectors.province_names()
        context.update(build(filters, names))
        context["filter_text"] = _filter_text(filters, names, with_wave=with_wave)
        query = request.GET.urlencode()
        context["csv_url"] = reverse("stats_csv", args=[section]) + (f"?{query}" if query else "")
    return render(request, f"stats/{section}.html", context)


def _guard(view):
    return login_required(permission_required(PERMISSION, raise_exception=True)(require_GET(view)))


# --- the sections -----------------------------------------------------------------------------
def _funnel(filters, names):
    data = selectors.funnel(filters)
    metrics = data["metrics"]
    steps = [{"code": code, "label": METRICS[code].label, "value": data["totals"][code],
              "text": _number(data["totals"][code])} for code in metrics]
    where = _filter_text(filters, names)
    bars = bar_chart_svg([(str(step["label"]), step["value"], step["text"]) for step in steps],
                         title=_("Registration funnel (%(where)s)") % {"where": where}, value_label=_("People"),
                         chart_id="funnel-steps")
    line, _data = _series_chart(filters, FUNNEL_SERIES, title=_("Registrations over time (%(where)s)")
                                % {"where": where}, chart_id="funnel-series")
    return {"steps": steps, "columns": [METRICS[code].label for code in metrics],
            "provinces": _province_rows(data["per_province"], metrics, names), "bar_chart": bars, "line_chart": line}


@_guard
def funnel(request):
    return _page(request, "funnel", _funnel)


def _trainings(filters, names):
    data = selectors.trainings(filters)
    where = _filter_text(filters, names)
    rows = [{"label": METRICS[code].label, "text": _number(data["totals"][code], METRICS[code].unit)}
            for code in data["metrics"]]
    per_province = data["per_province"]
    bars = bar_chart_svg(
        [(_province_name(code, names), values.get("purchases", 0), _number(values.get("purchases", 0)))
         for code, values in sorted(per_province.items(), key=lambda item: (item[0] == "", item[0]))
         if values.get("purchases")],
        title=_("Purchases per province (%(where)s)") % {"where": where}, value_label=_("Purchases"),
        empty_text=_("No purchases in this period"), chart_id="trainings-provinces")
    line, _data = _series_chart(filters, TRAINING_SERIES, title=_("Trainings over time (%(where)s)")
                                % {"where": where}, chart_id="trainings-series")
    return {"rows": rows, "columns": [METRICS[code].label for code in TRAINING_PROVINCE_COLUMNS],
            "provinces": _province_rows(per_province, TRAINING_PROVINCE_COLUMNS, names), "bar_chart": bars,
            "line_chart": line}


@_guard
def trainings(request):
    return _page(request, "trainings", _trainings)


def _hours(value) -> str:
    return "-" if value is None else formats.number_format(value, 1)


def _complaints(filters, names):
    data = selectors.complaints(filters)
    where = _filter_text(filters, names, with_wave=False)
    rows, total = [], {"received": 0, "answered": 0, "answer_seconds": 0, "on_target": 0, "open": 0, "overdue": 0}
    for row in data["categories"]:
        for key in total:
            total[key] += row[key]
        rows.append({**row, "mean_text": _hours(row["mean_hours"]),
                     "median_text": _median_text(row["answered"], row["median_within"]),
                     "on_target_text": _share(row["on_target_share"])})
    total["mean_text"] = _hours(total["answer_seconds"] / total["answered"] / 3600 if total["answered"] else None)
    total["on_target_text"] = _share(total["on_target"] / total["answered"] if total["answered"] else None)
    bars = bar_chart_svg([(str(row["label"]), row["received"], _number(row["received"])) for row in rows],
                         title=_("Complaints received per category (%(where)s)") % {"where": where},
                         value_label=_("Complaints received"), chart_id="complaints-categories")
    received = [complaint_code("received", c["code"]) for c in data["categories"]]
    answered = [complaint_code("answered", c["code"]) for c in data["categories"]]
    flat = selectors.Filters(province=filters.province, date_from=filters.date_from, date_to=filters.date_to)
    series = selectors.series(flat, received + answered)
    labels = [_period_label(day, series["granularity"]) for day in series["points"]]
    lines = [(_("Received"), [sum(values) for values in zip(*(series["values"][c] for c in received), strict=True)]),
             (_("First answers"), [sum(values) for values in zip(*(series["values"][c] for c in answered),
                                                                   strict=True)])]
    line = line_chart_svg(labels, lines, title=_("Complaints over time (%(where)s)") % {"where": where},
                          value_label=_("Count %(period)s") % {"period": GRANULARITY[series["granularity"]]},
                          chart_id="complaints-series", empty_text=_("Nothing counted in this period"))
    return {"rows": rows, "total": total, "snapshot_day": data["snapshot_day"], "bar_chart": bars,
            "line_chart": line}


def _median_text(answered, hours) -> str:
    if not answered:
        return "-"
    if hours is None:
        return _("over 72 hours")
    return _("within %(n)s hours") % {"n": hours} if hours > 1 else _("within 1 hour")


def _share(value) -> str:
    return "-" if value is None else formats.number_format(value * 100, 0) + "%"


@_guard
def complaints(request):
    return _page(request, "complaints", _complaints, with_wave=False)


def _list_names(codes_seen) -> dict:
    lists = {code.removeprefix("list:") for code in codes_seen if code.startswith("list:")}
    return dict(NikList.objects.filter(code__in=lists).values_list("code", "name")) if lists else {}


def _selection(filters, names):
    data = selectors.selection(filters)
    where = _filter_text(filters, names)
    list_names = _list_names(row["code"] for row in data["reasons"])
    reasons = [{"stage": stage_label(row["stage"]), "reason": reason_label(row["code"], list_names),
                "code": row["code"], "count": row["count"], "text": _number(row["count"])} for row in data["reasons"]]
    waves = [{**row, "texts": [_number(row.get(key)) for key in ("applied", "withdrawn", "eligible", "passed")],
              "quota_text": _number(row.get("quota"))} for row in data["waves"]]
    provinces = [{**row, "name": _province_name(row["code"], names),
                  "texts": [_number(row[key]) for key in ("applied", "eligible", "passed")]}
                 for row in data["provinces"]]
    reason_chart = bar_chart_svg([(f"{row['stage']}: {row['reason']}", row["count"], row["text"]) for row in reasons],
                                 title=_("Decisions per stage and reason (%(where)s)") % {"where": where},
                                 value_label=_("Applications"), empty_text=_("No published results"),
                                 chart_id="selection-reasons")
    province_chart = bar_chart_svg([(row["name"], row["passed"], _number(row["passed"])) for row in provinces],
                                   title=_("Passed per province (%(where)s)") % {"where": where},
                                   value_label=_("Passed"), empty_text=_("No published results"),
                                   chart_id="selection-provinces")
    totals = data["totals"]
    total_texts = [_number(totals.get(key, 0)) if key != "withdrawn" or data["national_reasons"] else "-"
                   for key in ("applied", "withdrawn", "eligible", "passed")]
    return {"waves": waves, "reasons": reasons, "provinces": provinces, "national_reasons": data["national_reasons"],
            "total_texts": total_texts, "bar_chart": reason_chart, "province_chart": province_chart}


@_guard
def selection(request):
    return _page(request, "selection", _selection)


# --- CSV ----------------------------------------------------------------------------------------
def csv_cell(value):
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and (value[:1] in FORMULA_START or value.lstrip()[:1] in FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def _lines(header, rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


CSV_HEADER = ["date", "wave", "province_code", "province", "metric", "label", "value"]


def _daily_rows(filters, metric_codes, names):
    labels = {code: selectors.metric_label(code) for code in metric_codes}
    for day, province, metric, value in selectors.csv_rows(filters, metric_codes):
        yield [day.isoformat(), filters.wave or "", province, _province_name(province, names), metric,
               labels[metric], value]


def _selection_rows(filters, names):
    data = selectors.selection(filters)
    list_names = _list_names(row["code"] for row in data["reasons"])
    for row in data["waves"]:
        published = timezone.localtime(row["published_at"]).date().isoformat() if row["published_at"] else ""
        yield [row["number"], published, "wave", "", "", "", row.get("applied"), row.get("eligible"),
               row.get("passed"), row.get("quota"), ""]
    for row in data["reasons"]:
        yield [filters.wave or "", "", "reason", row["stage"], row["code"], reason_label(row["code"], list_names),
               "", "", "", "", row["count"]]
    for row in data["provinces"]:
        yield [filters.wave or "", "", "province", "", row["code"], _province_name(row["code"], names),
               row["applied"], row["eligible"], row["passed"], "", ""]


SELECTION_HEADER = ["wave", "published", "section", "stage", "code", "label", "applied", "eligible", "passed",
                    "quota", "count"]


@_guard
def export_csv(request, section):
    if section not in {name for name, _url, _label in SECTIONS}:
        raise Http404
    form = _form(request, with_wave=section != "complaints")
    filters = _filters(form)
    if filters is None:
        errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    names = selectors.province_names()
    if section == "selection":
        lines = _lines(SELECTION_HEADER, _selection_rows(filters, names))
    else:
        metric_codes = {"funnel": codes(FUNNEL), "trainings": codes(TRAININGS), "complaints": codes(COMPLAINTS)}
        if section == "complaints":
            filters = selectors.Filters(province=filters.province, date_from=filters.date_from,
                                        date_to=filters.date_to)
        lines = _lines(CSV_HEADER, _daily_rows(filters, metric_codes[section], names))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="statistik-{section}-{stamp}.csv"'
    return response

