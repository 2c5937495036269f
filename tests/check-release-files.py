#!/usr/bin/env python3
# Checks what a distribution reads besides the code: the licence text, NEWS
# and the DOAP file for this version, CONTRIBUTING.md, a copyright line and
# the licence in every source file's header, and no comment that points at a
# file outside the project. Prints TAP.
#
#   check-release-files.py SOURCE_ROOT VERSION
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

root, version = sys.argv[1], sys.argv[2]
results = []


def check(ok, what, details=()):
    results.append((ok, what, list(details)))


def read(name):
    with open(os.path.join(root, name), encoding="utf-8") as f:
        return f.read()


def sources():
    """The project's files, from git when this is a clone, else by walking."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
        if out:
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(("_build", ".", "build"))]
        found += [os.path.relpath(os.path.join(d, f), root) for f in files]
    return found


copying = read("COPYING")
check("GNU LESSER GENERAL PUBLIC LICENSE" in copying and "Version 2.1, February 1999" in copying
      and "END OF TERMS AND CONDITIONS" in copying,
      "COPYING holds the full text of the LGPL 2.1")

news = read("NEWS").splitlines()
check(bool(news) and version in news[0], f"NEWS starts with the changes in {version}")

doap = ET.parse(os.path.join(root, "foundation-concurrency.doap")).getroot()
ns = {"d": "http://usefulinc.com/ns/doap#"}
revisions = [r.text for r in doap.iterfind(".//d:release/d:Version/d:revision", ns)]
check(version in revisions, f"foundation-concurrency.doap lists release {version}", revisions)

check(os.path.isfile(os.path.join(root, "CONTRIBUTING.md")), "CONTRIBUTING.md exists")

code = [f for f in sources()
        if re.search(r"\.(c|h|h\.in|py|js|vala|sh)$", f) and os.path.isfile(os.path.join(root, f))]
missing = []
for f in code:
    head = "\n".join(read(f).splitlines()[:15])
    if "SPDX-License-Identifier: LGPL-2.1-or-later" not in head or \
            not re.search(r"Copyright \d{4}", head):
        missing.append(f)
check(not missing, f"{len(code)} source files carry a copyright line and the licence", missing)

# A path that climbs out of the tree, or a machine-specific one, in any file.
outside = re.compile(r"\.\./(\.\./)*shared/|/work/|\.\./\.\./\.\./")
pointing = []
for f in sources():
    path = os.path.join(root, f)
    if f == "COPYING" or not os.path.isfile(path) or f.endswith(".po"):
        continue
    try:
        text = read(f)
    except UnicodeDecodeError:
        continue
    for n, line in enumerate(text.splitlines(), 1):
        if outside.search(line) and "outside = re.compile" not in line:
            pointing.append(f"{f}:{n}: {line.strip()}")
check(not pointing, "no file points at a file outside the project", pointing)

print(f"1..{len(results)}")
for i, (ok, what, details) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {what}")
    if not ok:
        for d in details:
            print(f"# {d}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
