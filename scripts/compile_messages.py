"""Compile the .po catalogues to .mo with polib (no gettext needed).

The .mo files are committed so that a fresh clone runs translated without
GNU gettext installed; ``--check`` fails when a .mo is out of date.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "prakerja" / "locale"


def entries(catalogue) -> dict:
    return {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue if e.msgid and (e.msgstr or any(e.msgstr_plural.values()))
            and not e.obsolete and "fuzzy" not in e.flags}


def main(check: bool) -> int:
    stale = []
    for po_path in sorted(ROOT.glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        if check:
            if not mo_path.exists() or entries(polib.mofile(str(mo_path))) != entries(po):
                stale.append(str(mo_path))
        else:
            po.save_as_mofile(str(mo_path))
            print(f"compiled {mo_path} ({po.percent_translated()}% translated)")
    if stale:
        print("out of date, run `make messages`: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
