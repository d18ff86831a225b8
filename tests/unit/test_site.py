"""The static shop (site/) as files: everything it loads comes from its own origin (the machine
has no internet, and a parent's browser should talk to no one but the shop), and where the API
is comes from ``config.js``, written by whoever serves the site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "site"
SITE_FILES = sorted(p for p in SITE.rglob("*") if p.is_file())
# An absolute URL ("https://cdn...") or a protocol-relative one ("//cdn..." in a string or url()).
FOREIGN_URL = re.compile(r"[a-z][a-z0-9+.-]*://|[\"'`(=]\s*//[^/\s]", re.IGNORECASE)
JS_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']""", re.MULTILINE)


class References(HTMLParser):
    """The ``src`` and ``href`` attributes of a page, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend((tag, value or "") for name, value in attrs if name in ("src", "href"))


def references(page: Path) -> list[tuple[str, str]]:
    parser = References()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def test_the_site_has_pages_styles_and_scripts() -> None:
    names = {p.relative_to(SITE).as_posix() for p in SITE_FILES}
    assert {"index.html", "shop.css", "js/app.js", "js/api.js"} <= names


@pytest.mark.parametrize("path", SITE_FILES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_no_file_of_the_site_names_another_host(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [m.group(0) for m in FOREIGN_URL.finditer(text)] == []


def test_the_page_loads_only_its_own_files_and_the_api_address_first() -> None:
    found = references(SITE / "index.html")
    for tag, value in found:
        own = value.startswith(("#", "data:")) or (value and not value.startswith("/"))
        assert own, f"<{tag}> loads {value!r}: not a file of the site"
        if not value.startswith(("#", "data:")):
            assert (SITE / value).is_file() or value == "config.js", value
    scripts = [value for tag, value in found if tag == "script"]
    # config.js (window.PHOTOJOBS.apiUrl) is written by the server, so it is not in site/, and it
    # must run before the app reads it
    assert scripts == ["config.js", "js/app.js"]
    assert not (SITE / "config.js").exists()


def test_modules_import_only_modules_of_the_site() -> None:
    for module in sorted((SITE / "js").glob("*.js")):
        for target in JS_IMPORT.findall(module.read_text(encoding="utf-8")):
            assert target.startswith("./"), f"{module.name} imports {target!r}"
            assert (module.parent / target).is_file(), f"{module.name} imports {target!r}"


def test_the_api_client_takes_its_address_from_config_js() -> None:
    client = (SITE / "js" / "api.js").read_text(encoding="utf-8")
    assert "window.PHOTOJOBS" in client and "apiUrl" in client


def test_a_foreign_url_would_be_caught() -> None:
    for foreign in (
        '<script src="https://cdn.example.com/x.js">',
        "background: url(//fonts.example.com/a.woff2)",
        "import x from 'http://unpkg.com/y'",
        '<link href= "//cdn.example.com/s.css">',
    ):
        assert FOREIGN_URL.search(foreign), foreign
    for own in ("// a comment", 'href="#/cart"', "url(data:,)", "`${BASE}${SHOP}${path}`"):
        assert not FOREIGN_URL.search(own), own
