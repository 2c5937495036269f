#!/usr/bin/env python3
# check-snippets.py
#
# Copyright 2026 the foundation-concurrency authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs every code snippet of the README and the manual, so that none can
# rot: fenced blocks tagged c, python, js or vala in Markdown files, and
# <programlisting language="..."> CDATA blocks in DocBook files. Output is
# TAP, one test per snippet.
#
#   check-snippets.py [--expect-failure] [--cc CC] [--pkg-config-path DIR]
#                     [--valac VALAC] [--vapidir DIR] [--gjs GJS] FILE|DIR...
#
# A directory stands for its *.md, *.xml, *.c and *.h files: in C sources,
# the examples of gtk-doc comments (|[<!-- language="C" --> … ]|), whose
# marker is a comment line just before the |[.
# A snippet is a whole program unless the line before it (in Markdown) or
# the comment just before its <programlisting> or <informalexample> (in
# DocBook) says otherwise:
#
#   <!-- snippet: fragment -->   code that assumes a context: it is wrapped
#       in one that has `manager`, an FcLockManager (`async_manager` an
#       FcAsyncLockManager) with accounts (300), ledger (310) and audit-log
#       (320) registered and, in C, `names` ({ "ledger", "accounts" }) and
#       `error`. C fragments are the body of a gboolean function (returning
#       FALSE fails), unless they hold definitions (a line starting with
#       `static ` or `#include`): then they are file scope, compiled only.
#   <!-- snippet: compile -->    C that needs what a test cannot give it (a
#       remote etcd cluster, say): wrapped as a fragment is, compiled, not run.
#   <!-- snippet: skip REASON -->   not run (TAP SKIP, with the reason).
#
# C is compiled with the C compiler given and `pkg-config
# foundation-concurrency-1` (--pkg-config-path: the build's
# meson-uninstalled directory, prepended to PKG_CONFIG_PATH), Vala with
# valac --pkg foundation-concurrency-1 (--vapidir: where the build wrote the
# VAPI), Python with the interpreter running this script, gjs with gjs -m; GI_TYPELIB_PATH, LD_LIBRARY_PATH and PYTHONPATH come from the
# environment. Each runs in an empty directory of its own, and fails if it
# does not build, exits non-zero, runs longer than a minute, or writes a
# GLib warning or critical, a Python traceback or a gjs error to stderr.
# With --expect-failure every snippet must fail instead (the checker's own
# test, on tests/snippets-broken.md). Languages whose tool is missing are
# skipped; otherwise every language must have a snippet.

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

LANGUAGES = {'c': 'c', 'python': 'python', 'py': 'python', 'js': 'js',
             'javascript': 'js', 'vala': 'vala'}

BAD_STDERR = re.compile(r'(CRITICAL|WARNING) \*\*|Traceback \(most recent call last\)|'
                        r'JS ERROR|Gjs-CRITICAL|Gjs-WARNING')

TIMEOUT = 60


class Snippet:
    def __init__(self, path, line, language, code, marker):
        self.path = path
        self.line = line          # of the snippet's first code line, 1-based
        self.language = language
        self.code = code
        self.marker = marker      # '', 'fragment' or 'skip ...'

    @property
    def where(self):
        return '%s:%d' % (os.path.basename(self.path), self.line)


MARKER = re.compile(r'<!--\s*snippet:\s*(.*?)\s*-->')


def markdown_snippets(path, text):
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        m = re.match(r'^```\s*([A-Za-z]+)\s*$', lines[i])
        if m is None:
            i += 1
            continue
        language = m.group(1).lower()
        prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), '')
        marker = MARKER.search(prev)
        end = i + 1
        while end < len(lines) and not lines[end].startswith('```'):
            end += 1
        if language in LANGUAGES:
            yield Snippet(path, i + 2, LANGUAGES[language], '\n'.join(lines[i + 1:end]) + '\n',
                          marker.group(1) if marker else '')
        i = end + 1


LISTING = re.compile(r'((?:<!--(?:(?!-->).)*-->\s*)?)(?:<informalexample>\s*)?'
                     r'<programlisting([^>]*)>(.*?)</programlisting>', re.S)


def docbook_snippets(path, text):
    for m in LISTING.finditer(text):
        language = re.search(r'language="([^"]*)"', m.group(2))
        if language is None or language.group(1).lower() not in LANGUAGES:
            continue
        body = m.group(3)
        marker = MARKER.search(m.group(1))
        marker = marker.group(1) if marker else ''
        cdata = re.fullmatch(r'\s*<!\[CDATA\[\n?(.*?)\]\]>\s*', body, re.S)
        if cdata is None:
            # An xi:include of a program that is a test of its own.
            included = re.search(r'href="([^"]*)"', body)
            marker = 'skip included %s, a test of its own' % (included.group(1) if included else 'text')
            code, start = '', m.start(3)
        else:
            code, start = cdata.group(1), m.start(3) + body.index('<![CDATA[') + len('<![CDATA[')
            if body[body.index('<![CDATA[') + len('<![CDATA['):].startswith('\n'):
                start += 1
        line = text.count('\n', 0, start) + 1
        yield Snippet(path, line, LANGUAGES[language.group(1).lower()], code, marker)


def source_snippets(path, text):
    """The |[<!-- language="C" --> … ]| examples of gtk-doc comments."""
    for m in re.finditer(r'^[ \t]*\*[ \t]*\|\[<!-- language="([^"]*)" -->\n(.*?)^[ \t]*\*[ \t]*\]\|',
                         text, re.S | re.M):
        language = m.group(1).lower()
        if language not in LANGUAGES:
            continue
        before = text[:m.start()].rstrip('\n').rsplit('\n', 1)[-1]
        marker = MARKER.search(before)
        code = ''.join(re.sub(r'^[ \t]*\*( |$)', '', line) + '\n'
                       for line in m.group(2).split('\n')[:-1])
        line = text.count('\n', 0, m.start()) + 2
        yield Snippet(path, line, LANGUAGES[language], code, marker.group(1) if marker else '')


# ---- Wrappers for fragments ---------------------------------------------

C_FILE_SCOPE = '''{include}
#line {line} "{path}"
{code}
int
main (void)
{{
  return 0;
}}
'''

C_BODY = '''#include <foundation-concurrency.h>

static gboolean
snippet (FcLockManager      *manager,
         FcAsyncLockManager *async_manager)
{{
  G_GNUC_UNUSED const char *names[] = {{ "ledger", "accounts", NULL }};
  G_GNUC_UNUSED g_autoptr(GError) error = NULL;

  {{
#line {line} "{path}"
{code}
  }}
  return TRUE;
}}

int
main (void)
{{
  g_autoptr(FcLockManager) manager = fc_lock_manager_new ();
  g_autoptr(FcAsyncLockManager) async_manager = fc_async_lock_manager_new ();
  const struct {{ const char *name; int order; }} locks[] = {{
    {{ "accounts", 300 }}, {{ "ledger", 310 }}, {{ "audit-log", 320 }},
  }};

  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    {{
      g_assert_nonnull (fc_lock_manager_register_lock (manager, locks[i].name, locks[i].order,
                                                       NULL, NULL, NULL));
      g_assert_nonnull (fc_async_lock_manager_register_lock (async_manager, locks[i].name,
                                                             locks[i].order, NULL, NULL, NULL));
    }}
  return snippet (manager, async_manager) ? 0 : 1;
}}
'''

PY_PRELUDE = '''import gi
gi.require_version("Fc", "1")
from gi.repository import Fc, GLib
manager = Fc.LockManager()
async_manager = Fc.AsyncLockManager()
for _name, _order in (("accounts", 300), ("ledger", 310), ("audit-log", 320)):
    manager.register_lock(_name, _order)
    async_manager.register_lock(_name, _order)
'''

JS_PRELUDE = '''import Fc from 'gi://Fc?version=1';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
const manager = Fc.LockManager.new();
const async_manager = Fc.AsyncLockManager.new();
for (const [name, order] of [['accounts', 300], ['ledger', 310], ['audit-log', 320]]) {
    manager.register_lock(name, order, null, null);
    async_manager.register_lock(name, order, null, null);
}
'''

VALA_PRELUDE = '''var manager = new Fc.LockManager ();
var async_manager = new Fc.AsyncLockManager ();
try {
    foreach (var entry in new string[] { "accounts:300", "ledger:310", "audit-log:320" }) {
        var parts = entry.split (":");
        manager.register_lock (parts[0], int.parse (parts[1]), null, null);
        async_manager.register_lock (parts[0], int.parse (parts[1]), null, null);
    }
} catch (GLib.Error e) {
    error ("%s", e.message);
}
'''


def c_is_file_scope(code):
    return re.search(r'^(static |#include)', code, re.M) is not None


def c_source(snippet):
    fields = dict(line=snippet.line, path=snippet.path, code=snippet.code)
    if snippet.marker not in ('fragment', 'compile'):
        return '#line %d "%s"\n%s' % (snippet.line, snippet.path, snippet.code), True
    if c_is_file_scope(snippet.code):
        # Unless it includes the header itself (after its own #defines).
        include = '' if '<foundation-concurrency.h>' in snippet.code else '#include <foundation-concurrency.h>'
        return C_FILE_SCOPE.format(include=include, **fields), False
    return C_BODY.format(**fields), snippet.marker == 'fragment'


# ---- Running ---------------------------------------------------------------

class Failure(Exception):
    pass


def run(command, cwd, what):
    try:
        proc = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failure('%s: no end after %d seconds' % (what, TIMEOUT))
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise Failure('%s: exit status %d\n%s' % (what, proc.returncode, output))
    bad = BAD_STDERR.search(proc.stderr)
    if bad is not None:
        raise Failure('%s: wrote %r to stderr\n%s' % (what, bad.group(0), output))
    return proc


def check_c(snippet, tools, tmp):
    source, runs = c_source(snippet)
    with open(os.path.join(tmp, 'snippet.c'), 'w') as f:
        f.write(source)
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'foundation-concurrency-1'],
                           check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    run(tools.cc + ['-std=gnu11', '-Wall', '-Werror', '-Wno-unused-function',
                    '-Wno-unused-variable', '-Wno-unused-but-set-variable',
                    'snippet.c', '-o', 'snippet'] + shlex.split(flags), tmp, 'compiling')
    if runs:
        run(['./snippet'], tmp, 'running')


def write_script(snippet, prelude, tmp, name):
    """Writes @snippet (after @prelude if it is a fragment) as @name."""
    with open(os.path.join(tmp, name), 'w') as f:
        f.write((prelude if snippet.marker == 'fragment' else '') + snippet.code)


def check_python(snippet, tools, tmp):
    write_script(snippet, PY_PRELUDE, tmp, 'snippet.py')
    run([sys.executable, 'snippet.py'], tmp, 'running')


def check_js(snippet, tools, tmp):
    write_script(snippet, JS_PRELUDE, tmp, 'snippet.js')
    run(tools.gjs + ['-m', 'snippet.js'], tmp, 'running')


def check_vala(snippet, tools, tmp):
    write_script(snippet, VALA_PRELUDE, tmp, 'snippet.vala')
    command = tools.valac + ['--pkg', 'gio-2.0', '--pkg', 'foundation-concurrency-1',
                             '-X', '-Werror=incompatible-pointer-types', '-X', '-w',
                             'snippet.vala', '-o', 'snippet']
    if tools.vapidir:
        command[1:1] = ['--vapidir', tools.vapidir]
    run(command, tmp, 'compiling')
    run(['./snippet'], tmp, 'running')


CHECKS = {'c': check_c, 'python': check_python, 'js': check_js, 'vala': check_vala}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--expect-failure', action='store_true')
    parser.add_argument('--cc', type=shlex.split, default=None)
    parser.add_argument('--valac', type=shlex.split, default=None)
    parser.add_argument('--gjs', type=shlex.split, default=None)
    parser.add_argument('--pkg-config-path', default=None)
    parser.add_argument('--vapidir', default=None)
    parser.add_argument('files', nargs='+')
    tools = parser.parse_args()
    if tools.pkg_config_path:
        os.environ['PKG_CONFIG_PATH'] = os.pathsep.join(
            filter(None, [tools.pkg_config_path, os.environ.get('PKG_CONFIG_PATH')]))
    available = {'c': bool(tools.cc), 'python': True, 'js': bool(tools.gjs),
                 'vala': bool(tools.valac)}

    paths = []
    for path in tools.files:
        if os.path.isdir(path):
            paths.extend(sorted(os.path.join(path, name) for name in os.listdir(path)
                                if name.endswith(('.md', '.xml', '.c', '.h'))))
        else:
            paths.append(path)

    snippets = []
    for path in paths:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if path.endswith('.md'):
            finder = markdown_snippets
        elif path.endswith(('.c', '.h')):
            finder = source_snippets
        else:
            finder = docbook_snippets
        snippets.extend(finder(path, text))

    print('1..%d' % (len(snippets) + 1))
    failed = 0
    seen = set()
    for n, snippet in enumerate(snippets, 1):
        title = '%s (%s%s)' % (snippet.where, snippet.language,
                               ', ' + snippet.marker if snippet.marker in ('fragment', 'compile') else '')
        if snippet.marker.startswith('skip'):
            print('ok %d %s # SKIP %s' % (n, title, snippet.marker[4:].strip()))
            continue
        if not available[snippet.language]:
            print('ok %d %s # SKIP no %s tool' % (n, title, snippet.language))
            continue
        seen.add(snippet.language)
        with tempfile.TemporaryDirectory(prefix='fc-snippet-') as tmp:
            try:
                CHECKS[snippet.language](snippet, tools, tmp)
                error = None
            except Failure as e:
                error = str(e)
        if (error is None) != tools.expect_failure:
            print('ok %d %s' % (n, title))
            if error is not None:
                print('# failed as expected: %s' % error.split('\n')[0])
        else:
            failed += 1
            print('not ok %d %s' % (n, title))
            message = error if error is not None else 'passed, but it is broken on purpose'
            for line in message.split('\n'):
                print('# ' + line)

    missing = sorted(language for language in available
                     if available[language] and language not in seen)
    if missing:
        failed += 1
        print('not ok %d every language has a snippet # missing: %s'
              % (len(snippets) + 1, ', '.join(missing)))
    else:
        print('ok %d every language has a snippet' % (len(snippets) + 1))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
