#!/usr/bin/env python3
# Checks that every local link of the built manual resolves: each href, src
# and object data of every HTML page names a file that exists and, with a
# #fragment, an id or name in it. A link into another gtk-doc manual ("../glib/…") is
# resolved as it will be once installed, in GTKDOC_HTML_ROOT. Links to other
# sites are not followed. Prints TAP.
#
#   check-doc-links.py HTML_DIR GTKDOC_HTML_ROOT
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import html.parser
import os
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.anchors = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.anchors.add(value)
            if (name == "href" and tag in ("a", "link")) or \
                    (name == "src" and tag in ("img", "script")) or \
                    (name == "data" and tag == "object"):
                self.links.append((self.getpos()[0], value))


def parse(path, cache={}):
    if path not in cache:
        page = Page()
        with open(path, encoding="utf-8", errors="replace") as f:
            page.feed(f.read())
        cache[path] = page
    return cache[path]


def main():
    html_dir, root = sys.argv[1], sys.argv[2]
    installed_dir = os.path.join(root, os.path.basename(os.path.normpath(html_dir)))
    pages = sorted(f for f in os.listdir(html_dir) if f.endswith(".html"))
    broken, checked, external = [], 0, 0
    for name in pages:
        for line, link in parse(os.path.join(html_dir, name)).links:
            url = urllib.parse.urlsplit(link)
            if url.scheme or url.netloc:
                external += 1
                continue
            checked += 1
            path = urllib.parse.unquote(url.path)
            if path == "":
                target = os.path.join(html_dir, name)
            else:
                # As installed: the manual beside the others in root.
                target = os.path.normpath(os.path.join(installed_dir, path))
                if os.path.dirname(target) == os.path.normpath(installed_dir):
                    target = os.path.join(html_dir, os.path.basename(target))
            if not os.path.isfile(target):
                broken.append(f"{name}:{line}: {link}: no file {target}")
            elif url.fragment and target.endswith(".html") and \
                    url.fragment not in parse(target).anchors:
                broken.append(f"{name}:{line}: {link}: no anchor #{url.fragment}")

    print("1..2")
    if pages:
        print(f"ok 1 - {len(pages)} pages in {html_dir}")
    else:
        print(f"not ok 1 - no page in {html_dir}")
    if broken:
        print(f"not ok 2 - {len(broken)} of {checked} local links do not resolve")
        for b in broken:
            print(f"# {b}")
    else:
        print(f"ok 2 - all {checked} local links resolve ({external} to other sites not followed)")
    return 1 if broken or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
