#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every language the app ships is complete: run lupdate over the sources into a copy of each .ts
(as `update_translations` does) and fail when a string has no finished translation, or when a
translation loses a placeholder (%1, %n), its keyboard accelerator, or a numerus form.

usage: check_translations.py LUPDATE SOURCE_DIR TS_FILE...
       check_translations.py --self-test LUPDATE
"""
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

PLACEHOLDER = re.compile(r"%(?:[1-9]|n)")
ACCELERATOR = re.compile(r"&[^\W\d_]")


def problems_in(ts_path):
    problems = []
    for context in ET.parse(ts_path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            where = f"{name}: {source!r}"
            kind = translation.get("type") if translation is not None else "missing"
            if kind in ("unfinished", "missing"):
                problems.append(f"{where}: not translated")
                continue
            if kind in ("vanished", "obsolete"):
                continue
            numerus = message.get("numerus") == "yes"
            forms = ([f.text or "" for f in translation.findall("numerusform")] if numerus
                     else [translation.text or ""])
            if numerus and len(forms) < 2:
                problems.append(f"{where}: needs a singular and a plural form")
            for text in forms:
                if not text:
                    problems.append(f"{where}: empty translation")
                elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                    problems.append(f"{where}: placeholders differ in {text!r}")
                elif ACCELERATOR.search(source) and len(ACCELERATOR.findall(text)) != 1:
                    problems.append(f"{where}: needs one accelerator in {text!r}")
    return problems


def check(lupdate, source_dir, ts_files):
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for ts in ts_files:
            copy = Path(tmp) / Path(ts).name
            shutil.copy(ts, copy)
            subprocess.run([lupdate, "-no-obsolete", "-locations", "none", "-I", source_dir,
                            str(Path(source_dir) / "widgets"), "-ts", str(copy)],
                           check=True, capture_output=True)
            problems = problems_in(copy)
            for p in problems:
                print(f"{ts}: {p}")
            print(f"{ts}: {len(problems)} problem(s)")
            failed |= bool(problems)
    if failed:
        print("Run `cmake --build build --target update_translations`, then translate.")
    return 1 if failed else 0


def self_test(lupdate):
    """The checker finds what it must: an untranslated string, a lost placeholder, a lost
    accelerator (a checker that cannot fail would prove nothing)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "widgets"
        src.mkdir()
        (src / "W.cpp").write_text(
            'void f() { QObject::tr("%1 hosts"); QObject::tr("&Open"); QObject::tr("New"); }\n')
        ts = Path(tmp) / "x_de.ts"
        ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" '
                      'language="de_DE"><context><name>QObject</name>'
                      '<message><source>%1 hosts</source><translation>Hosts</translation>'
                      '</message><message><source>&amp;Open</source>'
                      '<translation>Öffnen</translation></message></context></TS>')
        subprocess.run([lupdate, "-no-obsolete", "-locations", "none", str(src), "-ts", str(ts)],
                       check=True, capture_output=True)
        found = "\n".join(problems_in(ts))
        expected = ["placeholders differ", "needs one accelerator", "'New': not translated"]
        missing = [e for e in expected if e not in found]
        print(found)
        return 1 if missing else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--self-test":
        sys.exit(self_test(sys.argv[2]))
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(check(sys.argv[1], sys.argv[2], sys.argv[3:]))
