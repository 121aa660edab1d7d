"""End to end in headless Chromium (Debian's package, driven by Playwright): the design-card
query typed, a facet clicked, a letter opened at its highlighted passage, a hostile letter
shown as text. Under CI (IMRSEARCH_REQUIRE_BROWSER=1) a missing browser fails the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.web.conftest import HOSTILE_MARKER, XSS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DESIGN_CARD = 'outcome:upheld drug:valium "no provision to modify"'
HOW = (
    "the browser tests need Debian's Chromium and Playwright: apt-get install -y chromium;"
    " pip install -e '.[test]'"
)


def _missing() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} not found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = _missing()
    if missing:
        if os.environ.get("IMRSEARCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing}: {HOW}")
        pytest.skip(f"{missing}: {HOW}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server: str):
    context = browser.new_context(base_url=server)
    opened = context.new_page()
    scripts: list[str] = []
    opened.on("dialog", lambda dialog: (scripts.append(dialog.message), dialog.dismiss()))
    opened.scripts_ran = scripts
    yield opened
    context.close()


def test_the_design_card_query_typed_finds_its_decision(page):
    page.goto("/")
    page.get_by_label("Query").fill(DESIGN_CARD)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?q=*")
    assert page.locator("#total").inner_text() == "1"
    hit = page.locator("li.hit")
    assert hit.locator(".outcome").inner_text().lower() == "upheld"
    assert hit.locator(".drugs").inner_text() == "Drugs: Valium"
    assert "no provision to modify" in hit.locator("mark").all_inner_texts()


def test_a_facet_clicked_narrows_the_query_and_the_counts(page):
    page.goto("/?q=drug%3Avalium")
    before = int(page.locator("#total").inner_text())
    value = page.locator('[data-facet="sex"] li').first
    sex = value.locator(".value").inner_text()
    count = int(value.locator(".count").inner_text())
    value.locator("a").click()
    page.wait_for_url(f"**sex*{sex}*")
    assert page.get_by_label("Query").input_value() == f"drug:valium sex:{sex}"
    assert int(page.locator("#total").inner_text()) == count <= before
    chosen = page.locator('[data-facet="sex"] li.selected')
    assert chosen.locator(".value").inner_text() == f"✓ {sex}"
    assert int(chosen.locator(".count").inner_text()) == count


def test_the_letter_opens_with_its_passage_highlighted(page):
    page.goto("/?q=" + DESIGN_CARD.replace(" ", "+").replace('"', "%22"))
    page.locator("li.hit a.case").click()
    page.wait_for_url("**/letters/**")
    marks = page.locator("mark")
    assert "no provision to modify" in marks.all_inner_texts()
    page.get_by_role("link", name="Next match").click()
    assert page.evaluate("document.activeElement.id") == "m1"
    page.get_by_role("link", name="Next match").click()
    assert page.evaluate("document.activeElement.id") == "m2"
    page.get_by_role("link", name="Previous match").click()
    assert page.evaluate("document.activeElement.id") == "m1"
    assert "no provision to modify" in page.locator("#citation").inner_text()


def test_a_hostile_letter_renders_as_text(page):
    page.goto(f"/?q={HOSTILE_MARKER}")
    assert XSS in page.locator("li.hit").first.inner_text()
    page.locator("li.hit a.case").first.click()
    page.wait_for_url("**/letters/**")
    assert XSS in page.locator("article").inner_text()
    assert 'evil<b onmouseover="alert(2)">&amp;.txt' in page.locator(".path").inner_text()
    assert page.locator("article script, article img, article b").count() == 0
    assert page.scripts_ran == []


def test_the_page_fits_a_phone(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto("/?q=drug%3Avalium")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
