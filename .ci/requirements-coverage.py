#!/usr/bin/env python3
"""Requirements coverage: which tests cite which requirement identifier.

Reads the identifiers of REQUIREMENTS.md (../shared/REQUIREMENTS.md beside the repository, or the file
given with --requirements or in SPLITNVE_REQUIREMENTS), scans every test method under */src/test/java
for the identifiers it cites (in its name, its display name or @Label, a comment on it or a comment in
its body; "A-2..A-5" and "A-2..5" cite the range), and writes docs/requirements-coverage.md: per
identifier, the tests that cite it, one line each saying what the test asserts (its display name).

Exit status: 0 when every identifier has a test or is on the not-yet-implemented list
(.ci/requirements-not-yet.txt, each entry naming its issue); 1 when one has none (listed on stderr), when
REQUIREMENTS.md is missing, or when the not-yet list names an identifier REQUIREMENTS.md does not have.
With --check the document is not written, and a document that differs from what would be written is an
error too (exit 1).

Python 3 standard library only.
"""

import argparse
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "requirements-coverage.md"
NOT_YET = REPO / ".ci" / "requirements-not-yet.txt"
TEST_ANNOTATIONS = ("Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate", "Property",
                    "Example")
# An identifier as REQUIREMENTS.md writes it, at the start of a list item: "- REQ-1 ", "- SM-TSI-2 ".
DEFINITION = re.compile(r"^- ([A-Z]+(?:-[A-Z0-9]+)+)\s+(.*)$")
# An identifier, or a range of them, in test text.
CITATION = re.compile(r"(?<![A-Za-z0-9_-])([A-Z]+(?:-[A-Z]+)*)-([A-Z0-9]+)(?:\.\.(?:\1-)?([A-Z0-9]+))?(?![A-Za-z0-9_])")


def fail(message):
    print("requirements-coverage: " + message, file=sys.stderr)
    sys.exit(1)


def read_requirements(path):
    if not path.is_file():
        fail(f"{path} is missing: the requirement identifiers come from it (CI's clone has ../shared/"
             "REQUIREMENTS.md beside the repository; give another with --requirements FILE)")
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = DEFINITION.match(line)
        if m:
            ids.append((m.group(1), m.group(2).strip()))
    if not ids:
        fail(f"{path} defines no identifier (lines '- ID statement')")
    return ids


def read_not_yet(path, known):
    """The not-yet-implemented list: 'ID  issue N: why' per line; '#' comments and blank lines ignored."""
    entries = {}
    if not path.is_file():
        return entries
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        ident = parts[0]
        why = parts[1].strip() if len(parts) > 1 else ""
        if not re.search(r"\bissue\b", why):
            fail(f"{path.name}:{n}: {ident}: each entry names its issue ('issue N: what is missing')")
        if ident not in known:
            fail(f"{path.name}:{n}: {ident} is not an identifier of REQUIREMENTS.md")
        entries[ident] = why
    return entries


# ---------------------------------------------------------------------------------------------- Java scanning

def mask(src):
    """Returns (code, comments): the source with comments and literals blanked, and the comment texts with
    their offsets. Offsets and line breaks are kept, so positions match the original."""
    code = list(src)
    comments = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            comments.append((i, src[i + 2:j]))
            for k in range(i, j):
                code[k] = " "
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            comments.append((i, src[i + 2:j - 2]))
            for k in range(i, j):
                if code[k] != "\n":
                    code[k] = " "
            i = j
        elif src.startswith('"""', i):
            j = src.find('"""', i + 3)
            j = n if j < 0 else j + 3
            for k in range(i, j):
                if code[k] != "\n":
                    code[k] = " "
            i = j
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j += 1
            for k in range(i + 1, min(j - 1, n)):
                code[k] = " "
            i = j
        else:
            i += 1
    return "".join(code), comments


def string_literals(text):
    """The concatenation of the Java string literals in an annotation's argument text."""
    out = []
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
        out.append(bytes(m.group(1), "utf-8").decode("unicode_escape") if "\\" in m.group(1) else m.group(1))
    return "".join(out)


def matching(code, open_at, opening, closing):
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == opening:
            depth += 1
        elif code[i] == closing:
            depth -= 1
            if depth == 0:
                return i
    return len(code) - 1


def member_start(code, at):
    """Where the member whose annotation is at {@code at} starts: back over whitespace (and the comments,
    blanked in {@code code}) and the annotations before it, to the end of the previous member."""
    i = at
    while i > 0:
        j = i
        while j > 0 and code[j - 1].isspace():
            j -= 1
        if j > 0 and code[j - 1] == ")":
            depth = 0
            k = j - 1
            while k >= 0:
                if code[k] == ")":
                    depth += 1
                elif code[k] == "(":
                    depth -= 1
                    if depth == 0:
                        break
                k -= 1
            j = k
            while j > 0 and code[j - 1].isspace():
                j -= 1
        a = re.search(r"@[\w.]+$", code[max(0, j - 200):j])
        if not a:
            return j
        i = j - (len(a.group(0)))
    return 0


ANNOTATION = re.compile(r"@(" + "|".join(TEST_ANNOTATIONS) + r")\b")
METHOD = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def test_methods(path):
    """Yields (method, display name, cited text) for each test method of one Java file."""
    src = path.read_text(encoding="utf-8")
    code, comments = mask(src)
    seen = set()
    for m in ANNOTATION.finditer(code):
        # The method this annotation belongs to: the first "name(" after the annotations that is followed by a
        # body; annotation arguments are skipped by matching their parentheses.
        i = m.end()
        while True:
            while i < len(code) and code[i].isspace():
                i += 1
            if code.startswith("(", i):
                i = matching(code, i, "(", ")") + 1
                continue
            if code.startswith("@", i):
                a = re.match(r"@[\w.]+", code[i:])
                i += a.end()
                continue
            break
        sig = METHOD.search(code, i)
        if not sig:
            continue
        name = sig.group(1)
        body_open = code.find("{", sig.end())
        if body_open < 0 or sig.start() in seen:
            continue
        seen.add(sig.start())
        body_close = matching(code, body_open, "{", "}")
        start = member_start(code, m.start())
        header = src[start:sig.start()]
        display = ""
        for dm in re.finditer(r"@(DisplayName|Label)\s*\(", header):
            close = matching(header, dm.end() - 1, "(", ")")
            display = string_literals(header[dm.end():close])
        own_comments = [text for at, text in comments if start <= at < body_close]
        cited = " ".join([name, display] + own_comments)
        yield name, " ".join(display.split()), own_comments, cited


def first_sentence(comments):
    text = " ".join(" ".join(c.replace("*", " ").split()) for c in comments).strip()
    m = re.match(r"(.+?[.:;])(\s|$)", text)
    return (m.group(1) if m else text)[:300]


def cited_ids(text, known):
    out = set()
    for m in CITATION.finditer(text):
        prefix, first, last = m.group(1), m.group(2), m.group(3)
        ident = f"{prefix}-{first}"
        if last is None:
            if ident in known:
                out.add(ident)
            continue
        if first.isdigit() and last.isdigit():
            for k in range(int(first), int(last) + 1):
                if f"{prefix}-{k}" in known:
                    out.add(f"{prefix}-{k}")
        else:
            for ident in (f"{prefix}-{first}", f"{prefix}-{last}"):
                if ident in known:
                    out.add(ident)
    return out


def scan(known):
    """identifier -> [(location, what it asserts)], sorted."""
    found = {k: [] for k in known}
    for path in sorted(REPO.glob("*/src/test/java/**/*.java")):
        rel = path.relative_to(REPO)
        module = rel.parts[0]
        cls = path.stem
        for name, display, comments, cited in test_methods(path):
            ids = cited_ids(cited, known)
            if not ids:
                continue
            what = display or first_sentence(comments) or "(no display name)"
            where = f"{module}/.../{cls}.{name}"
            for ident in ids:
                found[ident].append((where, what))
    for ident in found:
        found[ident].sort()
    return found


# ---------------------------------------------------------------------------------------------- the document

def render(ids, found, not_yet, requirements_name):
    lines = [
        "# Requirements coverage",
        "",
        "Generated from the test sources by `.ci/requirements-coverage.py`; do not edit by hand. `./splitnve test`",
        "(what CI runs) regenerates it after the tests, and fails when a requirement identifier has no test,",
        "unless it is on the list of identifiers not yet implemented, `.ci/requirements-not-yet.txt`, where each",
        "entry names the issue that will implement it. `python3 .ci/requirements-coverage.py` regenerates it",
        "alone; `--check` fails when this file is out of date.",
        "",
        "A test cites an identifier in its name, its display name (`@DisplayName`, `@Label`), or a comment on it",
        "or in its body (`A-2..A-5` cites the range), as `" + requirements_name + "` asks. Each line below names",
        "the test (`module/.../Class.method`) and says what it asserts: its display name. A citation is a claim",
        "that the test drives the product to the behaviour the identifier names; tests of the harness or of a",
        "codec agreeing with itself do not cite product requirements.",
        "",
    ]
    uncovered = [i for i, _ in ids if not found[i]]
    if not_yet:
        lines += [
            "**Not yet implemented** (no test yet, allowed while their issues are open): "
            + ", ".join(f"{i}" for i, _ in ids if i in not_yet and not found[i]) + ". Each is listed with its issue",
            "in `.ci/requirements-not-yet.txt`; the check fails for any other identifier without a test.",
            "",
        ]
    lines += ["| identifier | tests |", "|---|---|"]
    for ident, _ in ids:
        n = len(found[ident])
        note = str(n) if n else ("none: not yet implemented (" + not_yet[ident] + ")" if ident in not_yet
                                 else "**none**")
        lines.append(f"| [{ident}](#{ident.lower()}) | {note} |")
    lines.append("")
    for ident, statement in ids:
        lines += [f"## {ident}", "", "> " + statement, ""]
        if not found[ident]:
            lines += ["No test yet" + (": not yet implemented, " + not_yet[ident] if ident in not_yet else "") + ".", ""]
            continue
        for where, what in found[ident]:
            lines.append(f"- `{where}`: {what}")
        lines.append("")
    return "\n".join(lines), uncovered


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requirements", type=Path,
                    default=Path(os.environ.get("SPLITNVE_REQUIREMENTS", REPO.parent / "shared" / "REQUIREMENTS.md")))
    ap.add_argument("--check", action="store_true", help="do not write the document; fail if it is out of date")
    args = ap.parse_args()

    ids = read_requirements(args.requirements)
    known = {i for i, _ in ids}
    not_yet = read_not_yet(NOT_YET, known)
    found = scan(known)
    text, uncovered = render(ids, found, not_yet, "REQUIREMENTS.md")

    status = 0
    if args.check:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"requirements-coverage: {DOC.relative_to(REPO)} is out of date: run "
                  "python3 .ci/requirements-coverage.py and commit it", file=sys.stderr)
            status = 1
    else:
        old = DOC.read_text(encoding="utf-8") if DOC.is_file() else None
        DOC.write_text(text, encoding="utf-8")
        if old != text:
            print(f"requirements-coverage: {DOC.relative_to(REPO)} updated (commit it)")
    allowed = [i for i in uncovered if i in not_yet]
    missing = [i for i in uncovered if i not in not_yet]
    covered_but_listed = [i for i in not_yet if found[i]]
    covered = len(ids) - len(uncovered)
    print(f"requirements-coverage: {covered} of {len(ids)} identifiers have tests; "
          f"{len(allowed)} not yet implemented ({', '.join(allowed) or 'none'})")
    for i in covered_but_listed:
        print(f"requirements-coverage: note: {i} has tests now; remove it from {NOT_YET.relative_to(REPO)}")
    if missing:
        print("requirements-coverage: no test cites " + ", ".join(missing)
              + " (and none is on the not-yet-implemented list)", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
