"""Safe to share: letters shown as text, localhost unless a token, a time limit and a bound
on concurrent searches, an index updated while serving, several workers answering alike."""

from __future__ import annotations

import asyncio
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from imrsearch import api
from imrsearch.cli.serve import is_local
from imrsearch.web.app import Settings, make_app
from imrsearch.web.pool import Busy, Pool
from tests.reliability.conftest import letter_text
from tests.web.conftest import HOSTILE_MARKER, XSS, serving

RAW = ("<script>alert", "<img src=x", '<b onmouseover="alert(2)">')


def test_hostile_letter_text_and_name_are_text_in_every_page(client):
    found = client.get("/", params={"q": HOSTILE_MARKER})
    assert found.status_code == 200
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in found.text
    link = client.get("/api/search", params={"q": HOSTILE_MARKER}).json()["hits"][0]
    letter = client.get(
        "/letters/" + httpx.URL(link["path"]).raw_path.decode().replace("/", "%2F"),
        params={"q": HOSTILE_MARKER},
    )
    assert letter.status_code == 200
    assert "evil&lt;b onmouseover=&#34;alert(2)&#34;&gt;&amp;amp;.txt" in letter.text
    for page in (found, letter):
        assert not any(raw in page.text for raw in RAW)
    assert XSS in client.get("/api/letters/" + link["path"].replace("/", "%2F")).json()["text"]


def test_a_hostile_query_is_text_in_the_page_and_its_error(client):
    for query in (XSS, f'"{XSS}', f"drug:{XSS}"):
        page = client.get("/", params={"q": query})
        assert page.status_code in (200, 400)
        assert not any(raw in page.text for raw in RAW)
        assert "&lt;script&gt;" in page.text


def test_a_query_error_shows_a_caret_under_the_problem(client):
    page = client.get("/", params={"q": "drug:valium AND (outcome:upheld"})
    assert page.status_code == 400
    assert "is never closed" in page.text
    assert '<span class="at">(outcome:upheld</span>' in page.text


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_hosts_are_local(host):
    assert is_local(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_other_hosts_are_not(host):
    assert not is_local(host)


def test_serving_beyond_localhost_needs_a_token(run, web_index):
    done = run("serve", "--index", str(web_index), "--host", "0.0.0.0")
    assert done.code == 2
    assert "a token is required" in done.err
    short = run("serve", "--index", str(web_index), "--token", "short")
    assert short.code == 2 and "too short" in short.err


def test_a_search_past_its_time_limit_is_a_503(web_index):
    app = make_app(Settings(index=str(web_index), time_limit=1e-9))

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
            return await client.get("/api/search", params={"q": "outcome:upheld"})

    answer = asyncio.run(ask())
    assert answer.status_code == 503
    assert "stopped after" in answer.json()["error"]["message"]
    assert answer.headers["retry-after"] == "5"


def test_a_request_that_finds_every_searcher_busy_is_refused(web_index):
    pool = Pool(web_index, size=1, time_limit=5, wait=0.05)

    async def both() -> None:
        async with pool.searcher():
            with pytest.raises(Busy):
                async with pool.searcher():
                    pass
        async with pool.searcher() as opened:  # free again once the first is done
            assert opened.search("drug:valium").total > 0

    asyncio.run(both())
    pool.close()


def test_an_index_updated_while_serving_answers_one_generation_per_request(web_archive, tmp_path):
    archive = tmp_path / "letters"
    shutil.copytree(web_archive, archive)
    index = tmp_path / "index"
    api.build(archive, index, workers=1)
    before = api.search("outcome:upheld", index).total
    added = 3
    for n in range(added):
        (archive / f"new{n}.txt").write_text(letter_text(100 + n, "freshmarker", items=1))
    totals: list[int] = []
    stop = threading.Event()
    with serving(index, "--workers", "2") as base:

        def ask() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                while not stop.is_set():
                    answer = c.get("/api/search", params={"q": "outcome:upheld", "limit": 0})
                    assert answer.status_code == 200, answer.text
                    totals.append(answer.json()["total"])

        with ThreadPoolExecutor(3) as readers:
            running = [readers.submit(ask) for _ in range(3)]
            while len(totals) < 3 and not any(r.done() for r in running):  # reading gen. 1
                stop.wait(0.01)
            api.update(archive, index, workers=1)
            after = httpx.get(base + "/api/search", params={"q": "freshmarker"}).json()
            stop.set()
            for reader in running:
                reader.result()
    assert after["total"] == added
    grown = api.search("outcome:upheld", index).total
    assert grown > before
    assert set(totals) <= {before, grown} and before in totals


def test_several_workers_give_the_same_answers_under_load(web_index):
    queries = ["drug:valium", 'outcome:upheld "not medically necessary"', "class:opioid"]
    expected = {q: api.search(q, web_index, limit=5) for q in queries}
    with serving(web_index, "--workers", "2") as base:

        def ask(query: str) -> tuple[str, int, list[str]]:
            body = httpx.get(base + "/api/search", params={"q": query, "limit": 5}).json()
            return query, body["total"], [h["citation"] for h in body["hits"]]

        with ThreadPoolExecutor(8) as clients:
            answers = list(clients.map(ask, queries * 20))
    assert len(answers) == 60
    for query, total, cited in answers:
        assert total == expected[query].total
        assert cited == [h.citation() for h in expected[query].hits]


def test_the_serve_command_is_documented(run):
    done = run("serve", "--help")
    for option in ("--index", "--host", "--port", "--workers", "--token", "--token-file"):
        assert option in done.out


def test_static_files_are_only_the_packaged_ones():
    import imrsearch.web

    folder = Path(imrsearch.web.__file__).parent / "static"
    assert sorted(p.name for p in folder.iterdir()) == ["letter.js", "style.css"]
