"""A small text extractor for the PDFs WeasyPrint writes, for tests: no PDF reader is installed
(no pdftotext, no pypdf), and a test of a letter's content must read the PDF itself, not only the
HTML it came from.

It reads every object (also those inside object streams), inflates Flate streams, maps each
font's glyph codes to text through the font's ToUnicode CMap, and follows the text operators
(Tf, Tj, TJ) of the page content streams. Enough for WeasyPrint's output; not a general reader.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_REF = rb"(\d+) 0 R"


def _inflate(body: bytes) -> bytes | None:
    m = _STREAM.search(body)
    if m is None:
        return None
    data = m.group(1)
    if b"/FlateDecode" in body.split(b"stream", 1)[0]:
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompressobj().decompress(data)
    return data


def _objects(pdf: bytes) -> dict[int, bytes]:
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(pdf)}
    for body in list(objects.values()):
        if b"/ObjStm" not in body.split(b"stream", 1)[0]:
            continue
        first = int(re.search(rb"/First (\d+)", body).group(1))  # type: ignore[union-attr]
        data = _inflate(body) or b""
        header = [int(x) for x in data[:first].split()]
        pairs = list(zip(header[::2], header[1::2], strict=True))
        for i, (num, offset) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < len(pairs) else len(data) - first
            objects[num] = data[first + offset : first + end]
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def text(hexes: bytes) -> str:
        raw = bytes.fromhex(hexes.decode())
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(dst, 16)
            for n, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + n)
    return mapping


def pdf_text(pdf: bytes) -> str:
    objects = _objects(pdf)
    # Font resource names (/F1) to their ToUnicode maps, over every resource dictionary.
    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        font_dicts = re.findall(rb"/Font\s*<<(.*?)>>", body, re.S)
        font_dicts += [objects.get(int(n), b"") for n in re.findall(rb"/Font\s+" + _REF, body)]
        for dict_body in font_dicts:
            for name, num in re.findall(rb"/([A-Za-z0-9_.+-]+)\s+" + _REF, dict_body):
                font = objects.get(int(num), b"")
                to_unicode = re.search(rb"/ToUnicode\s+" + _REF, font)
                if to_unicode is None:
                    continue
                cmap_data = _inflate(objects.get(int(to_unicode.group(1)), b"")) or b""
                fonts[name] = _cmap(cmap_data)
    out: list[str] = []
    for body in objects.values():
        head = body.split(b"stream", 1)[0]
        if b"stream" not in body or b"/Length1" in head or b"/ObjStm" in head or b"/XRef" in head:
            continue
        content = _inflate(body) or b""
        if b"Tf" not in content:
            continue
        current: dict[int, str] = {}
        for token in re.finditer(
            rb"/([A-Za-z0-9_.+-]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj|(ET)",
            content,
            re.S,
        ):
            if token.group(1):
                current = fonts.get(token.group(1), {})
            elif token.group(2) is not None or token.group(3) is not None:
                hexes = token.group(3) or b"".join(re.findall(rb"<([0-9A-Fa-f]*)>", token.group(2)))
                raw = bytes.fromhex(hexes.decode())
                out.append(
                    "".join(
                        current.get(int.from_bytes(raw[i : i + 2], "big"), "")
                        for i in range(0, len(raw), 2)
                    )
                )
            else:
                out.append("\n")
    return "".join(out)
