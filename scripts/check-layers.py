#!/usr/bin/env python3
"""The layers hold: no module imports one above it, and no files import each other in a circle.

Reads every `use` line and every `crate::`/`super::`/`self::` path of the program's code under
src/ (tests left out: `tests.rs` files and what follows `#[cfg(test)]`), resolves each to the
file that defines the module, and checks two things:

  1. Each top-level module (a folder or a file of src/) imports only from the layers below its
     own, as LAYERS lists them from the ground up. Modules on one line of LAYERS share a layer and
     may not import each other.
  2. No files import each other in a circle. A folder's `mod.rs` and the files inside it are one
     module and its parts, so an import between them is not counted.

Prints each import that breaks a rule, with the line it is on, and fails. Run by scripts/test.sh.

    scripts/check-layers.py           # check
    scripts/check-layers.py --edges   # print every import between two top-level modules
"""
import os
import re
import sys

# From the ground up. See ARCHITECTURE.md ("The layers").
LAYERS = [
    ["model", "theme"],
    ["judge", "host"],
    ["ops", "widgets"],
    ["source", "screens"],
    ["engine"],
    ["record"],
    ["app"],
    ["ui"],
    ["terminal"],
    ["commands"],
    ["lib"],
]
LEVEL = {name: i for i, group in enumerate(LAYERS) for name in group}


def module_of(path):
    """src/a/b.rs -> ('a', 'b'); src/a/mod.rs -> ('a',); src/lib.rs -> ()."""
    parts = path[len("src/"):-len(".rs")].split("/")
    if parts[-1] == "mod" or parts == ["lib"]:
        parts = parts[:-1]
    return tuple(parts)


def program_files():
    for root, _, names in os.walk("src"):
        for name in names:
            if name.endswith(".rs") and name not in ("tests.rs", "main.rs") and not name.endswith("_tests.rs"):
                yield os.path.join(root, name)


def code_of(text):
    """The program's code of a file: its tests and its comments left out (a doc comment's link
    is no import)."""
    cut = re.search(r"^\s*#\[cfg\(test\)\]\s*\n\s*(pub(\([^)]*\))? )?mod ", text, re.M)
    text = text[: cut.start()] if cut else text
    return re.sub(r'//[^"\n]*$', "", text, flags=re.M)


def expand(tree):
    """'a::{b, c::{d, e}}' -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r"\s+", "", tree)
    open_at = tree.find("{")
    if open_at < 0:
        return [tree]
    prefix, depth, parts, start = tree[:open_at], 0, [], open_at + 1
    for i in range(open_at, len(tree)):
        if tree[i] == "{":
            depth += 1
        elif tree[i] == "}":
            depth -= 1
            if depth == 0:
                parts.append(tree[start:i])
                break
        elif tree[i] == "," and depth == 1:
            parts.append(tree[start:i])
            start = i + 1
    return [out for part in parts if part for out in expand(prefix + part)]


def paths_in(text):
    """(line number, path) for each path the code names: `use` trees, and inline paths."""
    for m in re.finditer(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", text, re.M):
        line = text.count("\n", 0, m.start()) + 1
        for path in expand(m.group(1)):
            yield line, re.sub(r"\s+as\s+\w+$", "", path)
    for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1)


def resolve(path, here, modules, children):
    """The module (a key of `modules`) a path names from the file of module `here`."""
    segs = path.split("::")
    if segs[0] == "crate":
        base, segs = (), segs[1:]
    elif segs[0] in ("super", "self"):
        base = here
        # In a file that is not a folder's mod.rs, `self` is the file and `super` its folder.
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    elif segs[0] in children.get(here, ()):
        base = here
    else:
        return None  # a crate's or std's
    found = base
    for seg in segs:
        if base + (seg,) in modules:
            base = base + (seg,)
            found = base
        else:
            break
    return found


def main():
    files = {module_of(p): p for p in program_files()}
    modules = set(files)
    children = {}
    for m in modules:
        if m:
            children.setdefault(m[:-1], set()).add(m[-1])
    edges = {}  # (from file, to file) -> first line
    for here, path in files.items():
        text = code_of(open(path, encoding="utf-8").read())
        for line, named in paths_in(text):
            target = resolve(named, here, modules, children)
            # The crate's root only declares the modules (and holds the exported macros).
            if target is None or target == here or target == ():
                continue
            edges.setdefault((path, files[target]), line)

    def top(path):
        m = module_of(path)
        return m[0] if m else "lib"

    broken = []
    if "--edges" in sys.argv:
        for (a, b), line in sorted(edges.items()):
            if top(a) != top(b):
                print(f"{top(a)} -> {top(b)}  {a}:{line} -> {b}")
        return 0
    for (a, b), line in sorted(edges.items()):
        ta, tb = top(a), top(b)
        if ta == tb or ta == "lib":
            continue
        for t in (ta, tb):
            if t not in LEVEL:
                broken.append(f"{a}:{line}: `{t}` is in no layer: add it to LAYERS in {sys.argv[0]}")
        if ta in LEVEL and tb in LEVEL and LEVEL[tb] >= LEVEL[ta]:
            how = "the same layer as" if LEVEL[tb] == LEVEL[ta] else "a layer above"
            broken.append(f"{a}:{line}: imports {b}, in {how} `{ta}`")

    # Circles between files: a depth-first search over the imports, parts and faces apart.
    def part_of(a, b):
        folder = os.path.dirname(b) + "/"
        return b.endswith("/mod.rs") and a.startswith(folder) or b == "src/lib.rs"

    graph = {}
    for (a, b) in edges:
        if not part_of(a, b) and not part_of(b, a):
            graph.setdefault(a, set()).add(b)
    state, stack, circles = {}, [], []

    def visit(n):
        state[n] = "open"
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == "open":
                circles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = "done"

    sys.setrecursionlimit(10000)
    for n in sorted(graph):
        if n not in state:
            visit(n)
    for c in circles:
        broken.append("a circle: " + " -> ".join(c))

    for b in broken:
        print(b, file=sys.stderr)
    if broken:
        print(f"check-layers.py: {len(broken)} imports break the layers (ARCHITECTURE.md)", file=sys.stderr)
        return 1
    print(f"check-layers.py: {len(edges)} imports between {len(files)} files hold the layers, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
