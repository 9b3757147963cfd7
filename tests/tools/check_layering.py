#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the layering of docs/architecture.md on a source tree.

Layers, lowest first; a file includes only headers of its own layer or a lower one:
  1 base     core/{Issue,Result,ErrorCodes,Actor}
  2 domain   core/<module>/ (registry, transport, deploy, heal, secrets, tls, access, workflow, ...)
  3 facade   core/Orchestrator
  4 runtime  core/runtime/
  5 faces    server/ (the network face) and widgets/ (the window): never each other
  6 app      app/
- the modules (each core/ folder, each top folder) include each other without cycles;
- core/ never includes GUI headers (QtGui/QtWidgets classes), and core/CMakeLists.txt links
  neither Qt6::Gui, Qt6::Widgets nor Qt6::HttpServer;
- widgets/ never includes YAML, SSH, SQL or OpenSSL headers;
- a third-party header appears only in its adapter .cpp (never in any header file);
- the binary's own code (app/ outside app/window/) never includes widgets/ or GUI headers: the
  window is a module loaded only when it opens, so --cli and --serve never load the GUI libraries;
- following the includes of core/Orchestrator.h never reaches the host machinery or the store
  (HostPool, HostWorker, SshTransport, DeployEngine, ServiceDeployer, RemoteScripts, ServiceLock,
  HistoryStore, Database).

Usage: check_layering.py ROOT          exit 1 and one line per violation when the rules are broken
       check_layering.py --graph ROOT  prints the module graph as a Mermaid diagram (docs)
       check_layering.py --self-test   proves the checker catches each kind of violation
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
    r'^yaml-cpp/': r'^core/yaml/YamlDocument\.cpp$',
    r'^libssh/': r'^core/transport/Ssh[A-Za-z]*\.cpp$',
    r'^openssl/': r'^core/crypto/OpenSsl\.cpp$',
    r'^(qt6keychain/|keychain\.h$)': r'^core/secrets/Keychain[A-Za-z]*\.cpp$',
    r'^(QtHttpServer|QHttpServer)': r'^server/HttpServer[A-Za-z]*\.cpp$',
}

WIDGETS_FORBIDDEN = re.compile(r'^(yaml-cpp/|libssh/|openssl/|QSql|QtSql)')

LAYERS = ['base', 'domain', 'facade', 'runtime', 'faces', 'app']

# What the facade's header must not pull in, even through other headers: the host machinery and
# the store. Every page and command includes the facade; they should not rebuild when these change.
FACADE_HEADER = 'core/Orchestrator.h'
FACADE_MUST_NOT_REACH = re.compile(
    r'^core/(deploy/(HostPool|HostWorker|DeployEngine|ServiceDeployer|RemoteScripts|ServiceLock)'
    r'|transport/SshTransport|history/HistoryStore|store/Database)\.h$')
OUR_ROOTS = ('core/', 'server/', 'widgets/', 'app/')


def module_of(path):
    """The module a source or header path belongs to: 'core/deploy', 'facade', 'server', ..."""
    parts = path.split('/')
    if parts[0] == 'core':
        if len(parts) == 2:
            return 'facade' if parts[1].startswith('Orchestrator') else 'core/base'
        return 'runtime' if parts[1] == 'runtime' else 'core/' + parts[1]
    return parts[0]


def layer_of(module):
    if module == 'core/base':
        return 'base'
    if module.startswith('core/'):
        return 'domain'
    return {'facade': 'facade', 'runtime': 'runtime', 'server': 'faces', 'widgets': 'faces',
            'app': 'app'}.get(module)


def find_cycle(graph):
    """One cycle of the module graph as a list of modules, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open':
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def module_graph(root):
    graph = {}
    for rel, full in sources(root):
        with open(full, encoding='utf-8', errors='replace') as f:
            text = f.read()
        for match in INCLUDE.finditer(text):
            header = match.group(1)
            if header.startswith(OUR_ROOTS):
                a, b = module_of(rel), module_of(header)
                if a != b:
                    graph.setdefault(a, set()).add(b)
    return graph


def mermaid(root):
    graph = module_graph(root)
    lines = ['flowchart BT']
    for layer in LAYERS:
        members = sorted(m for m in set(graph) | {b for v in graph.values() for b in v}
                         if layer_of(m) == layer)
        lines.append(f'  subgraph {layer}')
        for m in members:
            lines.append(f'    {m.replace("/", "_")}["{m}"]')
        lines.append('  end')
    for a in sorted(graph):
        for b in sorted(graph[a]):
            lines.append(f'  {a.replace("/", "_")} --> {b.replace("/", "_")}')
    return '\n'.join(lines)


def sources(root):
    for layer in ('core', 'server', 'widgets', 'app'):
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
            if rel.startswith('core/') and GUI_HEADERS.search(header):
                problems.append(f'{where}: core includes GUI header <{header}>')
            if (rel.startswith('app/') and not rel.startswith('app/window/')
                    and (header.startswith('widgets/') or GUI_HEADERS.search(header))):
                problems.append(f'{where}: the binary includes <{header}>; the window belongs in '
                                'its module (app/window/)')
            if rel.startswith('widgets/') and WIDGETS_FORBIDDEN.search(header):
                problems.append(f'{where}: widgets includes <{header}>; go through core')
            if header.startswith(OUR_ROOTS):
                mine, theirs = module_of(rel), module_of(header)
                up = LAYERS.index(layer_of(theirs)) > LAYERS.index(layer_of(mine))
                across = {mine, theirs} == {'server', 'widgets'}
                if up or across:
                    problems.append(f'{where}: {mine} ({layer_of(mine)}) includes "{header}" '
                                    f'from {theirs} ({layer_of(theirs)}), '
                                    + ('a layer above it' if up else 'a face beside it'))
            for pattern, allowed in ADAPTERS.items():
                if re.search(pattern, header) and not re.search(allowed, rel):
                    problems.append(f'{where}: third-party header <{header}> outside its adapter ({allowed})')
    problems += facade_reach(root)
    cycle = find_cycle(module_graph(root))
    if cycle:
        problems.append('include cycle between modules: ' + ' -> '.join(cycle))
    cmake = os.path.join(root, 'core', 'CMakeLists.txt')
    if os.path.exists(cmake):
        with open(cmake, encoding='utf-8') as f:
            if re.search(r'Qt6::(Gui|Widgets|HttpServer)\b', f.read()):
                problems.append('core/CMakeLists.txt: the domain links Qt6::Gui, Qt6::Widgets or '
                                'Qt6::HttpServer')
    return problems


def facade_reach(root):
    """Headers the facade's header reaches that it must not, with the chain that reaches them."""
    chains = {FACADE_HEADER: [FACADE_HEADER]}
    todo = [FACADE_HEADER]
    problems = []
    while todo:
        header = todo.pop()
        path = os.path.join(root, header)
        if not os.path.exists(path):
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            for match in INCLUDE.finditer(f.read()):
                included = match.group(1)
                if not included.startswith(OUR_ROOTS) or included in chains:
                    continue
                chains[included] = chains[header] + [included]
                if FACADE_MUST_NOT_REACH.search(included):
                    problems.append(f'{FACADE_HEADER}: the facade header pulls in {included} '
                                    f'({" -> ".join(chains[included])}); forward-declare it')
                todo.append(included)
    return problems


def self_test():
    planted = {
        'core/a/Gui.cpp': '#include <QColor>\n',
        'core/a/Up.h': '#include "widgets/MainWindow.h"\n',
        'core/a/Leak.h': '#include <yaml-cpp/yaml.h>\n',
        'core/transport/Other.cpp': '#include <libssh/libssh.h>\n',
        'widgets/View.cpp': '#include <QSqlQuery>\n',
        'app/Main.cpp': '#include <openssl/evp.h>\n',
        'app/Start.cpp': '#include "widgets/MainWindow.h"\n#include <QApplication>\n',
        'app/window/Fine.cpp': '#include "widgets/MainWindow.h"\n#include <QApplication>\n',
        'core/CMakeLists.txt': 'target_link_libraries(portoser_core PRIVATE Qt6::HttpServer)\n',
        'core/Orchestrator.h': '#include "core/runtime/JobQueue.h"\n#include "core/b/Types.h"\n',
        'core/b/Types.h': '#include "core/store/Database.h"\n',
        'core/deploy/Engine.cpp': '#include "core/Orchestrator.h"\n',
        'widgets/Page.cpp': '#include "server/ApiServer.h"\n',
        'core/heal/Loop.h': '#include "core/tls/Proxy.h"\n',
        'core/tls/Proxy.h': '#include "core/heal/Loop.h"\n',
        'server/Routes.cpp': '#include "core/runtime/Coordinator.h"\n#include "core/Orchestrator.h"\n',
        'core/registry/Loader.cpp': '#include <yaml-cpp/yaml.h>\n',
        'core/tls/Ca.cpp': '#include <openssl/x509.h>\n',
        # allowed: the adapters themselves
        'core/yaml/YamlDocument.cpp': '#include <yaml-cpp/yaml.h>\n',
        'core/transport/SshSession.cpp': '#include <libssh/libssh.h>\n',
        'widgets/Fine.cpp': '#include <QWidget>\n#include "core/Issue.h"\n',
    }
    expected = ['core/a/Gui.cpp:1: core includes GUI header',
                'core/a/Up.h:1: core/a (domain) includes "widgets/MainWindow.h"',
                'core/a/Leak.h:1: third-party header <yaml-cpp/yaml.h>',
                'core/registry/Loader.cpp:1: third-party header <yaml-cpp/yaml.h>',
                'core/tls/Ca.cpp:1: third-party header <openssl/x509.h>',
                'core/transport/Other.cpp:1: third-party header <libssh/libssh.h>',
                'widgets/View.cpp:1: widgets includes <QSqlQuery>',
                'app/Main.cpp:1: third-party header <openssl/evp.h>',
                'app/Start.cpp:1: the binary includes <widgets/MainWindow.h>',
                'app/Start.cpp:2: the binary includes <QApplication>',
                'core/CMakeLists.txt: the domain links',
                'core/Orchestrator.h:1: facade (facade) includes "core/runtime/JobQueue.h"',
                'core/Orchestrator.h: the facade header pulls in core/store/Database.h',
                'core/deploy/Engine.cpp:1: core/deploy (domain) includes "core/Orchestrator.h"',
                'widgets/Page.cpp:1: widgets (faces) includes "server/ApiServer.h"',
                'include cycle between modules: core/heal -> core/tls -> core/heal']
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
    if len(sys.argv) == 3 and sys.argv[1] == '--graph':
        print(mermaid(sys.argv[2]))
        return 0
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
