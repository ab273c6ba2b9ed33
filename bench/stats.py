"""Statistics (issue 20, OPS-3): the operators' statistics pages over the daily counters of a national programme.

    python -m bench.stats                           # as `make bench` runs it (bench/run.py), PostgreSQL
    python -m bench.stats --engine sqlite           # the embedded default
    python -m bench.stats --repeat 10 --days 730

Each run, from nothing (PostgreSQL: database prakerja_bench_stats on 127.0.0.1:5432, dropped at
the end unless BENCH_STATS_KEEP=1; SQLite: bench/results/stats-sqlite/prakerja.sqlite3):

1. Setup, never part of a figure: migrate; 20 waves of 500,000 applications each (10 million),
   one every five weeks over ``--days`` days (two years) ending today, each open for 14 days, its
   results published with a selection report of 38 provinces and the usual reasons (what
   ``selection.selectors.run_report`` stores). Then the ``DailyCount`` rows those 10 million
   applications would leave, written straight into the table (COPY on PostgreSQL): every day x 38
   provinces and "unknown" for the funnel's six steps (about 15 million registrations), each
   wave's window for its slices; purchases, their amounts, completions, certificates (dense: 4
   million cards buying over the months after their wave), cancellations, held reports and
   decisions (sparse); complaints per category (1% of applicants: received, answers, answer
   times and buckets) and the daily snapshot of open and overdue tickets. ANALYZE (PostgreSQL:
   VACUUM ANALYZE, so the ``stats_read`` index answers alone).
2. Timing, through Django's test client as a signed-in auditor (the whole request: middleware,
   second-factor check, queries, charts, template; no network, no gunicorn): each of the four
   pages with every filter of ``MIX`` (none, a wave, a province, a month, a wave and a province,
   a date range in the first year), shuffled, ``--repeat`` times: about 50 requests a page;
   p50/p95/p99 per page and over all. The CSV exports of one month per section ``--repeat``
   times, and once the whole two years of the funnel (the largest export).

Target (issue 20): a statistics page answers within 300 ms at p95. The report goes to
bench/results/stats-<engine>-<time>.json and is printed. Knobs: BENCH_STATS=0 skips it in
bench/run.py; BENCH_STATS_REPEAT (8), BENCH_STATS_DAYS (730), BENCH_STATS_KEEP=1.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench.scratch import Scratch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
TARGET_P95_MS = 300
SEED = 20
WAVES = 20
APPLICATIONS_PER_WAVE = 500_000  # 20 x 500,000 = 10 million applications
WAVE_EVERY_DAYS = 35
WAVE_OPEN_DAYS = 14
CARD_ACTIVE_DAYS = 150  # purchases, completions and certificates of a wave's cards
PAGES = ["/backoffice/stats/", "/backoffice/stats/selection/", "/backoffice/stats/trainings/",
         "/backoffice/stats/complaints/"]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


SCRATCH = Scratch("stats")
environment, child = SCRATCH.environment, SCRATCH.child
fresh_database, drop_database = SCRATCH.fresh_database, SCRATCH.drop_database


def _setup():
    import django

    django.setup()
    from django.db import connection

    return connection


# --- step 1: the counters of 10 million applications ------------------------------------------
def _waves(today: date, days: int) -> list[dict]:
    first = today - timedelta(days=days - 1)
    return [{"number": n + 1, "opens": first + timedelta(days=20 + n * WAVE_EVERY_DAYS)} for n in range(WAVES)]


def _rows(rng: random.Random, today: date, days: int, provinces: list[str], waves: list[dict]):
    """(day, metric, wave_number, province_code, value) as 10 million applications would leave them."""
    from prakerja.complaints.categories import Category

    places = [*provinces, ""]
    weight = {code: rng.uniform(0.3, 2.5) for code in places}
    first = today - timedelta(days=days - 1)
    funnel = [("registered", 28), ("email_confirmed", 24), ("nik_verified", 20), ("phone_verified", 18),
              ("test_done", 16)]
    for offset in range(days):
        day = first + timedelta(days=offset)
        open_waves = [w for w in waves if w["opens"] <= day < w["opens"] + timedelta(days=WAVE_OPEN_DAYS)]
        busy = 3.0 if open_waves else 1.0
        for code in places:
            w = weight[code]
            for metric, base in funnel:
                value = int(rng.uniform(0.6, 1.4) * base * w * busy * (2.5 if code == "" and metric == "registered"
                                                                      else 1))
                if value:
                    yield day, metric, 0, code, value
                    for wave in open_waves:
                        yield day, metric, wave["number"], code, value
            for wave in open_waves:
                if code:
                    joined = int(APPLICATIONS_PER_WAVE / WAVE_OPEN_DAYS / 38 * w * rng.uniform(0.7, 1.3))
                    yield day, "joined", 0, code, joined
                    yield day, "joined", wave["number"], code, joined
        # Trainings: each wave's cards buy during CARD_ACTIVE_DAYS after the wave's announcement.
        active = [w for w in waves if w["opens"] + timedelta(days=WAVE_OPEN_DAYS + 7) <= day
                  < w["opens"] + timedelta(days=WAVE_OPEN_DAYS + 7 + CARD_ACTIVE_DAYS)]
        for code in provinces:
            w = weight[code]
            summed: dict[str, int] = {}
            for wave in active:
                purchases = int(200_000 / CARD_ACTIVE_DAYS / 38 * w * rng.uniform(0.5, 1.5))
                values = {"purchases": purchases, "purchase_amount": purchases * rng.choice((350_000, 700_000)),
                          "completions_reported": int(purchases * 0.8), "certificates": int(purchases * 0.75),
                          "completions_held": int(purchases * 0.05) if rng.random() < 0.5 else 0,
                          "purchases_cancelled": int(purchases * 0.02) if rng.random() < 0.2 else 0,
                          "completions_accepted": int(purchases * 0.03) if rng.random() < 0.1 else 0,
                          "completions_rejected": int(purchases * 0.01) if rng.random() < 0.1 else 0}
                for metric, value in values.items():
                    if value:
                        yield day, metric, wave["number"], code, value
                        summed[metric] = summed.get(metric, 0) + value
            for metric, value in summed.items():
                yield day, metric, 0, code, value
        # Complaints: 1% of applicants, about 140 a day, per category and province.
        for code in places:
            for category in Category.values:
                if rng.random() < 0.3:
                    received = rng.randint(1, 4)
                    yield day, f"complaints.received.{category}", 0, code, received
                    answered = rng.randint(0, received)
                    if answered:
                        yield day, f"complaints.answered.{category}", 0, code, answered
                        yield day, f"complaints.answer_seconds.{category}", 0, code, answered * rng.randint(600, 90000)
                        within = 0
                        for hours in (1, 4, 24, 72):
                            within = min(answered, within + rng.randint(0, answered))
                            if within:
                                yield day, f"complaints.within_{hours}h.{category}", 0, code, within
                        yield day, f"complaints.on_target.{category}", 0, code, max(1, answered - 1)
                if rng.random() < 0.5:
                    opened = rng.randint(1, 30)
                    yield day, f"complaints.open.{category}", 0, code, opened
                    if rng.random() < 0.4:
                        yield day, f"complaints.overdue.{category}", 0, code, rng.randint(1, opened)


def _with_all_provinces(rows):
    """The rows (day by day) and, per (day, metric, wave), their sum over the provinces under "*"."""
    current, summed = None, {}
    for row in rows:
        day, metric, wave_number, _code, value = row
        if day != current:
            yield from ((current, m, w, "*", v) for (m, w), v in summed.items())
            current, summed = day, {}
        summed[(metric, wave_number)] = summed.get((metric, wave_number), 0) + value
        yield row
    yield from ((current, m, w, "*", v) for (m, w), v in summed.items())


def _report(rng: random.Random, provinces: dict[str, str]) -> dict:
    applied = APPLICATIONS_PER_WAVE
    by_province, passed_total, eligible_total = [], 0, 0
    for code, name in provinces.items():
        share = int(applied / len(provinces) * rng.uniform(0.5, 1.5))
        eligible = int(share * 0.8)
        passed = int(eligible * 0.4)
        by_province.append({"code": code, "name": name, "applied": share, "eligible": eligible, "passed": passed,
                            "quota": None})
        passed_total += passed
        eligible_total += eligible
    reasons = [("SEL-1", "nik_unverified"), ("SEL-2", "age"), ("SEL-2", "list:asn"), ("SEL-2", "list:tni-polri"),
               ("SEL-3", "past_participant"), ("SEL-3", "revoked"), ("SEL-3", "kk_cap"), ("SEL-4", "not_drawn"),
               ("SEL-4", "drawn")]
    by_reason = [{"decided_stage": stage, "reason_code": code, "count": rng.randint(1_000, 60_000)}
                 for stage, code in reasons[:-2]]
    by_reason += [{"decided_stage": "SEL-4", "reason_code": "not_drawn", "count": eligible_total - passed_total},
                  {"decided_stage": "SEL-4", "reason_code": "drawn", "count": passed_total}]
    return {"applied": applied, "withdrawn": rng.randint(100, 5_000), "eligible": eligible_total,
            "passed": passed_total, "quota": passed_total, "national_pool": passed_total, "provincial_quotas": {},
            "by_reason": by_reason, "by_province": by_province}


def step_seed(days: int) -> dict:
    connection = _setup()
    from django.utils import timezone

    from prakerja.regions.models import Province
    from prakerja.selection.models import SelectionRun
    from prakerja.stats.metrics import WIB
    from prakerja.stats.models import DailyCount, Freshness
    from prakerja.waves.models import Wave

    rng = random.Random(SEED)
    today = timezone.localdate()
    provinces = dict(Province.objects.order_by("code").values_list("code", "name"))
    waves = _waves(today, days)
    began = time.monotonic()
    for wave in waves:
        opens = datetime.combine(wave["opens"], datetime.min.time(), tzinfo=WIB) + timedelta(hours=10)
        closes = opens + timedelta(days=WAVE_OPEN_DAYS)
        row = Wave.objects.create(number=wave["number"], opens_at=opens, closes_at=closes,
                                  announce_at=closes + timedelta(days=5), national_quota=200_000,
                                  closed_at=closes,
                                  results_published_at=min(closes + timedelta(days=5), timezone.now()))
        SelectionRun.objects.create(wave=row, status="done", finished_at=closes + timedelta(days=1),
                                    report=_report(rng, provinces))
    rows = _with_all_provinces(_rows(rng, today, days, list(provinces), waves))
    count = 0
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            copy = cursor.cursor.copy  # psycopg 3
            with copy("COPY stats_dailycount (day, metric, wave_number, province_code, value) FROM STDIN") as out:
                for day, metric, wave_number, code, value in rows:
                    buffer.write(f"{day.isoformat()}\t{metric}\t{wave_number}\t{code}\t{value}\n")
                    count += 1
                    if count % 100_000 == 0:
                        out.write(buffer.getvalue())
                        buffer = io.StringIO()
                out.write(buffer.getvalue())
    else:
        batch = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append((row[0].isoformat(), *row[1:]))
                count += 1
                if len(batch) == 50_000:
                    cursor.executemany("INSERT INTO stats_dailycount (day, metric, wave_number, province_code, value)"
                                       " VALUES (%s, %s, %s, %s, %s)", batch)
                    batch = []
            if batch:
                cursor.executemany("INSERT INTO stats_dailycount (day, metric, wave_number, province_code, value)"
                                   " VALUES (%s, %s, %s, %s, %s)", batch)
    Freshness.objects.update_or_create(pk=1, defaults={"refreshed_at": timezone.now(), "first_day": today,
                                                       "last_day": today})
    loaded = time.monotonic() - began
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    size = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('stats_dailycount')")
            size = round(cursor.fetchone()[0] / 2**20, 1)
    return {"rows": count, "check_rows": DailyCount.objects.count(), "waves": len(waves),
            "applications_represented": WAVES * APPLICATIONS_PER_WAVE, "load_s": round(loaded, 1),
            "analyze_s": round(time.monotonic() - began, 1), "table_and_indexes_mib": size}


# --- step 2: the pages --------------------------------------------------------------------------
def _percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(1000 * ordered[-1], 2)}


def _mix(today: date, days: int) -> list[tuple[str, dict]]:
    first = today - timedelta(days=days - 1)
    month = {"date_from": str(today - timedelta(days=30)), "date_to": str(today)}
    return [
        ("none", {}),
        ("wave", {"wave": "12"}),
        ("province", {"province": "32"}),
        ("month", month),
        ("wave_province", {"wave": "18", "province": "35"}),
        ("first_year", {"date_from": str(first), "date_to": str(first + timedelta(days=364))}),
    ]


def step_time(repeat: int, days: int) -> dict:
    _setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from prakerja.accounts.services import operator_create

    setup_test_environment()  # the test client's template signals; the settings stay production's
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    auditor = operator_create(actor="system", email="bench-auditor@prakerja.test", full_name="Bench Auditor",
                              roles=["auditor"], password="Bench-Sandi-2026")
    client = Client()
    client.force_login(auditor)
    session = client.session  # past the second factor, as StaffSecondFactorMiddleware reads it
    session["account_authentication_methods"] = [{"method": "mfa", "at": 0}]
    session["account_authentication_methods_user"] = str(auditor.pk)
    session.save()
    today = timezone.localdate()
    mix = _mix(today, days)

    def get(path: str, params: dict) -> float:
        began = time.perf_counter()
        response = client.get(path + ("?" + urlencode(params) if params else ""))
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        elapsed = time.perf_counter() - began
        if response.status_code != 200 or not size:
            raise RuntimeError(f"{path} {params}: {response.status_code}")
        return elapsed

    for path in PAGES:  # warm-up: imports, templates, connections
        for _label, params in mix:
            get(path, params)
    rng = random.Random(SEED)
    runs = [(path, label, params) for path in PAGES for label, params in mix for _ in range(repeat)]
    rng.shuffle(runs)
    by_page: dict[str, list[float]] = {}
    by_filter: dict[str, list[float]] = {}
    for path, label, params in runs:
        elapsed = get(path, params)
        by_page.setdefault(path, []).append(elapsed)
        by_filter.setdefault(f"{path} {label}", []).append(elapsed)
    every = [x for values in by_page.values() for x in values]
    month = dict(mix)["month"]
    csv_runs = {}
    for section in ("funnel", "selection", "trainings", "complaints"):
        path = f"/backoffice/stats/{section}.csv"
        csv_runs[f"{section}_month"] = _percentiles([get(path, month) for _ in range(repeat)])
    began = time.perf_counter()
    get("/backoffice/stats/funnel.csv", {})
    csv_runs["funnel_everything_once_ms"] = round(1000 * (time.perf_counter() - began), 1)
    return {"pages": _percentiles(every), "by_page": {path: _percentiles(v) for path, v in by_page.items()},
            "by_filter_p95_ms": {label: _percentiles(v)["p95_ms"] for label, v in by_filter.items()},
            "csv": csv_runs}


# --- the run --------------------------------------------------------------------------------------
def main(engine: str, repeat: int, days: int) -> dict:
    print(f"stats bench ({engine}): {WAVES} waves x {APPLICATIONS_PER_WAVE:,} applications over {days} days",
          flush=True)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": {"cpus": os.cpu_count()},
              "setup": {"engine": engine, "repeat": repeat, "days": days}, "target_p95_ms": TARGET_P95_MS}
    try:
        report["migrate_s"] = fresh_database(engine)
        report["seed"] = seed = child(engine, "seed", str(days))
        print(f"  {seed['rows']:,} daily counters in {seed['load_s']} s (analyze {seed['analyze_s']} s, "
              f"{seed['table_and_indexes_mib']} MiB)", flush=True)
        report["timing"] = timing = child(engine, "time", str(repeat), str(days))
        pages = timing["pages"]
        print(f"  pages: p50 {pages['p50_ms']} ms, p95 {pages['p95_ms']} ms, p99 {pages['p99_ms']} ms "
              f"({pages['n']} requests)", flush=True)
        for path, figures in timing["by_page"].items():
            print(f"    {path}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms", flush=True)
        for name, figures in timing["csv"].items():
            print(f"  csv {name}: {figures}", flush=True)
    finally:
        drop_database(engine)
    report["met"] = {"pages_p95": report["timing"]["pages"]["p95_ms"] <= TARGET_P95_MS}
    return report


def run_all() -> dict:
    return main("postgres", env_int("BENCH_STATS_REPEAT", 8), env_int("BENCH_STATS_DAYS", 730))


def cli() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        steps = {"seed": lambda: step_seed(int(sys.argv[3])),
                 "time": lambda: step_time(int(sys.argv[3]), int(sys.argv[4]))}
        print(json.dumps(steps[sys.argv[2]](), default=str))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_STATS_REPEAT", 8))
    parser.add_argument("--days", type=int, default=env_int("BENCH_STATS_DAYS", 730))
    options = parser.parse_args()
    report = main(options.engine, options.repeat, options.days)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"stats-{options.engine}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report["timing"], indent=2))
    print(f"met: {report['met']}")
    print(f"report: {path}")


if __name__ == "__main__":
    cli()
