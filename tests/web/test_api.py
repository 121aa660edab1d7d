"""The JSON API and the exports against a live server on loopback: every endpoint, every
error with its status, the `--json` shapes, the token."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from imrsearch import api
from imrsearch.render.machine import CSV_COLUMNS, hit_dict
from tests.web.conftest import TOKEN, serving

DESIGN_CARD = 'outcome:upheld drug:valium "no provision to modify"'


def test_search_answers_the_design_card_in_the_json_shape(client, web_index):
    body = client.get("/api/search", params={"q": DESIGN_CARD, "facet": "outcome"}).json()
    expected = api.search(DESIGN_CARD, web_index, facets=("outcome",))
    assert body["total"] == expected.total == 1
    assert body["hits"] == [hit_dict(h) for h in expected.hits]
    assert "[no provision to modify]" in body["hits"][0]["snippet"]
    assert body["facets"]["outcome"]["values"][0] == {
        "value": "upheld", "count": 1, "upheld": 1, "uphold_rate": 1.0, "selected": True,
    }  # fmt: skip
    assert (body["offset"], body["limit"], body["sort"]) == (0, 20, "relevance")


def test_offset_and_limit_page_through_the_same_hits(client):
    whole = client.get("/api/search", params={"q": "drug:valium", "limit": 50}).json()
    assert whole["total"] >= 4
    pages = [
        client.get("/api/search", params={"q": "drug:valium", "limit": 2, "offset": o}).json()
        for o in range(0, whole["total"], 2)
    ]
    assert [h["citation"] for p in pages for h in p["hits"]] == [
        h["citation"] for h in whole["hits"]
    ]


def test_sort_by_date_gives_no_scores_and_facets_take_both_spellings(client):
    body = client.get(
        "/api/search", params=[("q", "drug:valium"), ("sort", "date"), ("facet", "drug,year")]
    ).json()
    assert {h["score"] for h in body["hits"]} == {None}
    assert set(body["facets"]) == {"drug", "year"}


@pytest.mark.parametrize(
    ("params", "message", "position"),
    [
        ({"q": "outcome:("}, "never closed", 8),
        ({"q": "outcome:maybe"}, "maybe", 8),
        ({"q": "drug:valium", "sort": "newest"}, "unknown sort", None),
        ({}, "'q' is required", None),
        ({"q": " "}, "'q' is required", None),
        ({"q": "drug:valium", "limit": "ten"}, "whole number", None),
        ({"q": "drug:valium", "limit": 5000}, "between 0 and 1000", None),
        ({"q": "drug:valium", "offset": 9999, "limit": 5}, "at most 10000", None),
        ({"q": "drug:valium", "facet": "colour"}, "unknown facet 'colour'", None),
    ],
)
def test_a_bad_request_is_a_400_with_message_position_and_hint(client, params, message, position):
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert message in error["message"]
    assert error["position"] == position
    assert set(error) == {"message", "position", "hint", "query"}


def test_a_letter_is_the_show_json_shape(client, web_index):
    answer = client.get("/api/letters/CM16-0213037")
    assert answer.status_code == 200
    assert answer.json() == json.loads(
        json.dumps(api.show("CM16-0213037", web_index).to_dict(include_text=True))
    )


def test_a_letter_not_in_the_index_is_a_404_that_says_so(client):
    answer = client.get("/api/letters/CM99-0000000")
    assert answer.status_code == 404
    assert "no letter" in answer.json()["error"]["message"]


def test_no_file_outside_the_index_is_served(client):
    for path in ("/api/letters/%2Fetc%2Fpasswd", "/api/letters/../../etc/passwd",
                 "/static/../app.py", "/static/%2e%2e/app.py", "/etc/passwd"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "root:" not in answer.text and "make_app" not in answer.text


def test_fields_come_from_the_registry(client):
    body = client.get("/api/fields").json()
    assert [f["name"] for f in body["fields"]] == [f.name for f in api.QUERY_FIELDS]
    assert body["facets"] == list(api.FACETS)
    assert body["sorts"] == ["relevance", "date"]


def test_the_openapi_description_names_every_endpoint(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/search", "/api/letters/{case}", "/api/fields", "/export.csv", "/export.json",
    }  # fmt: skip


def test_the_csv_export_has_every_hit(client, web_index):
    answer = client.get("/export.csv", params={"q": "outcome:upheld"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    expected = [h.citation() for h in api.open_searcher(web_index).iter_hits("outcome:upheld")]
    assert [r[0] for r in rows[1:]] == expected
    assert len(expected) > 20  # more than one page


def test_the_json_export_is_the_whole_json_answer(client, web_index):
    body = client.get("/export.json", params={"q": "outcome:upheld", "sort": "date"}).json()
    expected = api.search("outcome:upheld", web_index, limit=None, sort="date")
    assert body["total"] == len(body["hits"]) == expected.total
    assert body["hits"] == [json.loads(json.dumps(hit_dict(h, True))) for h in expected.hits]


def test_an_export_of_a_bad_query_is_a_400_before_any_row(client):
    for path in ("/export.csv", "/export.json"):
        answer = client.get(path, params={"q": '"unclosed'})
        assert answer.status_code == 400
        assert answer.json()["error"]["message"]


def test_unknown_paths_and_writes_are_refused(client):
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/api/nothing").json()["error"]["message"] == "no page at /api/nothing"
    answer = client.post("/api/search", params={"q": "x"})
    assert answer.status_code == 405


def test_with_a_token_every_request_needs_it(web_index):
    with serving(web_index, "--token", TOKEN) as base, httpx.Client(base_url=base) as c:
        assert c.get("/api/fields").status_code == 401
        assert c.get("/api/fields").json()["error"]["message"] == "a token is required"
        assert c.get("/", params={"q": "x"}).status_code == 401
        wrong = {"authorization": "Bearer " + TOKEN[:-1] + "x"}
        assert c.get("/api/fields", headers=wrong).status_code == 401
        right = {"authorization": f"Bearer {TOKEN}"}
        assert c.get("/api/fields", headers=right).status_code == 200
        moved = c.get("/", params={"q": "drug:valium", "token": TOKEN})
        assert moved.status_code == 303
        assert moved.headers["location"] == "/?q=drug%3Avalium"  # the token left the URL
        assert "httponly" in moved.headers["set-cookie"].lower()
        assert c.get("/?q=drug:valium").status_code == 200  # the cookie now


def test_a_token_comes_from_a_file(web_index, tmp_path):
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n")
    with serving(web_index, "--token-file", str(secret)) as base:
        assert httpx.get(base + "/api/fields").status_code == 401
        ok = httpx.get(base + "/api/fields", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200


def test_every_answer_forbids_inline_script(client):
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
