#!/usr/bin/env python3
"""The longest functions under src/ (lines from `fn` to its closing brace), longest first.

    scripts/longest-functions.py [N]    # the N longest (default 10)
"""
import glob
import re
import sys

found = []
for path in glob.glob("src/**/*.rs", recursive=True):
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(pub(\([^)]*\))? )?(async )?(const )?fn (\w+)", line)
        if not m:
            continue
        indent = m.group(1)
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                found.append((j - i + 1, f"{path}:{i + 1}", m.group(6)))
                break
for n, where, name in sorted(found, reverse=True)[: int(sys.argv[1]) if len(sys.argv) > 1 else 10]:
    print(f"{n:5}  {name}  {where}")
