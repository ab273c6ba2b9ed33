#!/usr/bin/env python3
"""Recompute a wave's draw (SEL-4) from the published files, and say whether it matches.

What the draw is
----------------
When a wave has more applicants than places, the places are given by a draw that anyone can redo:

1. Before the wave closes, the platform publishes a *commitment*: the SHA-256 fingerprint of a
   secret random number, the *seed*. The fingerprint fixes the seed without revealing it, so
   nobody -- not even the operator -- can change the seed afterwards without it showing.
2. After the selection ran, the wave page reveals the seed itself (64 characters, 0-9 and a-f)
   and a CSV file listing every application that reached the draw, under a pseudonym (no names).
3. Places are counted per *pool*: a province with its own quota is its own pool; all other
   provinces share the ``national`` pool.
4. Inside each pool, applications are put in order:
   - first those drawn first (``priority`` 1: the priority list or a priority employment status),
     then everyone else (``priority`` 0);
   - inside each of those two groups, by their *draw key*: the SHA-256 fingerprint (in lowercase
     hexadecimal) of the text ``<seed>:<pseudonym>``, smallest first (compared as text).
   Nobody could predict these keys before the seed was revealed, and nobody could choose the seed
   after seeing the applicants, because it had been committed to in step 1.
5. The first ``pool_quota`` applications of each pool pass; the rest are ``not_drawn``.
   A pool with no more applications than places: everybody in it passes.

This script redoes step 4 and 5 on your own computer and compares the outcome with the published
``result`` column. It needs only Python 3.11 or newer (nothing to install) and does not contact
the platform.

How to run it
-------------
Download the CSV from the wave page, copy the seed (and the commitment, if you noted it before the
close), then::

    python3 verify_draw.py --seed <seed> --commitment <commitment> draw.csv

It prints one of:

- ``MATCH: 123456 applications in 12 pools, 20000 passed`` -- the published results are exactly
  what the rule gives (exit status 0);
- ``DIFFERENCE at line 17: pseudonym ... published passed, recomputed not_drawn (pool 32, rank 812
  of quota 800)`` -- the first line, in file order, whose published result is not what the rule
  gives (exit status 1);
- ``COMMITMENT MISMATCH: ...`` -- the revealed seed is not the one committed to (exit status 1);
- ``BAD FILE at line N: ...`` or ``BAD INPUT: ...`` -- the file or the arguments are not in the
  published format, so nothing was compared (exit status 2).

The file format
---------------
UTF-8, comma-separated, with this header row exactly::

    pseudonym,province,pool,pool_quota,priority,result

``pseudonym``: 16 lowercase hex characters; ``province``: the 2-digit province code; ``pool``: the
province code when that province has its own quota, else ``national``; ``pool_quota``: the number
of places in that pool (the same on every row of a pool); ``priority``: ``1`` or ``0``; ``result``:
``passed`` or ``not_drawn``.

Memory: the script reads the file as a stream and keeps only a few numbers per pool, so files with
millions of rows work on an ordinary laptop. Only when there is a difference does it read the file
again (keeping at most ``pool_quota`` keys of the pool concerned) to locate and explain it.

Pseudonyms are unique within a wave; should one appear twice in a pool, the earlier line is
counted first.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import heapq
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

HEADER = ["pseudonym", "province", "pool", "pool_quota", "priority", "result"]
NATIONAL = "national"
PASSED = "passed"
NOT_DRAWN = "not_drawn"

_SEED_RE = re.compile(r"[0-9a-f]{64}")
_PSEUDONYM_RE = re.compile(r"[0-9a-f]{16}")
_PROVINCE_RE = re.compile(r"[0-9]{2}")
_QUOTA_RE = re.compile(r"[0-9]{1,9}")
_LINE_BITS = 48  # line numbers in the tie-break part of the sort key


class FormatError(ValueError):
    """The CSV is not in the published format; ``line`` is the 1-based line in the file."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class Row(NamedTuple):
    line: int  # 1-based line in the file (the header is line 1)
    pseudonym: str
    province: str
    pool: str
    pool_quota: int
    priority: bool
    passed: bool  # the published result


@dataclass(frozen=True)
class Difference:
    line: int
    pseudonym: str
    pool: str
    published_passed: bool
    recomputed_passed: bool
    rank: int  # 1-based place in the pool's order
    quota: int

    def describe(self) -> str:
        published = PASSED if self.published_passed else NOT_DRAWN
        recomputed = PASSED if self.recomputed_passed else NOT_DRAWN
        return (
            f"DIFFERENCE at line {self.line}: pseudonym {self.pseudonym} published {published}, "
            f"recomputed {recomputed} (pool {self.pool}, rank {self.rank} of quota {self.quota})"
        )


@dataclass(frozen=True)
class Result:
    applications: int
    pools: int
    passed: int  # as recomputed by the rule
    difference: Difference | None = None

    @property
    def match(self) -> bool:
        return self.difference is None

    def describe(self) -> str:
        if self.difference is not None:
            return self.difference.describe()
        return f"MATCH: {self.applications} applications in {self.pools} pools, {self.passed} passed"


def commitment_of(seed: str) -> str:
    """The commitment published before the close: SHA-256 (hex) of the seed's ASCII text."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def draw_key(seed: str, pseudonym: str) -> str:
    """The draw key of one application: SHA-256 (lowercase hex) of "<seed>:<pseudonym>"."""
    return hashlib.sha256(f"{seed}:{pseudonym}".encode()).hexdigest()


def _sort_key(seed: str, row: Row) -> int:
    """One integer that orders rows exactly as the rule does: priority first, then the draw key.

    Comparing fixed-length lowercase hex strings as text is the same as comparing their numbers,
    so the key is packed into an int; the line number only breaks (impossible) exact ties.
    """
    digest = int(draw_key(seed, row.pseudonym), 16)
    return (((0 if row.priority else 1) << 256 | digest) << _LINE_BITS) | row.line


def parse_rows(lines: Iterable[str]) -> Iterator[Row]:
    """Parse and check the CSV text, yielding one Row per application; raises FormatError."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise FormatError(1, "the file is empty (expected the header row)") from None
    except csv.Error as exc:
        raise FormatError(1, f"unreadable CSV ({exc})") from None
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if [cell.strip() for cell in header] != HEADER:
        raise FormatError(1, f"expected the header {','.join(HEADER)!r}, found {','.join(header)!r}")
    quotas: dict[str, tuple[int, int]] = {}  # pool -> (quota, first line)
    pools_of: dict[str, tuple[str, int]] = {}  # province -> (pool, first line)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(reader.line_num, f"unreadable CSV ({exc})") from None
        line = reader.line_num
        if not cells:
            continue  # a blank line
        if len(cells) != len(HEADER):
            raise FormatError(line, f"expected {len(HEADER)} comma-separated fields, found {len(cells)}")
        pseudonym, province, pool, quota_text, priority, result = (cell.strip() for cell in cells)
        if not _PSEUDONYM_RE.fullmatch(pseudonym):
            raise FormatError(line, f"pseudonym {pseudonym!r} is not 16 lowercase hex characters")
        if not _PROVINCE_RE.fullmatch(province):
            raise FormatError(line, f"province {province!r} is not a 2-digit code")
        if pool not in (province, NATIONAL):
            raise FormatError(line, f"pool {pool!r} is neither the province code {province!r} nor {NATIONAL!r}")
        if not _QUOTA_RE.fullmatch(quota_text):
            raise FormatError(line, f"pool_quota {quota_text!r} is not a whole number")
        quota = int(quota_text)
        if priority not in ("0", "1"):
            raise FormatError(line, f"priority {priority!r} is neither 1 nor 0")
        if result not in (PASSED, NOT_DRAWN):
            raise FormatError(line, f"result {result!r} is neither {PASSED!r} nor {NOT_DRAWN!r}")
        seen_quota, seen_line = quotas.setdefault(pool, (quota, line))
        if seen_quota != quota:
            raise FormatError(line, f"pool_quota {quota} for pool {pool} differs from {seen_quota} on line {seen_line}")
        seen_pool, seen_line = pools_of.setdefault(province, (pool, line))
        if seen_pool != pool:
            raise FormatError(
                line, f"province {province} is in pool {pool} here but in pool {seen_pool} on line {seen_line}"
            )
        yield Row(line, pseudonym, province, pool, quota, priority == "1", result == PASSED)


class CsvFile:
    """The rows of a CSV file, read afresh (streamed) each time it is iterated."""

    def __init__(self, path: str):
        self.path = path

    def __iter__(self) -> Iterator[Row]:
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            yield from parse_rows(handle)


@dataclass
class _PoolStats:
    quota: int
    rows: int = 0
    published_passed: int = 0
    max_passed: int = -1  # largest sort key among rows published as passed
    min_not_drawn: int | None = None  # smallest sort key among rows published as not_drawn

    def consistent(self) -> bool:
        """Whether the published passed rows are exactly the first min(quota, rows) of the order."""
        if self.published_passed != min(self.quota, self.rows):
            return False
        return self.min_not_drawn is None or self.max_passed < self.min_not_drawn


def verify(seed: str, rows: Iterable[Row]) -> Result:
    """Recompute the draw over ``rows`` and compare it with their published results.

    ``rows`` should be re-iterable (a list, or ``CsvFile``): the first pass keeps a few numbers
    per pool; only when a pool does not match are its rows read again to find the first
    difference in file order. A one-shot iterator is materialised into a list first.
    """
    if iter(rows) is rows:
        rows = list(rows)
    pools: dict[str, _PoolStats] = {}
    for row in rows:
        stats = pools.get(row.pool)
        if stats is None:
            stats = pools[row.pool] = _PoolStats(row.pool_quota)
        key = _sort_key(seed, row)
        stats.rows += 1
        if row.passed:
            stats.published_passed += 1
            stats.max_passed = max(stats.max_passed, key)
        elif stats.min_not_drawn is None or key < stats.min_not_drawn:
            stats.min_not_drawn = key
    applications = sum(stats.rows for stats in pools.values())
    passed = sum(min(stats.quota, stats.rows) for stats in pools.values())
    bad = {name for name, stats in pools.items() if not stats.consistent()}
    if not bad:
        return Result(applications, len(pools), passed)

    # Some pool differs. Find, for each such pool, the sort key of its last passing place:
    # a bounded max-heap (negated keys) of the quota smallest keys, one pass over the rows.
    heaps: dict[str, list[int]] = {name: [] for name in bad}
    for row in rows:
        heap = heaps.get(row.pool)
        if heap is None or row.pool_quota == 0:
            continue
        key = _sort_key(seed, row)
        if len(heap) < row.pool_quota:
            heapq.heappush(heap, -key)
        elif key < -heap[0]:
            heapq.heapreplace(heap, -key)
    cutoff = {name: (-heap[0] if heap else -1) for name, heap in heaps.items()}

    first = None
    for row in rows:
        if row.pool not in bad:
            continue
        key = _sort_key(seed, row)
        recomputed = key <= cutoff[row.pool]
        if recomputed != row.passed:
            first = (row, key, recomputed)
            break
    if first is None:  # cannot happen: an inconsistent pool always has a differing row
        raise AssertionError("a pool did not match but no differing row was found")
    row, key, recomputed = first
    rank = 1 + sum(1 for other in rows if other.pool == row.pool and _sort_key(seed, other) < key)
    difference = Difference(row.line, row.pseudonym, row.pool, row.passed, recomputed, rank, row.pool_quota)
    return Result(applications, len(pools), passed, difference)


def _say(text: str, stream=None) -> None:
    (stream or sys.stdout).write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Recompute a wave's draw from its published seed and CSV, and compare the results."
    )
    parser.add_argument("--seed", required=True, help="the 64-character hex seed revealed on the wave page")
    parser.add_argument("--commitment", help="the SHA-256 commitment published before the close (optional)")
    parser.add_argument("csv", help="the published CSV of the applications that reached the draw")
    args = parser.parse_args(argv)

    seed = args.seed.strip().lower()
    if not _SEED_RE.fullmatch(seed):
        _say("BAD INPUT: the seed must be 64 hexadecimal characters (0-9, a-f).", sys.stderr)
        return 2
    if args.commitment is not None:
        expected = args.commitment.strip().lower()
        actual = commitment_of(seed)
        if actual != expected:
            _say(
                "COMMITMENT MISMATCH: the SHA-256 of this seed is\n"
                f"  {actual}\nbut the published commitment is\n  {expected}\n"
                "This seed is not the one committed to before the close (or a character was mistyped)."
            )
            return 1
        _say(f"Commitment OK: SHA-256 of the seed is {actual}.")
    try:
        result = verify(seed, CsvFile(args.csv))
    except FormatError as exc:
        _say(f"BAD FILE at line {exc.line}: {exc.message}", sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        _say(f"BAD FILE: not UTF-8 text ({exc})", sys.stderr)
        return 2
    except OSError as exc:
        _say(f"BAD INPUT: cannot read {args.csv}: {exc.strerror or exc}", sys.stderr)
        return 2
    _say(result.describe())
    return 0 if result.match else 1


if __name__ == "__main__":
    sys.exit(main())
