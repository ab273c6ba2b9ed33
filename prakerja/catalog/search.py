""""Cari Pelatihan" (TRN-1): approved courses found by words and filters, fast on a national catalogue.

The words of a course (title, provider, category and type in Indonesian and
English, province, location, code, description) are kept on the course as
``search_text``: lower case, accents stripped in Python (NFKD), so "Kopí",
"KOPI" and "kopi" are all "kopi" whatever the database, and no ``unaccent``
extension is needed. The engines index that column (migration 0003):

- PostgreSQL: a stored generated column ``search_vector`` =
  ``to_tsvector('simple', search_text)`` with a GIN index. A query is
  ``word1:* & word2:*``: every word also a prefix, so "pemasar" finds
  "pemasaran" and the word being typed finds its ends; ranked by ``ts_rank``.
  'simple', not 'indonesian': PostgreSQL's Indonesian stemmer cuts
  "digital" to "gital" and "pemula" to "pula", and a prefix of a stem finds
  odd things; prefixes behave the same on both engines. The vector is stored,
  in the row (STORAGE MAIN): a word found in every course ("pelatihan") then
  costs one read of each row, 10 to 30 ms for 10,000 courses, where
  recomputing each vector from the text took 400 ms (bench/search.py).
- SQLite (the embedded default): an FTS5 table over the same column
  (external content, kept by triggers, tokenizer ``unicode61
  remove_diacritics 2``), queried with ``"word1"* "word2"*`` and ranked by
  ``bm25``, joined once to the courses.

A course shows only with at least one approved listing; ``listed_from``
(the cheapest approved price) and ``listed_on`` (how many platforms sell it)
are kept on the course whenever a listing is saved (catalog/receivers.py), so
a page of results needs no aggregation over the listings. Bulk loads skip
the signals: they call ``refresh_courses`` (or ``manage.py
rebuild_search_index``) afterwards.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min, QuerySet
from django.utils import translation

from prakerja.catalog.models import LISTING_CODE, Category, Course, CourseKind, Listing, ListingStatus

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents stripped, anything but letters and digits a space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(_WORD.findall(plain))


def words_of(query: str) -> list[str]:
    """The words of a query as the index has them: at most MAX_WORDS, each at most MAX_WORD_LENGTH long."""
    words = []
    for word in normalise(query[:500]).split():
        if word[:MAX_WORD_LENGTH] not in words:
            words.append(word[:MAX_WORD_LENGTH])
    return words[:MAX_WORDS]


def search_text_of(course: Course, provider_name: str) -> str:
    labels = []
    for language in ("id", "en"):
        with translation.override(language):
            labels += [str(Category(course.category).label), str(CourseKind(course.kind).label)]
    province = course.province.name if course.province_id and course.province else ""
    return normalise(" ".join([course.title, provider_name, *labels, province, course.location, course.code,
                               course.description]))


def refresh_courses(course_ids=None, *, words: bool = True, prices: bool = True, batch: int = 1000) -> int:
    """Recompute the courses' ``search_text`` and/or ``listed_from``/``listed_on`` (all, or these).

    Writes only the courses that changed, each once: a rebuild of a catalogue that is right writes
    nothing, and a bulk load gets one new version of each row, not one per column (PostgreSQL keeps the
    old ones until vacuumed, and a search reads every page). The rows are locked, in id order, before
    their listings are read: two listings of one course approved at once would otherwise each count
    the approved listings without the other's (neither committed yet), and the later write would drop
    the earlier listing. Returns how many courses were written.
    """
    fields = ["search_text"] * words + ["listed_from", "listed_on"] * prices
    ids = Course.objects.order_by("pk").values_list("pk", flat=True)
    if course_ids is not None:
        ids = ids.filter(pk__in=list(course_ids))
    written = 0
    with transaction.atomic():
        ids = list(ids)
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            courses = Course.objects.select_for_update(of=("self",)).filter(pk__in=chunk).order_by("pk")
            courses = list(courses.select_related("provider", "province") if words
                           else courses.only("listed_from", "listed_on"))
            approved = {}
            if prices:
                approved = {row["course"]: (row["low"], row["n"]) for row in (
                    Listing.objects.filter(course__in=chunk, status=ListingStatus.APPROVED).order_by()
                    .values("course").annotate(low=Min("price"), n=Count("pk")))}
            changed = []
            for course in courses:
                before = [getattr(course, field) for field in fields]
                if words:
                    course.search_text = search_text_of(course, course.provider.name)
                if prices:
                    course.listed_from, course.listed_on = approved.get(course.pk, (None, 0))
                if [getattr(course, field) for field in fields] != before:
                    changed.append(course)
            if changed:
                written += Course.objects.bulk_update(changed, fields)
    return written


def refresh_search_text(course_ids=None) -> int:
    """The words only: after a bulk load of courses, a provider renamed."""
    return refresh_courses(course_ids, prices=False)


def refresh_listing_summary(course_ids=None) -> int:
    """The approved listings' price and count only: after a listing is saved or deleted."""
    return refresh_courses(course_ids, words=False)


# --- the query ---------------------------------------------------------------------------

class Order:
    BEST = ""  # relevance with words, else title
    PRICE = "price"  # cheapest first


@dataclass(frozen=True)
class Filters:
    words: str = ""
    category: str = ""
    kind: str = ""
    province: str = ""  # a province code; offline courses only
    max_price: int | None = None  # the lower of "price up to" and, when asked, the card's balance
    order: str = Order.BEST


# Constant SQL; the user's words are bound parameters, and only [a-z0-9] of them at that (words_of).
_PG_MATCH = "catalog_course.search_vector @@ to_tsquery('simple', %s)"
_PG_RANK = "ts_rank(catalog_course.search_vector, to_tsquery('simple', %s))"
_FTS_JOIN = "catalog_course_fts.rowid = catalog_course.id"
_FTS_MATCH = "catalog_course_fts MATCH %s"
# bm25 is lower for better matches: negated, higher is better as with ts_rank.
_FTS_RANK = "-bm25(catalog_course_fts)"


def _with_words(rows: QuerySet, words: list[str]) -> QuerySet:
    """Only the courses that have every word (each also as a prefix), with their ``rank``."""
    if connection.vendor == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        return rows.extra(where=[_PG_MATCH], params=[query],  # noqa: S610 (constant SQL, bound words)  # nosec B610
                          select={"rank": _PG_RANK}, select_params=[query])
    # FTS5 computes bm25 once per query when its table is joined; as a correlated subquery it would
    # count every matching course again for each one (quadratic on a common word).
    query = " ".join(f'"{word}"*' for word in words)
    return rows.extra(tables=["catalog_course_fts"], where=[_FTS_JOIN, _FTS_MATCH],  # noqa: S610  # nosec B610
                      params=[query], select={"rank": _FTS_RANK})


def course_search(filters: Filters) -> QuerySet:
    """Approved courses matching the filters, best first: a queryset to paginate."""
    rows = (Course.objects.filter(listed_from__isnull=False)
            .select_related("provider", "province")
            .only("code", "title", "category", "kind", "hours", "listed_from", "listed_on", "province__name",
                  "provider__name"))
    words = words_of(filters.words)
    order = ["title", "pk"]
    if words:
        rows = _with_words(rows, words)
        order = ["-rank", "title", "pk"]
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.province:
        rows = rows.filter(kind=CourseKind.OFFLINE, province__code=filters.province)
    if filters.max_price is not None:
        rows = rows.filter(listed_from__lte=filters.max_price)
    if filters.order == Order.PRICE:
        order = ["listed_from", "title", "pk"]
    return rows.order_by(*order)


def visible_course(code: str) -> Course | None:
    """A course with at least one approved listing, else None (its page is a 404)."""
    if not LISTING_CODE.regex.fullmatch(code):  # course codes have the listings' form; PostgreSQL refuses a NUL
        return None
    return (Course.objects.select_related("provider", "province")
            .defer("search_text").filter(code=code, listed_from__isnull=False).first())


def approved_listings(course: Course) -> QuerySet:
    """The course's approved listings, cheapest first: one per platform (a unique constraint)."""
    return (Listing.objects.filter(course=course, status=ListingStatus.APPROVED)
            .select_related("platform").only("code", "price", "platform__name")
            .order_by("price", "platform__name", "pk"))


# --- SQLite: what migration 0003 made, put back after a table rebuild ----------------------

SQLITE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS course_visible_title ON catalog_course (title, id) WHERE listed_from IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS course_visible_filters ON catalog_course (category, kind, province_id, listed_from) "
    "WHERE listed_from IS NOT NULL",
]
SQLITE_TRIGGERS = {
    "catalog_course_fts_ai": (
        "CREATE TRIGGER IF NOT EXISTS catalog_course_fts_ai AFTER INSERT ON catalog_course BEGIN "
        "INSERT INTO catalog_course_fts(rowid, search_text) VALUES (new.id, new.search_text); END"),
    "catalog_course_fts_ad": (
        "CREATE TRIGGER IF NOT EXISTS catalog_course_fts_ad AFTER DELETE ON catalog_course BEGIN "
        "INSERT INTO catalog_course_fts(catalog_course_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"),
    "catalog_course_fts_au": (
        "CREATE TRIGGER IF NOT EXISTS catalog_course_fts_au AFTER UPDATE OF search_text ON catalog_course BEGIN "
        "INSERT INTO catalog_course_fts(catalog_course_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO catalog_course_fts(rowid, search_text) VALUES (new.id, new.search_text); END"),
}


def sqlite_index_ensure(db) -> bool:
    """Put back the FTS5 index's triggers (rebuilding the index) and the indexes, if a migration dropped them.

    SQLite's schema editor alters a table by copying it into a new one and dropping the old one with its
    triggers and the indexes the model does not declare: any later migration that alters Course would
    otherwise leave the search silently stale. Runs after every migrate and flush (post_migrate);
    returns whether the triggers had to be put back.
    """
    if db.vendor != "sqlite":
        return False
    with db.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
                       "('catalog_course', 'catalog_course_fts', %s, %s, %s)", list(SQLITE_TRIGGERS))
        present = {row[0] for row in cursor.fetchall()}
        if not {"catalog_course", "catalog_course_fts"} <= present:
            return False  # before migration 0003, or after migrating back
        for sql in SQLITE_INDEXES:
            cursor.execute(sql)
        if set(SQLITE_TRIGGERS) <= present:
            return False
        for name, sql in SQLITE_TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
        cursor.execute("INSERT INTO catalog_course_fts(catalog_course_fts) VALUES ('rebuild')")
    return True
