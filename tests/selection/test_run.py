"""Issue 16: the selection run (SEL-1..5) with crafted data, on SQLite and PostgreSQL."""

import itertools
import subprocess  # nosec B404 - the published script, run as a citizen would
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.audit.models import AuditEntry
from prakerja.programme.models import Programme
from prakerja.regions.models import Province, Regency
from prakerja.registry.crypto import blind_index, encrypt
from prakerja.registry.models import Profile
from prakerja.selection import selectors, services
from prakerja.selection.models import ImportStatus, NikList, NikListEntry, NikListVersion, RunStatus, SelectionRun
from prakerja.selection.sql import draw_key
from prakerja.waves.models import Application, ConsentVersion, ProvinceQuota, Wave

pytestmark = pytest.mark.django_db(transaction=True)
_counter = itertools.count(1)
BANDUNG, SURABAYA = "3273", "3578"  # Jawa Barat (32), Jawa Timur (35)


@pytest.fixture
def wave(make_wave):
    w = make_wave(number=40, opens=-5, closes=-1, announce=2, quota=1000)
    Wave.objects.filter(pk=w.pk).update(closed_at=timezone.now())
    w.refresh_from_db()
    return w


def person(*, wave=None, born=date(1995, 6, 15), identity="verified", nik=None, kk=None, regency=BANDUNG,
           employment="job_seeker", status="processing"):
    n = next(_counter)
    user = User.objects.create_user(email=f"p{n}@example.id", password="x", full_name=f"Peserta {n}")
    nik = nik or f"3273{n:012d}"
    Profile.objects.create(
        user=user, domicile_regency=Regency.objects.get(code=regency), completed_at=timezone.now(),
        identity_status=identity, nik_index=blind_index("nik", nik), kk_index=blind_index("kk", kk) if kk else "",
        birth_date_encrypted=encrypt(born.isoformat()) if born else "", birth_year=born and born.year,
        birth_month=born and born.month, employment_status=employment)
    if wave is None:
        return user
    return Application.objects.create(wave=wave, user=user, province=Regency.objects.get(code=regency).province,
                                      consent=ConsentVersion.objects.first(), status=status)


def run(wave):
    return services.selection_run_wave(actor=None, wave=wave)


def decided(application):
    application.refresh_from_db()
    return application.status, application.decided_stage, application.reason_code


def test_each_stage_decides_with_its_reason(wave):
    ok = person(wave=wave)
    pending = person(wave=wave, identity="pending")
    young = person(wave=wave, born=date(2015, 1, 1))
    asn_nik = "3273019999990001"
    civil_servant = person(wave=wave, nik=asn_nik)
    version = NikListVersion.objects.create(nik_list=NikList.objects.get(code="asn"), number=1,
                                            source_agency="BKN", source_date=date(2026, 1, 1),
                                            status=ImportStatus.READY, is_current=True)
    NikListEntry.objects.create(version=version, nik_index=blind_index("nik", asn_nik))
    earlier = Wave.objects.create(number=39, opens_at=wave.opens_at - timedelta(days=60),
                                  closes_at=wave.closes_at - timedelta(days=60),
                                  announce_at=wave.announce_at - timedelta(days=60), national_quota=10)
    past = person(wave=wave)
    Application.objects.create(wave=earlier, user=past.user, province=past.province, consent=past.consent,
                               status="passed")
    result = run(wave)
    assert result.status == RunStatus.DONE
    assert decided(ok) == ("passed", "SEL-4", "drawn")
    assert decided(pending) == ("failed", "SEL-1", "nik_unverified")
    pending.refresh_from_db()
    assert pending.status_reason == "NIK tidak terverifikasi"
    assert decided(young) == ("failed", "SEL-2", "age")
    assert decided(civil_servant) == ("failed", "SEL-2", "list:asn")
    assert decided(past) == ("failed", "SEL-3", "past_participant")
    assert result.report["passed"] == 1 and result.report["eligible"] == 1 and result.report["applied"] == 5


def test_age_on_the_closing_day_to_the_day(wave):
    closing = wave.closes_at.astimezone(services.WIB).date()
    eighteen_today = person(wave=wave, born=services._years_before(closing, 18))
    eighteen_tomorrow = person(wave=wave, born=services._years_before(closing, 18) + timedelta(days=1))
    run(wave)
    assert decided(eighteen_today)[0] == "passed"
    assert decided(eighteen_tomorrow) == ("failed", "SEL-2", "age")


def test_the_normal_preset_has_an_upper_age(wave):
    Programme.objects.update(is_active=False)
    Programme.objects.filter(preset="normal").update(is_active=True)
    closing = wave.closes_at.astimezone(services.WIB).date()
    sixty_four = person(wave=wave, born=services._years_before(closing, 65) + timedelta(days=1))
    sixty_five = person(wave=wave, born=services._years_before(closing, 65))
    old = person(wave=wave, born=date(1940, 1, 1))
    run(wave)
    assert decided(sixty_four)[0] == "passed"
    assert decided(sixty_five)[2] == "age" and decided(old)[2] == "age"


def _list(code, *niks):
    version = NikListVersion.objects.create(nik_list=NikList.objects.get(code=code), number=1, source_agency="x",
                                            source_date=date(2026, 1, 1), status=ImportStatus.READY, is_current=True)
    NikListEntry.objects.bulk_create([NikListEntry(version=version, nik_index=blind_index("nik", n)) for n in niks])


def test_social_assistance_lists_only_where_the_programme_excludes_them(wave, make_wave):
    _list("pkh", "3273010000000777")
    receiver = person(wave=wave, nik="3273010000000777")
    run(wave)
    assert decided(receiver)[2] == "list:pkh"  # semi-bansos, the default preset
    Programme.objects.update(is_active=False)
    Programme.objects.filter(preset="normal").update(is_active=True)
    later = make_wave(number=41, opens=-3, closes=-1, announce=2, quota=10)
    Wave.objects.filter(pk=later.pk).update(closed_at=timezone.now())
    later.refresh_from_db()
    again = person(wave=later, nik="3273010000000778")
    _list_add("pkh", "3273010000000778")
    run(later)
    assert decided(again)[0] == "passed"


def _list_add(code, nik):
    version = NikListVersion.objects.get(nik_list__code=code, is_current=True)
    NikListEntry.objects.create(version=version, nik_index=blind_index("nik", nik))


def test_exactly_the_quota_passes_and_all_pass_under_it(wave):
    Wave.objects.filter(pk=wave.pk).update(national_quota=7)
    wave.refresh_from_db()
    applications = [person(wave=wave) for _ in range(20)]
    report = run(wave).report
    assert report["passed"] == 7 and report["eligible"] == 20
    assert Application.objects.filter(wave=wave, status="passed").count() == 7
    losers = Application.objects.filter(wave=wave, status="failed")
    assert set(losers.values_list("reason_code", flat=True)) == {"not_drawn"}
    # The winners are the seven lowest keys of SHA-256("<seed>:<pseudonym>").
    seed = services._seed_of(wave)
    for a in applications:
        a.refresh_from_db()
    expected = sorted(applications, key=lambda a: draw_key(seed, a.pseudonym))[:7]
    assert {a.pk for a in expected} == set(Application.objects.filter(wave=wave, status="passed")
                                           .values_list("pk", flat=True))


def test_quota_larger_than_the_eligible_and_zero_eligible(wave, make_wave):
    few = [person(wave=wave) for _ in range(3)]
    assert run(wave).report["passed"] == 3
    assert all(decided(a)[0] == "passed" for a in few)
    empty = make_wave(number=42, opens=-3, closes=-1, announce=2, quota=10)
    Wave.objects.filter(pk=empty.pk).update(closed_at=timezone.now())
    empty.refresh_from_db()
    person(wave=empty, identity="rejected")
    report = run(empty).report
    assert report["passed"] == 0 and report["eligible"] == 0 and report["applied"] == 1


def test_provincial_quotas_are_pools_of_their_own(wave):
    Wave.objects.filter(pk=wave.pk).update(national_quota=5)
    ProvinceQuota.objects.create(wave=wave, province=Province.objects.get(code="32"), quota=2)
    west = [person(wave=wave, regency=BANDUNG) for _ in range(6)]
    east = [person(wave=wave, regency=SURABAYA) for _ in range(6)]
    wave.refresh_from_db()
    report = run(wave).report
    assert sum(decided(a)[0] == "passed" for a in west) == 2
    assert sum(decided(a)[0] == "passed" for a in east) == 3  # the national pool: 5 - 2
    assert report["passed"] == 5 and report["national_pool"] == 3


def test_priority_is_drawn_first(wave):
    Wave.objects.filter(pk=wave.pk).update(national_quota=3)
    wave.refresh_from_db()
    laid_off = [person(wave=wave, employment="laid_off") for _ in range(2)]
    _list("phk-kemnaker", "3273010000000555")
    listed = person(wave=wave, nik="3273010000000555")
    others = [person(wave=wave) for _ in range(10)]
    run(wave)
    assert all(decided(a)[0] == "passed" for a in [*laid_off, listed])
    assert not any(decided(a)[0] == "passed" for a in others)


def test_the_family_card_cap_within_and_across_waves(wave):
    family = [person(wave=wave, kk="3273010101010001") for _ in range(3)]
    cousins = [person(wave=wave, kk="3273010101010002") for _ in range(2)]
    earlier = Wave.objects.create(number=30, opens_at=wave.opens_at - timedelta(days=90),
                                  closes_at=wave.closes_at - timedelta(days=90),
                                  announce_at=wave.announce_at - timedelta(days=90), national_quota=10)
    before = person(kk="3273010101010002")
    Application.objects.create(wave=earlier, user=before, province=cousins[0].province, consent=cousins[0].consent,
                               status="passed")
    # A family of three where the member with the highest key is drawn first (laid off): the next highest goes.
    drawn_first = [person(wave=wave, kk="3273010101010003") for _ in range(3)]
    seed = services._seed_of(wave)

    def by_key(applications):
        return sorted(applications, key=lambda a: draw_key(seed, a.pseudonym))

    Profile.objects.filter(user=by_key(drawn_first)[-1].user).update(employment_status="laid_off")
    run(wave)
    assert sum(decided(a)[0] == "passed" for a in family) == 2  # the cap is 2 per KK
    # The lowest (priority, key) go on to the draw: the highest key is the one out.
    assert [decided(a)[2] for a in by_key(family)] == ["drawn", "drawn", "kk_cap"]
    assert [decided(a)[2] for a in by_key(cousins)] == ["drawn", "kk_cap"]  # one place left after the earlier wave
    assert [decided(a)[2] for a in by_key(drawn_first)] == ["drawn", "kk_cap", "drawn"]


def test_same_seed_same_result_another_seed_another(wave, make_wave):
    Wave.objects.filter(pk=wave.pk).update(national_quota=10)
    wave.refresh_from_db()
    for _ in range(40):
        person(wave=wave)
    run(wave)
    first = set(Application.objects.filter(wave=wave, status="passed").values_list("pk", flat=True))
    # Running it again changes nothing.
    run(wave)
    assert set(Application.objects.filter(wave=wave, status="passed").values_list("pk", flat=True)) == first
    # The same applications drawn again from scratch with the same seed agree; another seed does not.
    Application.objects.filter(wave=wave).update(status="processing", decided_stage="", reason_code="",
                                                 draw_key="", priority=None)
    SelectionRun.objects.filter(wave=wave).delete()
    run(wave)
    assert set(Application.objects.filter(wave=wave, status="passed").values_list("pk", flat=True)) == first
    Application.objects.filter(wave=wave).update(status="processing", decided_stage="", reason_code="",
                                                 draw_key="", priority=None)
    SelectionRun.objects.filter(wave=wave).delete()
    Wave.objects.filter(pk=wave.pk).update(seed_encrypted="")
    wave.refresh_from_db()
    wave.save()  # a new seed
    run(wave)
    assert set(Application.objects.filter(wave=wave, status="passed").values_list("pk", flat=True)) != first


def test_a_run_killed_half_way_resumes(wave, monkeypatch):
    Wave.objects.filter(pk=wave.pk).update(national_quota=4)
    wave.refresh_from_db()
    people = [person(wave=wave) for _ in range(12)]
    person(wave=wave, identity="pending")

    def crash(**kwargs):
        raise RuntimeError("killed")

    monkeypatch.setitem(services._STAGE_FUNCTIONS, "SEL-3", crash)
    with pytest.raises(RuntimeError):
        run(wave)
    stopped = SelectionRun.objects.get(wave=wave)
    assert stopped.status == RunStatus.FAILED and stopped.stages_done == ["start", "SEL-1", "SEL-2"]
    assert Application.objects.filter(wave=wave, status="passed").count() == 0
    monkeypatch.undo()
    finished = run(wave)
    assert finished.status == RunStatus.DONE and finished.stages_done == services.STAGES
    assert finished.report["passed"] == 4 and finished.report["applied"] == 13
    seed = services._seed_of(wave)
    for a in people:
        a.refresh_from_db()
    expected = {a.pk for a in sorted(people, key=lambda a: draw_key(seed, a.pseudonym))[:4]}
    assert expected == set(Application.objects.filter(wave=wave, status="passed").values_list("pk", flat=True))


def test_a_run_cannot_start_twice_at_once(wave):
    person(wave=wave)
    services.selection_start(actor=None, wave=wave)  # holds the lease
    with pytest.raises(services.SelectionRefused) as refused:
        services.selection_start(actor=None, wave=wave)
    assert refused.value.code == "running"
    # A lease that ran out (a crashed worker) can be taken over.
    SelectionRun.objects.filter(wave=wave).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert services.selection_run(run=services.selection_start(actor=None, wave=wave)).status == RunStatus.DONE


def test_an_open_wave_is_not_selected(make_wave):
    open_wave = make_wave(number=43)
    with pytest.raises(services.SelectionRefused) as refused:
        services.selection_start(actor=None, wave=open_wave)
    assert refused.value.code == "wave_open"


def test_the_seed_is_revealed_only_after_the_run(wave):
    person(wave=wave)
    with pytest.raises(services.SelectionRefused) as refused:
        services.seed_reveal(actor=None, wave=wave)
    assert refused.value.code == "seed_before_run"
    assert str(refused.value.message) == "Benih (seed) hanya dibuka setelah seleksi selesai dijalankan."
    run(wave)
    revealed = services.seed_reveal(actor=None, wave=wave)
    import hashlib

    assert hashlib.sha256(revealed.seed.encode()).hexdigest() == wave.seed_commitment


def test_the_published_draw_holds_no_personal_data_and_verifies(wave, tmp_path):
    Wave.objects.filter(pk=wave.pk).update(national_quota=3)
    wave.refresh_from_db()
    people = [person(wave=wave) for _ in range(8)]
    for n, a in enumerate(people):
        Profile.objects.filter(user=a.user).update(phone=f"+62812345{n:05d}")
    run(wave)
    services.seed_reveal(actor=None, wave=wave)
    rows = list(selectors.draw_rows(wave=wave))
    text = "\n".join(",".join(map(str, r)) for r in rows)
    for a in people:
        a.refresh_from_db()
        user, profile = a.user, a.user.profile
        for secret in (user.email, user.full_name, profile.nik_index, str(a.public_id), profile.phone,
                       profile.phone[3:]):
            assert secret not in text
    # Nothing else than these six columns (a province code or quota may equal some account's number).
    assert all(len(row) == len(selectors.DRAW_COLUMNS) for row in rows)
    assert len(rows) == 8 and sum(r[5] == "passed" for r in rows) == 3
    out = tmp_path / "draw.csv"
    call_command("verify_draw", str(wave.number), "--write", str(out))
    assert out.read_text().splitlines()[0] == ",".join(selectors.DRAW_COLUMNS)
    assert "812345" not in out.read_text()  # the phones set below
    # The standalone script (standard library only) on the file the platform itself published.
    wave.refresh_from_db()
    script = Path(__file__).resolve().parents[2] / "docs" / "verify_draw.py"
    checked = subprocess.run([sys.executable, str(script), "--seed", services._seed_of(wave), "--commitment",
                              wave.seed_commitment, str(out)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "MATCH" in checked.stdout, checked.stdout + checked.stderr


def test_verify_draw_names_the_first_difference(wave):
    Wave.objects.filter(pk=wave.pk).update(national_quota=1)
    wave.refresh_from_db()
    first, second = person(wave=wave), person(wave=wave)
    run(wave)
    services.seed_reveal(actor=None, wave=wave)
    call_command("verify_draw", str(wave.number), stdout=StringIO())  # a match first
    # Swap the outcome as a tampered record would: the command names the line and the pseudonym.
    for application in (first, second):
        application.refresh_from_db()
    winner, loser = (first, second) if first.status == "passed" else (second, first)
    Application.objects.filter(pk=winner.pk).update(status="failed")
    Application.objects.filter(pk=loser.pk).update(status="passed")
    with pytest.raises(CommandError, match=r"DIFFERENCE at line [23]: pseudonym \S+ published"):
        call_command("verify_draw", str(wave.number), stdout=StringIO())


def test_the_start_writes_no_application_and_every_row_in_play_is_decided_once_with_its_key(wave, monkeypatch):
    """SEL-5: starting records the wave, not each row; a late join, a row a run from before the change left as
    selecting and the processing ones are all decided, each with its draw key; a withdrawn row is left alone."""
    from prakerja.waves.selectors import history

    Wave.objects.filter(pk=wave.pk).update(national_quota=2)
    wave.refresh_from_db()
    rows = [person(wave=wave), person(wave=wave), person(wave=wave, identity="pending"),
            person(wave=wave, status="joined"), person(wave=wave, status="selecting")]
    withdrawn = person(wave=wave, status="withdrawn")

    def crash(**kwargs):
        raise RuntimeError("killed")

    monkeypatch.setitem(services._STAGE_FUNCTIONS, "SEL-1", crash)
    with pytest.raises(RuntimeError):
        run(wave)
    assert SelectionRun.objects.get(wave=wave).stages_done == ["start"]
    wave.refresh_from_db()
    assert wave.selection_started_at is not None
    assert sorted(Application.objects.filter(wave=wave).values_list("status", "draw_key")) == sorted(
        [("processing", "")] * 3 + [("joined", ""), ("selecting", ""), ("withdrawn", "")])
    assert [row.status for row in history(user=rows[0].user)] == ["selecting"]  # WAV-3, as the person reads it
    monkeypatch.undo()
    assert run(wave).status == RunStatus.DONE
    seed = services._seed_of(wave)
    for application in rows:
        application.refresh_from_db()
        assert application.status in ("passed", "failed") and application.decided_stage
        assert application.draw_key == draw_key(seed, application.pseudonym)
    assert decided(rows[2]) == ("failed", "SEL-1", "nik_unverified")
    assert sum(a.status == "passed" for a in rows) == 2
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.decided_stage, withdrawn.draw_key) == ("withdrawn", "", "")


def test_an_operators_run_is_started_in_their_name(wave, operator):
    person(wave=wave)
    services.selection_run_wave(actor=operator, wave=wave)
    event = AuditEntry.objects.get(action="selection.start")
    assert event.actor_id == operator.pk


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_each_stage_runs_with_its_memory_and_without_jit(wave, monkeypatch):
    """The stages' sorts and hashes fit in memory and their statements are not JIT-compiled (bench/selection.py)."""
    from django.db import connection

    seen = {}
    real = services._STAGE_FUNCTIONS["SEL-4"]

    def draw(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            seen["work_mem"] = cursor.fetchone()[0]
            cursor.execute("SHOW jit")
            seen["jit"] = cursor.fetchone()[0]
        return real(**kwargs)

    monkeypatch.setitem(services._STAGE_FUNCTIONS, "SEL-4", draw)
    person(wave=wave)
    run(wave)
    assert seen == {"work_mem": services.STAGE_WORK_MEM, "jit": "off"}


def test_the_run_keeps_its_lease_records_its_timings_and_is_audited_when_done(wave, monkeypatch):
    """While it works, the run's lease stays ahead of the clock (no second worker takes it over between
    stages); each stage's time is recorded; the end is audited with the counts."""
    leases = []
    real = services._STAGE_FUNCTIONS["SEL-4"]

    def draw(**kwargs):
        leases.append(SelectionRun.objects.get(wave=wave).lease_until)  # as SEL-3 left it
        return real(**kwargs)

    monkeypatch.setitem(services._STAGE_FUNCTIONS, "SEL-4", draw)
    person(wave=wave), person(wave=wave, identity="pending")
    began = timezone.now()
    done = run(wave)
    assert leases[0] is not None and leases[0] > began
    assert set(done.timings) == set(services.STAGES)
    assert all(0 <= seconds < 600 for seconds in done.timings.values()), done.timings
    event = AuditEntry.objects.get(action="selection.done")
    assert (event.target_type, event.target_id) == ("waves.wave", str(wave.public_id))
    assert event.data == {"passed": 1, "eligible": 1, "applied": 2}


def test_a_start_that_read_the_run_before_another_worker_finished_it_leaves_it_done(wave, monkeypatch):
    """The race CI found: a second start reads the run while the first still holds it, the first finishes
    (done, lease let go), then the second claims it: it must not reopen a finished run as running."""
    Wave.objects.filter(pk=wave.pk).update(national_quota=1)
    wave.refresh_from_db()
    person(wave=wave)
    finished = run(wave)
    assert finished.status == RunStatus.DONE
    stale = SelectionRun.objects.get(pk=finished.pk)
    stale.status = RunStatus.RUNNING  # as the second start read it, before the first finished
    monkeypatch.setattr(SelectionRun.objects, "get_or_create", lambda **kwargs: (stale, False))
    again = services.selection_start(actor=None, wave=wave)
    assert again.status == RunStatus.DONE
    assert SelectionRun.objects.get(pk=finished.pk).status == RunStatus.DONE
