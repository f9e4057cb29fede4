"""No module of dv names a field of the form it ships (issue 20): everything a module knows of a
field, a column, a choice list or a rule comes from the form definition, so that next year's form
(or another form altogether, tests/test_second_form.py) is followed without a release.

The check reads every string and comment of toolkit/ (and the portal's page templates): a text
that *is* one of the shipped form's codes (``values["dvc_total"]``, ``doc.get("number")``,
``choices["issuer"]``), or a comment or text that mentions one of its distinctive codes
(``docs_party``, ``van_ban``…), fails."""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

from toolkit.form import available_forms

ROOT = Path(__file__).resolve().parent.parent / "toolkit"

# dv's own words that happen to be codes of the shipped form too: the JSON report's and the
# summary's unit columns (docs/spec.md §5.11) and the template's hidden sheet keys (§4.6) are
# named unit_code and unit_name whatever a form calls its unit fields; the report's date is a
# column of the summary's file list. They are not the form's fields.
DV_VOCABULARY = {"unit_code", "unit_name", "report_date"}
# Words of the definition's own schema (keys and types) that the shipped form also uses as
# codes: ``number`` and ``title`` are keys of every section, ``date`` and ``code`` are types.
# A module that reads the *form's* column "number" is still caught: by the second form, whose
# documents table has no column of that name (tests/test_second_form.py).
SCHEMA_WORDS = {"number", "title", "date", "code", "text"}


def shipped_codes() -> set[str]:
    codes: set[str] = set()
    for form in available_forms():
        codes |= {f.code for f in form.fields}
        codes |= set(form.tables) | set(form.choices)
        codes |= {c.code for t in form.tables.values() for c in t.columns}
        codes |= {r.id for r in form.rules} | {r.id for t in form.tables.values() for r in t.rules}
    return codes - DV_VOCABULARY


def _texts(path: Path) -> list[tuple[int, str, bool]]:
    """(line, text, is a whole string literal) of every string and comment of a module."""
    if path.suffix != ".py":
        return [(n, line, False) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]
    out = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            out.append((tok.start[0], tok.string, False))
        elif tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                value = tok.string
            out.append((tok.start[0], str(value), isinstance(value, str)))
        elif tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            out.append((tok.start[0], tok.string, False))
    return out


def test_no_module_names_a_field_of_the_shipped_form():
    codes = shipped_codes()
    distinctive = {c for c in codes if c not in SCHEMA_WORDS and ("_" in c or not c.isalpha() or len(c) > 7)}
    words = re.compile(
        r"(?<![\w.-])(" + "|".join(sorted(map(re.escape, distinctive), key=len, reverse=True)) + r")(?![\w-])"
    )
    found = []
    files = [*ROOT.rglob("*.py"), *ROOT.rglob("*.html")]
    for path in sorted(p for p in files if "__pycache__" not in p.parts):
        for line, text, literal in _texts(path):
            if literal and text in codes - SCHEMA_WORDS:
                found.append(f"{path.relative_to(ROOT.parent)}:{line}: {text!r}")
            elif m := words.search(text):
                found.append(f"{path.relative_to(ROOT.parent)}:{line}: {m.group(1)} in {text.strip()[:80]!r}")
    assert found == [], "\n".join(found)


def test_the_check_would_see_a_field_named_in_code(tmp_path, monkeypatch):
    """The check itself can fail: a module reading ``values["dvc_total"]`` is found."""
    sneaky = tmp_path / "toolkit" / "sneaky.py"
    sneaky.parent.mkdir()
    sneaky.write_text('def total(values):\n    return values["dvc_total"]  # the services\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", sneaky.parent)
    try:
        test_no_module_names_a_field_of_the_shipped_form()
    except AssertionError as exc:
        assert "sneaky.py:2: 'dvc_total'" in str(exc)
    else:  # pragma: no cover - the check saw nothing
        raise AssertionError("a module naming dvc_total passed the check")
