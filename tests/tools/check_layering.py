#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the layering of docs/architecture.md on a source tree.

- core/ never includes GUI headers (QtGui/QtWidgets classes) nor widgets/ or app/ headers,
  and core/CMakeLists.txt never links Qt6::Gui or Qt6::Widgets;
- widgets/ never includes YAML, SSH, SQL or OpenSSL headers, nor app/ headers;
- a third-party header appears only in its adapter .cpp (never in any header file).

Usage: check_layering.py ROOT       exit 1 and one line per violation when the rules are broken
       check_layering.py --self-test  proves the checker catches each kind of violation
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)

GUI_HEADERS = re.compile(
    r'^(QtGui|QtWidgets)(/|$)|^(QWidget|QApplication|QGuiApplication|QIcon|QColor|QPixmap|QImage|'
    r'QFont|QPainter|QAction|QMainWindow|QDialog|QPalette|QBrush|QCursor|QScreen)$')

# third-party header pattern -> files (regex on the path from the root) allowed to include it
ADAPTERS = {
    r'^yaml-cpp/': r'^core/(registry/RegistryLoader|heal/PlaybookLoader)\.cpp$',
    r'^libssh/': r'^core/transport/Ssh[A-Za-z]*\.cpp$',
    r'^openssl/': r'^core/(crypto|tls)/[A-Za-z]+\.cpp$',
    r'^(qt6keychain/|keychain\.h$)': r'^core/secrets/Keychain[A-Za-z]*\.cpp$',
    r'^(QtHttpServer|QHttpServer)': r'^core/api/HttpServer[A-Za-z]*\.cpp$',
}

WIDGETS_FORBIDDEN = re.compile(r'^(yaml-cpp/|libssh/|openssl/|QSql|QtSql)')


def sources(root):
    for layer in ('core', 'widgets', 'app'):
        base = os.path.join(root, layer)
        for folder, _, files in os.walk(base):
            for name in files:
                if name.endswith(('.h', '.cpp', '.hpp', '.cc')):
                    full = os.path.join(folder, name)
                    yield os.path.relpath(full, root).replace(os.sep, '/'), full


def check(root):
    problems = []
    for rel, full in sorted(sources(root)):
        with open(full, encoding='utf-8', errors='replace') as f:
            text = f.read()
        for match in INCLUDE.finditer(text):
            header = match.group(1)
            line = text.count('\n', 0, match.start()) + 1
            where = f'{rel}:{line}'
            if rel.startswith('core/'):
                if GUI_HEADERS.search(header):
                    problems.append(f'{where}: core includes GUI header <{header}>')
                if header.startswith(('widgets/', 'app/')):
                    problems.append(f'{where}: core includes "{header}" from a layer above it')
            if rel.startswith('widgets/'):
                if WIDGETS_FORBIDDEN.search(header):
                    problems.append(f'{where}: widgets includes <{header}>; go through core')
                if header.startswith('app/'):
                    problems.append(f'{where}: widgets includes "{header}" from app/')
            for pattern, allowed in ADAPTERS.items():
                if re.search(pattern, header) and not re.search(allowed, rel):
                    problems.append(f'{where}: third-party header <{header}> outside its adapter ({allowed})')
    cmake = os.path.join(root, 'core', 'CMakeLists.txt')
    if os.path.exists(cmake):
        with open(cmake, encoding='utf-8') as f:
            if re.search(r'Qt6::(Gui|Widgets)\b', f.read()):
                problems.append('core/CMakeLists.txt: portoser_core links Qt6::Gui or Qt6::Widgets')
    return problems


def self_test():
    planted = {
        'core/a/Gui.cpp': '#include <QColor>\n',
        'core/a/Up.h': '#include "widgets/MainWindow.h"\n',
        'core/a/Leak.h': '#include <yaml-cpp/yaml.h>\n',
        'core/transport/Other.cpp': '#include <libssh/libssh.h>\n',
        'widgets/View.cpp': '#include <QSqlQuery>\n',
        'app/Main.cpp': '#include <openssl/evp.h>\n',
        'core/CMakeLists.txt': 'target_link_libraries(portoser_core PUBLIC Qt6::Gui)\n',
        # allowed: the adapters themselves
        'core/registry/RegistryLoader.cpp': '#include <yaml-cpp/yaml.h>\n',
        'core/transport/SshSession.cpp': '#include <libssh/libssh.h>\n',
        'widgets/Fine.cpp': '#include <QWidget>\n#include "core/Issue.h"\n',
    }
    expected = ['core/a/Gui.cpp:1: core includes GUI header',
                'core/a/Up.h:1: core includes "widgets/MainWindow.h"',
                'core/a/Leak.h:1: third-party header <yaml-cpp/yaml.h>',
                'core/transport/Other.cpp:1: third-party header <libssh/libssh.h>',
                'widgets/View.cpp:1: widgets includes <QSqlQuery>',
                'app/Main.cpp:1: third-party header <openssl/evp.h>',
                'core/CMakeLists.txt: portoser_core links']
    with tempfile.TemporaryDirectory() as root:
        for rel, text in planted.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), 'w') as f:
                f.write(text)
        problems = check(root)
    ok = True
    for needle in expected:
        if not any(p.startswith(needle) for p in problems):
            print(f'self-test: violation not caught: {needle}')
            ok = False
    if len(problems) != len(expected):
        print('self-test: unexpected findings:\n  ' + '\n  '.join(problems))
        ok = False
    print('self-test: every planted violation caught' if ok else 'self-test FAILED')
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    print(f'layering: {len(problems)} violation(s)' if problems else 'layering: ok')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
