"""Hostile queries and mangled letters: the query language fails only with `QueryError`, the CLI
only with exit 2 and a message, no query runs unbounded, and the parser never raises and is not
thrown by page breaks, blank lines or trailing spaces between lines."""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import time
from functools import cache
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from imrsearch import api, cli
from imrsearch.engine.documents import letter_documents
from imrsearch.engine.query import make_parser, parse_query
from imrsearch.engine.registry import FIELDS, field_names
from imrsearch.engine.schema import FACET_FIELDS, build_schema
from imrsearch.engine.search import SORTS
from imrsearch.errors import BadFile, QueryError
from imrsearch.ingest.extract import decode_text, extract_text
from imrsearch.ingest.parser import parse_text
from imrsearch.model import Letter

SHORT, LONG = 200, 3000
SLOW_QUERY_SECONDS = 5.0
FUZZ = settings(
    max_examples=SHORT,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FUZZ_LONG = settings(FUZZ, max_examples=LONG)

# --- queries ---------------------------------------------------------------------------------

# fmt: off
WORDS = (
    "valium", "diazepam", "medically", "necessary", "opioid", "opioids", "norco", "mri", "upheld",
    "overturned", "pain", "not", "no", "provision", "modify", "tapering", "acupuncture", "lumbar",
    "ab", "x", "80", "75-80", "2016", "café", "OR", "AND", "NOT", "TO",
)
VALUES = (
    *WORDS, "2016-12-01", "2016-12", "2016", "12/01/2016", "2016-13-45", "02/30/2016", "60", "-1",
    "0", "99999999999999999999", "cm16-0213037", "d", "unknown", "female", '"muscle relaxant"',
    '"pain medicine"',
)
SYNTAX = (
    " AND ", " OR ", " NOT ", "(", ")", '"', "*", "?", "~", "~1", "~2", "^2", "^", ":", "[", "]",
    "{", "}", " TO ", ">", "<", ">=", "<=", "-", "+", "'", "\\", "/", "!",
)
# fmt: on
FIELD_NAMES = (*field_names(), "unknown", "kind", "path", "record", "facet_outcome", "number")
# Documented examples: the field help texts and the query examples in `imrsearch query -h`.
DOCUMENTED = sorted(
    {
        *(f.example for f in FIELDS),
        *re.findall(r"imrsearch query '([^']+)'", cli.QUERY_HELP),
    }
)
# Each alone would scan the whole vocabulary, or build an automaton exponential in its distance.
EXPENSIVE = ("*a*", "*", "?", "a*", "a?", "service:a*", "?ab*", "medically~8", "necessaryxyz~6")


def words(fuzzy_digits: str) -> st.SearchStrategy[str]:
    """A word, perhaps a wildcard, a fuzzy term (with a distance from `fuzzy_digits`) or boosted."""
    suffixes = ("", "", "*", "?", "~", "^2", *(f"~{d}" for d in fuzzy_digits))
    return st.builds(lambda w, s: w + s, st.sampled_from(WORDS), st.sampled_from(suffixes))


def terms(fuzzy_digits: str) -> st.SearchStrategy[str]:
    field = st.sampled_from(FIELD_NAMES)
    value = st.sampled_from(VALUES)
    return st.one_of(
        words(fuzzy_digits),
        st.builds("{}:{}".format, field, st.one_of(value, words(fuzzy_digits))),
        st.builds("{}:[{} TO {}]".format, field, value, value),
        st.builds("{}:{}{}".format, field, st.sampled_from(("<", ">", ">=", "<=")), value),
        st.builds('"{} {}"~{}'.format, *(st.sampled_from(WORDS),) * 2, st.integers(0, 9)),
        st.sampled_from(SYNTAX),
        st.text(max_size=6),
    )


def queries(fuzzy_digits: str = "12") -> st.SearchStrategy[str]:
    """Random queries from the language's pieces, and documented queries mutated."""
    built = st.lists(terms(fuzzy_digits), min_size=1, max_size=8).map(" ".join)
    return st.one_of(built, mutated(st.sampled_from(DOCUMENTED), st.sampled_from(SYNTAX)))


@st.composite
def mutated(draw, texts, pieces) -> str:
    """A text with a few deletions, insertions, duplications and truncations."""
    text = draw(texts)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, len(text)))
        text = draw(
            st.sampled_from(
                (
                    text[:i] + text[j:],
                    text[:i] + draw(pieces) + text[i:],
                    text[:j] + text[i:j] + text[j:],
                    text[:j],
                )
            )
        )
    return text


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """TimeoutError if the block runs longer than `seconds` (None: no limit)."""
    if seconds is None:
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"ran over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def searcher(samples_index):
    with api.open_searcher(samples_index) as opened:
        yield opened


@pytest.fixture(scope="module")
def parser():
    return make_parser(build_schema())


@FUZZ
@given(text=queries())
def test_parse_query_raises_only_query_error(parser, text):
    with contextlib.suppress(QueryError):
        parse_query(parser, text)


@pytest.mark.slow
@FUZZ_LONG
@given(text=queries("0123456789"))
def test_parse_query_raises_only_query_error_long(parser, text):
    with contextlib.suppress(QueryError):
        parse_query(parser, text)


def search_once(searcher, text: str, sort: str, facets: tuple[str, ...], bound: float | None):
    started = time.perf_counter()
    try:
        with time_limit(bound):
            result = searcher.search(text, limit=5, sort=sort, facets=facets)
    except QueryError as error:
        assert error.message
        return
    assert result.total >= len(result.hits)
    assert bound is None or time.perf_counter() - started < bound


FACETS = st.lists(st.sampled_from(FACET_FIELDS), max_size=3, unique=True).map(tuple)


@FUZZ
@given(text=queries(), sort=st.sampled_from(SORTS), facets=FACETS)
def test_search_raises_only_query_error(searcher, text, sort, facets):
    search_once(searcher, text, sort, facets, bound=None)


@pytest.mark.slow
@FUZZ_LONG
@given(text=queries(), sort=st.sampled_from(SORTS), facets=FACETS)
def test_search_raises_only_query_error_long(searcher, text, sort, facets):
    search_once(searcher, text, sort, facets, bound=None)


@pytest.mark.slow
@settings(FUZZ_LONG, max_examples=1000, phases=[Phase.explicit, Phase.generate])
@given(
    text=st.one_of(
        queries("0123456789"), st.lists(words("0123456789"), min_size=1, max_size=3).map(" ".join)
    ),
    sort=st.sampled_from(SORTS),
    facets=FACETS,
)
def test_search_time_is_bounded_long(searcher, text, sort, facets):
    """Any fuzzy distance (and half the cases plain words, so that wide fuzzy terms are not
    hidden behind syntax errors), every query timed: none may take SLOW_QUERY_SECONDS. Not
    shrunk: a query near the bound passes or fails with the machine's load."""
    search_once(searcher, text, sort, facets, bound=SLOW_QUERY_SECONDS)


@pytest.mark.parametrize("field", FIELDS)
def test_phrase_in_any_field(searcher, field):
    """A quoted phrase where the field holds single values: an answer or a `QueryError`."""
    with contextlib.suppress(QueryError):
        searcher.search(f'{field}:"upheld overturned"')


@pytest.mark.parametrize("text", DOCUMENTED)
def test_documented_queries_answer(searcher, text):
    searcher.search(text, limit=5, facets=FACET_FIELDS)


@pytest.mark.parametrize("text", EXPENSIVE)
def test_expensive_queries_are_refused(parser, text):
    with pytest.raises(QueryError) as refused:
        parse_query(parser, text)
    assert refused.value.hint or refused.value.position is not None


@pytest.mark.parametrize("text", ["ab*", "opio*", "opiod~", "opiod~2", "service:mri*"])
def test_bounded_wildcards_and_fuzzy_terms_are_allowed(parser, text):
    parse_query(parser, text)


# --- the command line ------------------------------------------------------------------------

OPTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("--limit"), st.integers(-2, 10**6).map(str)),
        st.tuples(st.just("--sort"), st.sampled_from((*SORTS, "size", ""))),
        st.tuples(st.just("--facet"), st.sampled_from(("outcome,drug", "year", "nope", ",", ""))),
        st.tuples(st.just("--facet-limit"), st.sampled_from(("0", "1", "x"))),
        st.sampled_from((("--json",), ("--csv",), ("--all",), ("--bogus",))),
    ),
    max_size=3,
).map(lambda groups: [arg for group in groups for arg in group])
COMMANDS = st.one_of(
    st.builds(lambda q, o: ["query", q, *o], queries(), OPTIONS),
    st.builds(
        lambda case, d: ["show", case, *d],
        st.sampled_from(("CM16-0213037", "CM00-0000000", "", "--", "case:x")),
        st.sampled_from(([], ["-d", "1"], ["-d", "99"], ["-d", "0"], ["--json"])),
    ),
    st.sampled_from((["index", "errors", "--json"], ["index", "info"], ["index"], ["nope"])),
)


def run_main(args: list[str]) -> tuple[int, str]:
    """`imrsearch ARGS` in-process through `cli.main`: (exit code, stderr)."""
    with CliRunner().isolation() as (_, stderr, _), mock.patch.object(sys, "argv", args):
        try:
            cli.main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        sys.stderr.flush()
        return code, stderr.getvalue().decode()


@settings(FUZZ, max_examples=40)
@given(args=COMMANDS)
def test_cli_errors_exit_2_with_a_message(samples_index, args):
    code, stderr = run_main(["imrsearch", *args, "--index", str(samples_index)])
    assert "Traceback" not in stderr
    assert code in (0, 1, 2), stderr
    if code == 2:
        assert re.search(r"error", stderr, re.IGNORECASE), stderr


# --- the letter parser -----------------------------------------------------------------------

SEEDS = Path(__file__).resolve().parents[2] / "samples"
SOURCES = sorted(
    {
        path.read_bytes(): path
        for folder in (SEEDS, api.samples_dir())
        if folder.is_dir()
        for path in folder.iterdir()
        if path.suffix in (".txt", ".pdf")
    }.values()
)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252")
NOISE = ("\f", "", "   ", "Page 2 of 3", "Claims Administrator guideline:", ": Upheld", "“é” –")


@cache
def letter(path: Path) -> str:
    """A real letter's text (PDFs through the project's extractor)."""
    return extract_text(path)


@cache
def items(path: Path) -> list[tuple[str, str]]:
    return [(d.service, d.outcome) for d in parse_text(letter(path), path.name).decisions]


@st.composite
def mangled(draw) -> str:
    """A real letter with lines deleted, duplicated, shuffled or added, page breaks anywhere,
    and perhaps a trip through another encoding and back through `decode_text`."""
    lines = letter(draw(st.sampled_from(SOURCES))).split("\n")
    for _ in range(draw(st.integers(0, 10))):
        i = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from(("delete", "duplicate", "shuffle", "insert")))
        if op == "delete":
            del lines[i : i + draw(st.integers(1, 5))]
        elif op == "duplicate":
            lines[i:i] = lines[i : i + draw(st.integers(1, 5))]
        elif op == "shuffle":
            chunk = lines[i : i + draw(st.integers(2, 20))]
            lines[i : i + len(chunk)] = draw(st.permutations(chunk))
        else:
            lines.insert(i, draw(st.one_of(st.sampled_from(NOISE), st.text(max_size=40))))
    text = "\n".join(lines)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        text = text[:i] + "\f" + text[i:]
    encoding = draw(st.sampled_from((None, *ENCODINGS)))
    if encoding:
        with contextlib.suppress(BadFile):
            text = decode_text(text.encode(encoding, errors="replace"))
    return text


def check_never_raises(text: str) -> None:
    parsed = parse_text(text, "fuzz.txt", strict=True)
    assert Letter.from_dict(parsed.to_dict(include_text=True)).decisions == parsed.decisions
    letter_documents(parsed)


@FUZZ
@given(text=mangled())
def test_parser_never_raises(text):
    check_never_raises(text)


@pytest.mark.slow
@FUZZ_LONG
@given(text=mangled())
def test_parser_never_raises_long(text):
    check_never_raises(text)


@st.composite
def reflowed(draw) -> tuple[Path, str]:
    """A real letter with only page breaks, blank lines and trailing spaces between its lines,
    in an encoding `decode_text` reads back exactly."""
    path = draw(st.sampled_from(SOURCES))
    gaps = st.sampled_from(("\n", "\n", "\n", "\n\n", "\n\f", "\f\n", "\n \n", "\r\n", "  \n\f\n"))
    lines = letter(path).split("\n")
    text = "".join(line + draw(gaps) for line in lines)
    encoding = draw(st.sampled_from(ENCODINGS[:-1]))
    return path, decode_text(text.encode(encoding))


def check_same_items(path: Path, text: str) -> None:
    assert items(path), f"{path.name}: no items in the original"
    assert [(d.service, d.outcome) for d in parse_text(text, path.name).decisions] == items(path)


@FUZZ
@given(case=reflowed())
def test_parser_is_not_thrown_by_page_breaks_and_blank_lines(case):
    check_same_items(*case)


@pytest.mark.slow
@FUZZ_LONG
@given(case=reflowed())
def test_parser_is_not_thrown_by_page_breaks_and_blank_lines_long(case):
    check_same_items(*case)
