#!/usr/bin/env python3
"""The longest functions and files of the program under src/, longest first. Tests are left
out: `tests.rs` files, `*_tests.rs` files, and what follows a file's `#[cfg(test)] mod`.

    scripts/longest-functions.py [N]    # the N longest functions (default 10) and files
    scripts/longest-functions.py --check
        # fails when a function is over 80 lines or a file over 500 (run by scripts/test.sh)

A function is counted from its `fn` line to its closing brace; a file, up to its tests.
"""
import glob
import re
import sys

MAX_FUNCTION = 80
MAX_FILE = 500


def program_lines(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        if line.strip() == "#[cfg(test)]" and i + 1 < len(lines) and re.match(
            r"^\s*(pub(\([^)]*\))? )?mod \w+", lines[i + 1]
        ):
            return lines[:i]
    return lines


def measure():
    functions, files = [], []
    for path in sorted(glob.glob("src/**/*.rs", recursive=True)):
        name = path.rsplit("/", 1)[-1]
        if name == "tests.rs" or name.endswith("_tests.rs"):
            continue
        lines = program_lines(path)
        files.append((len(lines), path))
        for i, line in enumerate(lines):
            m = re.match(r"^(\s*)(pub(\([^)]*\))? )?(async )?(const )?(unsafe )?fn (\w+)", line)
            if not m:
                continue
            indent = m.group(1)
            # A declaration without a body (a trait's): its signature ends with `;`.
            k = i
            while k < len(lines) and not lines[k].rstrip().endswith(("{", ";")):
                k += 1
            if k < len(lines) and lines[k].rstrip().endswith(";"):
                continue
            for j in range(i + 1, len(lines)):
                if lines[j] == indent + "}":
                    functions.append((j - i + 1, f"{path}:{i + 1}", m.group(7)))
                    break
    return sorted(functions, reverse=True), sorted(files, reverse=True)


def main():
    functions, files = measure()
    if "--check" in sys.argv:
        long_fns = [f for f in functions if f[0] > MAX_FUNCTION]
        long_files = [f for f in files if f[0] > MAX_FILE]
        for n, where, name in long_fns:
            print(f"{where}: `{name}` is {n} lines (at most {MAX_FUNCTION})", file=sys.stderr)
        for n, path in long_files:
            print(f"{path}: {n} lines before its tests (at most {MAX_FILE})", file=sys.stderr)
        if long_fns or long_files:
            print("longest-functions.py: split them along their own seams", file=sys.stderr)
            return 1
        print(
            f"longest-functions.py: {len(functions)} functions, none over {MAX_FUNCTION} lines; "
            f"{len(files)} files, none over {MAX_FILE}"
        )
        return 0
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for n, where, name in functions[:count]:
        print(f"{n:5}  {name}  {where}")
    print()
    for n, path in files[:count]:
        print(f"{n:5}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
