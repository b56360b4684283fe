"""The four languages are complete: every string the code marks is translated and compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fr", "es", "ar"]
SOURCE_DIRS = ["advocacy", "campaigns", "contacts", "meetings", "letters", "templates"]


def catalogue(language: str, root: Path = ROOT) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


def entry_key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A fresh makemessages run over a copy of the sources, leaving the checkout untouched."""
    copy = tmp_path_factory.mktemp("i18n")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    shutil.copytree(ROOT / "locale", copy / "locale")
    args = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
    for language in LANGUAGES:
        args += ["-l", language]
    subprocess.run(args, cwd=copy, check=True, capture_output=True)
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_marked_string(extracted, language):
    fresh = {entry_key(e) for e in catalogue(language, extracted) if not e.obsolete}
    committed = {entry_key(e) for e in catalogue(language) if not e.obsolete}
    missing = sorted(fresh - committed)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_fully_translated(language):
    po = catalogue(language)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {entry_key(e): e.msgstr or e.msgstr_plural.get(0, "") for e in mo}
    for entry in po.translated_entries():
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert compiled.get(entry_key(entry)) == translated, (
            f"{language}: {entry.msgid!r} is not compiled; run `make messages`"
        )


def test_placeholders_survive_translation():
    for language in LANGUAGES:
        for entry in catalogue(language).translated_entries():
            for placeholder in ("%(", "{{"):
                if placeholder in entry.msgid and entry.msgstr:
                    assert entry.msgstr.count(placeholder) == entry.msgid.count(placeholder), (
                        f"{language}: placeholders differ in {entry.msgid!r}"
                    )
