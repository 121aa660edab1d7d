"""Small PDFs that make PDFium run out of memory or time, generated when a test needs them
(nothing hostile is committed)."""

from __future__ import annotations

import functools
import zlib


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), entries, data)


def _pages(page_count: int, page_entries: bytes, extra: list[bytes]) -> list[bytes]:
    """Catalog, page tree, `page_count` pages sharing content stream 4, then `extra` from 4."""
    first_page = 4 + len(extra)
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(page_count))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R %s >>"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, page_count),
        b"<< >>",  # unused: keeps the content stream at object 4
        *extra,
        *[page % page_entries] * page_count,
    ]


@functools.cache
def memory_bomb(mebibytes: int = 2048) -> bytes:
    """About 5 KB: a content stream of `mebibytes` MiB of spaces, compressed twice. PDFium
    inflates all of it before it reads an operator (3 GB resident for the default)."""
    content = _stream(
        zlib.compress(_spaces_deflated(mebibytes), 9), b"/Filter [/FlateDecode /FlateDecode]"
    )
    return _pdf(_pages(1, b"", [content]))


def _spaces_deflated(mebibytes: int) -> bytes:
    """zlib data for `mebibytes` MiB of spaces, made without making them: after a full flush
    the compressor's output for another MiB of spaces is always the same, and the checksum
    of n equal bytes has a closed form."""
    mib = b" " * 2**20
    compressor = zlib.compressobj(9)
    first, repeated = (
        compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH) for _ in range(2)
    )
    end = compressor.flush()[:-4]  # the last, empty block; its checksum follows
    n, byte = mebibytes * 2**20, ord(" ")
    checksum = ((n + byte * n * (n + 1) // 2) % 65521) << 16 | (1 + n * byte) % 65521
    return first + repeated * (mebibytes - 1) + end + checksum.to_bytes(4, "big")


def time_bomb(pages: int = 200, depth: int = 7, fan: int = 8) -> bytes:
    """About 30 KB: every page draws form 1, which draws form 2 `fan` times, and so on `depth`
    deep, so each page costs fan**(depth-1) form draws (about a second and 200 MB each for the
    default; each page frees its memory before the next one)."""
    forms = []
    first_form = 5
    for level in range(depth):
        if level + 1 < depth:
            body = b" ".join([b"/X Do"] * fan)
            resources = b"/Resources << /XObject << /X %d 0 R >> >>" % (first_form + level + 1)
        else:
            body, resources = b"0 0 m", b""
        entries = b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] " + resources
        forms.append(_stream(body, entries))
    content = _stream(b"/X Do")
    resources = b"/Resources << /XObject << /X %d 0 R >> >>" % first_form
    return _pdf(_pages(pages, resources, [content, *forms]))
