"""docs/verify_draw.py: anyone can recompute a wave's draw (SEL-4) from the published seed and CSV.

The expected results here come from a deliberately naive implementation of the published rule
(`_draw` below: sort each pool by priority, then SHA-256 of "<seed>:<pseudonym>"), never from the
script itself, so a script that drifts from the rule fails these tests.
"""

import hashlib
import importlib.util
import random
import subprocess
import sys
from pathlib import Path

import pytest

from prakerja.selection.sql import draw_key as platform_draw_key

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_draw.py"
SEED = hashlib.sha256(b"test seed for the verify script").hexdigest()
HEADER = "pseudonym,province,pool,pool_quota,priority,result"


def _load():
    spec = importlib.util.spec_from_file_location("verify_draw", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["verify_draw"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


vd = _load()


def _key(seed, pseudonym):
    return hashlib.sha256(f"{seed}:{pseudonym}".encode()).hexdigest()


def _pseudonym(n):
    return hashlib.sha256(f"applicant-{n}".encode()).hexdigest()[:16]


def _draw(seed, apps):
    """The published rule, naively: apps are dicts (pseudonym, province, pool, quota, priority)."""
    by_pool = {}
    for app in apps:
        by_pool.setdefault(app["pool"], []).append(app)
    passed = set()
    for members in by_pool.values():
        members = sorted(members, key=lambda a: (-a["priority"], _key(seed, a["pseudonym"])))
        passed.update(a["pseudonym"] for a in members[: members[0]["quota"]])
    return [dict(app, result="passed" if app["pseudonym"] in passed else "not_drawn") for app in apps]


def _apps(pools, start=0, priority_every=0):
    """pools: {pool: (province, quota, count)} -> application dicts in a shuffled, deterministic order."""
    apps, n = [], start
    for pool, (province, quota, count) in pools.items():
        for _ in range(count):
            priority = 1 if priority_every and n % priority_every == 0 else 0
            apps.append(dict(pseudonym=_pseudonym(n), province=province, pool=pool, quota=quota, priority=priority))
            n += 1
    random.Random(7).shuffle(apps)
    return apps


def _csv(apps):
    lines = [HEADER]
    for a in apps:
        lines.append(f"{a['pseudonym']},{a['province']},{a['pool']},{a['quota']},{a['priority']},{a['result']}")
    return "\n".join(lines) + "\n"


def _run(tmp_path, text, *extra, seed=SEED):
    path = tmp_path / "draw.csv"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--seed", seed, *extra, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _flip(app):
    return dict(app, result="not_drawn" if app["result"] == "passed" else "passed")


POOLS = {"32": ("32", 7, 20), "35": ("35", 5, 12), "national": ("11", 4, 9)}


@pytest.fixture
def drawn():
    return _draw(SEED, _apps(POOLS, priority_every=6))


# --- the rule itself ---------------------------------------------------------------------------


def test_draw_key_is_the_documented_hash_and_the_platforms():
    pseudonym = "0123456789abcdef"
    expected = hashlib.sha256(f"{SEED}:{pseudonym}".encode()).hexdigest()
    assert vd.draw_key(SEED, pseudonym) == expected
    assert platform_draw_key(SEED, pseudonym) == expected


def test_a_correct_file_matches(tmp_path, drawn):
    code, out = _run(tmp_path, _csv(drawn))
    assert code == 0, out
    assert out.strip() == "MATCH: 41 applications in 3 pools, 16 passed"


def test_a_correct_file_matches_with_the_right_commitment(tmp_path, drawn):
    commitment = hashlib.sha256(SEED.encode()).hexdigest()
    code, out = _run(tmp_path, _csv(drawn), "--commitment", commitment)
    assert code == 0, out
    assert "MATCH: 41 applications in 3 pools, 16 passed" in out


def test_a_wrong_commitment_stops_before_comparing(tmp_path, drawn):
    wrong = hashlib.sha256(b"another seed").hexdigest()
    code, out = _run(tmp_path, _csv(drawn), "--commitment", wrong)
    assert code == 1
    assert "COMMITMENT MISMATCH" in out
    assert "MATCH:" not in out.replace("COMMITMENT MISMATCH", "")


@pytest.mark.parametrize("target", ["passed", "not_drawn"])
def test_one_flipped_result_is_reported_at_its_line(tmp_path, drawn, target):
    index = next(i for i, a in enumerate(drawn) if a["pool"] == "32" and a["result"] != target)
    drawn[index] = _flip(drawn[index])
    code, out = _run(tmp_path, _csv(drawn))
    assert code == 1, out
    line = index + 2  # the header is line 1
    original = "not_drawn" if target == "passed" else "passed"
    pseudonym = drawn[index]["pseudonym"]
    assert out.startswith(f"DIFFERENCE at line {line}: pseudonym {pseudonym} published {target}, recomputed {original}")
    members = sorted(
        (a for a in drawn if a["pool"] == "32"), key=lambda a: (-a["priority"], _key(SEED, a["pseudonym"]))
    )
    rank = 1 + [a["pseudonym"] for a in members].index(pseudonym)
    assert f"(pool 32, rank {rank} of quota 7)" in out


def test_the_first_difference_in_file_order_is_reported(tmp_path, drawn):
    pool = [i for i, a in enumerate(drawn) if a["pool"] == "35"]
    winner = next(i for i in pool if drawn[i]["result"] == "passed")
    loser = next(i for i in reversed(pool) if drawn[i]["result"] == "not_drawn")
    drawn[winner], drawn[loser] = _flip(drawn[winner]), _flip(drawn[loser])  # counts still add up
    code, out = _run(tmp_path, _csv(drawn))
    assert code == 1
    assert out.startswith(f"DIFFERENCE at line {min(winner, loser) + 2}:"), out


def test_priority_rows_are_drawn_first():
    # Three priority applicants whose keys are the largest of the pool, quota 3: they all pass.
    apps = _apps({"32": ("32", 3, 12)})
    by_key = sorted(apps, key=lambda a: _key(SEED, a["pseudonym"]))
    for a in by_key[-3:]:
        a["priority"] = 1
    rows = _rows(_draw(SEED, apps))
    assert {r.pseudonym for r in rows if r.passed} == {a["pseudonym"] for a in by_key[-3:]}
    assert vd.verify(SEED, rows).match
    # Published as if priority did not count: the script objects.
    by_key_only = _rows([dict(a, result="passed" if a in by_key[:3] else "not_drawn") for a in apps])
    result = vd.verify(SEED, by_key_only)
    assert not result.match
    assert result.difference.recomputed_passed != result.difference.published_passed


def test_more_priority_rows_than_places_are_ordered_by_key_among_themselves():
    apps = _apps({"32": ("32", 2, 8)})
    priority = sorted(apps, key=lambda a: _key(SEED, a["pseudonym"]))[-5:]  # the five largest keys
    for a in priority:
        a["priority"] = 1
    drawn = _draw(SEED, apps)
    passed = {a["pseudonym"] for a in drawn if a["result"] == "passed"}
    assert passed == {a["pseudonym"] for a in priority[:2]}
    assert vd.verify(SEED, _rows(drawn)).match


def test_pools_are_drawn_independently():
    # Pool 32 holds the 5 smallest keys of all 20 applicants, so one draw over both pools differs.
    apps = sorted(_apps({"32": ("32", 3, 10), "national": ("11", 3, 10)}), key=lambda a: _key(SEED, a["pseudonym"]))
    for i, a in enumerate(apps):
        in_32 = i < 5 or 10 <= i < 15
        a.update(province="32" if in_32 else "11", pool="32" if in_32 else "national")
    random.Random(3).shuffle(apps)
    drawn = _draw(SEED, apps)
    assert vd.verify(SEED, _rows(drawn)).match
    # One draw over both pools (the best 6 keys overall) is a different, wrong result.
    best = {a["pseudonym"] for a in sorted(apps, key=lambda a: _key(SEED, a["pseudonym"]))[:6]}
    merged = [dict(a, result="passed" if a["pseudonym"] in best else "not_drawn") for a in apps]
    assert merged != drawn  # the fixture really distinguishes the two
    assert not vd.verify(SEED, _rows(merged)).match


def test_a_pool_with_fewer_rows_than_places_all_pass(tmp_path):
    apps = _apps({"32": ("32", 10, 4), "35": ("35", 2, 5)})
    drawn = _draw(SEED, apps)
    assert all(a["result"] == "passed" for a in drawn if a["pool"] == "32")
    code, out = _run(tmp_path, _csv(drawn))
    assert code == 0, out
    assert out.strip() == "MATCH: 9 applications in 2 pools, 6 passed"
    index = next(i for i, a in enumerate(drawn) if a["pool"] == "32")
    drawn[index] = _flip(drawn[index])
    code, out = _run(tmp_path, _csv(drawn))
    assert code == 1
    assert out.startswith(f"DIFFERENCE at line {index + 2}:")
    assert "published not_drawn, recomputed passed" in out
    assert "of quota 10)" in out


def test_a_pool_with_no_places_passes_nobody():
    drawn = _draw(SEED, _apps({"32": ("32", 0, 3)}))
    assert all(a["result"] == "not_drawn" for a in drawn)
    result = vd.verify(SEED, _rows(drawn))
    assert result.match and result.passed == 0
    drawn[1] = _flip(drawn[1])
    assert vd.verify(SEED, _rows(drawn)).difference.line == 3


def test_many_random_flips_report_the_earliest():
    rng = random.Random(20260)
    pools = {f"{p:02d}": (f"{p:02d}", rng.randint(1, 80), rng.randint(1, 200)) for p in range(11, 21)}
    pools["national"] = ("31", 150, 600)
    drawn = _draw(SEED, _apps(pools, priority_every=9))
    assert vd.verify(SEED, _rows(drawn)).match
    for _ in range(25):
        tampered = list(drawn)
        flipped = rng.sample(range(len(drawn)), rng.randint(1, 4))
        for i in flipped:
            tampered[i] = _flip(tampered[i])
        result = vd.verify(SEED, iter(_rows(tampered)))  # a one-shot iterator works too
        assert result.difference is not None
        assert result.difference.line == min(flipped) + 2


# --- the file format ---------------------------------------------------------------------------


def _rows(apps):
    return list(vd.parse_rows(_csv(apps).splitlines(keepends=True)))


@pytest.mark.parametrize(
    ("mutate", "line", "words"),
    [
        (lambda lines: ["pseudonym,province,pool,quota,priority,result", *lines[1:]], 1, "header"),
        (lambda lines: [], 1, "header"),
        (lambda lines: _edit(lines, 4, 0, "0123456789ABCDEF"), 4, "pseudonym"),
        (lambda lines: _edit(lines, 5, 0, "0123456789abcdeg"), 5, "pseudonym"),
        (lambda lines: _edit(lines, 3, 0, "0123456789abcde"), 3, "pseudonym"),
        (lambda lines: _edit(lines, 6, 5, "won"), 6, "result"),
        (lambda lines: _edit(lines, 6, 4, "2"), 6, "priority"),
        (lambda lines: _edit(lines, 7, 3, "x"), 7, "pool_quota"),
        (lambda lines: _edit(lines, 8, 1, "3"), 8, "province"),
        (lambda lines: [*lines[:9], lines[9] + ",extra", *lines[10:]], 10, "fields"),
    ],
)
def test_a_bad_file_exits_2_with_the_line(tmp_path, drawn, mutate, line, words):
    lines = mutate(_csv(drawn).splitlines())
    code, out = _run(tmp_path, "\n".join(lines) + "\n")
    assert code == 2, out
    assert f"line {line}:" in out
    assert words in out
    assert "MATCH" not in out


def _edit(lines, line, column, value):
    cells = lines[line - 1].split(",")
    cells[column] = value
    return [*lines[: line - 1], ",".join(cells), *lines[line:]]


def test_an_inconsistent_pool_quota_exits_2_at_the_later_line(tmp_path, drawn):
    lines = _csv(drawn).splitlines()
    later = [n for n in range(2, len(lines) + 1) if lines[n - 1].split(",")[2] == "35"][3]
    lines = _edit(lines, later, 3, "6")
    code, out = _run(tmp_path, "\n".join(lines) + "\n")
    assert code == 2
    assert f"line {later}: pool_quota 6 for pool 35 differs from 5" in out


def test_a_pool_that_is_neither_the_province_nor_national_exits_2(tmp_path, drawn):
    lines = _csv(drawn).splitlines()
    lines = _edit(lines, 2, 2, "99" if lines[1].split(",")[1] != "99" else "98")
    code, out = _run(tmp_path, "\n".join(lines) + "\n")
    assert code == 2
    assert "line 2: pool" in out


def test_a_bad_seed_exits_2(tmp_path, drawn):
    code, out = _run(tmp_path, _csv(drawn), seed="not-a-seed")
    assert code == 2
    assert "seed" in out


def test_another_seed_does_not_match(tmp_path, drawn):
    code, out = _run(tmp_path, _csv(drawn), seed=hashlib.sha256(b"another seed").hexdigest())
    assert code == 1
    assert out.startswith("DIFFERENCE at line ")


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path, drawn):
    path = tmp_path / "draw.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _csv(drawn).replace("\n", "\r\n").encode())
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--seed", SEED, str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("MATCH: 41 applications")


def test_the_script_uses_only_the_standard_library():
    source = SCRIPT.read_text()
    for name in ("django", "prakerja"):
        assert f"import {name}" not in source and f"from {name}" not in source


def test_parse_rows_accepts_a_byte_order_mark_in_text():
    rows = list(vd.parse_rows(["\ufeff" + HEADER + "\n", "0123456789abcdef,32,32,1,0,passed\n"]))
    assert rows == [vd.Row(2, "0123456789abcdef", "32", "32", 1, False, True)]
