#!/usr/bin/env bash
# Builds edgetop's packages for Linux bastions into dist/, for each architecture asked
# (EDGETOP_ARCHS, default "x86_64"; "x86_64 aarch64" adds Graviton bastions):
#   edgetop-<version>-<arch>-linux.tar.gz, edgetop_<version>-1_<amd64|arm64>.deb,
#   edgetop-<version>-1.<x86_64|aarch64>.rpm, and SHA256SUMS over them all.
# The binary is built for glibc 2.17 (cargo-zigbuild, with zig from the Python package index),
# so it starts on RHEL/Rocky/Alma 8, Ubuntu 20.04, Debian 11 and Amazon Linux 2, in the `dist`
# profile (Cargo.toml), with its dependency list embedded (cargo-auditable). Licenses, bans and
# sources are checked first (cargo-deny, offline). Every tool is pinned, and installed here
# when missing (cargo install into ~/.cache/edgetop/tools, zig into a virtualenv beside it; an
# architecture's Rust standard library with rustup).
#
# Not part of the README's test command: it builds everything a second time, for another
# target. scripts/check-package.sh checks what it wrote.
#
#   EDGETOP_ARCHS      the architectures (x86_64 is always one: its binary writes the man page)
#   EDGETOP_TOOLS      where the tools go (default ~/.cache/edgetop/tools)
#   CARGO_TARGET_DIR   as cargo reads it
set -euo pipefail
cd "$(dirname "$0")/.."

# The pinned tools: crates.io's, and zig from the Python package index.
CARGO_TOOLS=(cargo-zigbuild@0.24.1 cargo-auditable@0.7.7 cargo-deb@3.8.0 cargo-generate-rpm@0.21.1
             cargo-deny@0.20.2)
ZIG_VERSION=0.17.1
GLIBC=2.17
PROFILE=dist
ARCHS=${EDGETOP_ARCHS:-x86_64}

TOOLS="${EDGETOP_TOOLS:-$HOME/.cache/edgetop/tools}"
ZIG_VENV="$TOOLS/zig-$ZIG_VERSION"
export PATH="$TOOLS/bin:$ZIG_VENV/bin:$PATH"

say() { printf 'package.sh: %s\n' "$*" >&2; }

case " $ARCHS " in
  *" x86_64 "*) ;;
  *) say "EDGETOP_ARCHS must hold x86_64: its binary writes the man page and completions"; exit 2 ;;
esac

installed=$(cargo install --list --root "$TOOLS" 2>/dev/null || true)
for spec in "${CARGO_TOOLS[@]}"; do
  name=${spec%@*} version=${spec#*@}
  if ! grep -qxF "$name v$version:" <<<"$installed"; then
    say "installing $spec"
    cargo install --quiet --locked --root "$TOOLS" "$spec"
  fi
done
if ! "$ZIG_VENV/bin/python" -m ziglang version 2>/dev/null | grep -qxF "$ZIG_VERSION"; then
  say "installing zig $ZIG_VERSION (the ziglang package) into $ZIG_VENV"
  rm -rf "$ZIG_VENV"
  python3 -m venv "$ZIG_VENV"
  "$ZIG_VENV/bin/pip" install --quiet --disable-pip-version-check "ziglang==$ZIG_VERSION"
fi
# cargo-zigbuild finds zig as `python3 -m ziglang`: the virtualenv's python3 comes first.
for arch in $ARCHS; do
  target="$arch-unknown-linux-gnu"
  if ! rustup target list --installed | grep -qxF "$target"; then
    say "installing Rust's standard library for $target (rustup; it needs the rustup server)"
    rustup target add "$target"
  fi
done

say "cargo deny: licenses, bans and sources (offline; advisories need the internet)"
cargo fetch --locked --quiet
cargo deny --offline --locked check --hide-inclusion-graph licenses bans sources

meta() { cargo metadata --format-version 1 --no-deps --locked | python3 -c "import json,sys; print($1)"; }
VERSION=$(meta 'json.load(sys.stdin)["packages"][0]["version"]')
TARGET_DIR=$(meta 'json.load(sys.stdin)["target_directory"]')
# Every date in the packages is the last commit's, so two runs on one commit give one tarball.
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)

for arch in $ARCHS; do
  say "building edgetop $VERSION for $arch, glibc $GLIBC, profile $PROFILE"
  cargo auditable zigbuild --locked --profile "$PROFILE" --target "$arch-unknown-linux-gnu.$GLIBC" \
    --bin edgetop
done
bin_of() { echo "$TARGET_DIR/$1-unknown-linux-gnu/$PROFILE/edgetop"; }

rm -rf dist
mkdir -p dist/build/completions
say "man page, completions and the Debian changelog, from the binary and CHANGELOG.md"
HERE=$(bin_of x86_64)
"$HERE" man | gzip -9n > dist/build/edgetop.1.gz
"$HERE" completions bash > dist/build/completions/edgetop.bash
"$HERE" completions zsh > dist/build/completions/_edgetop
"$HERE" completions fish > dist/build/completions/edgetop.fish
{
  printf 'edgetop (%s-1) unstable; urgency=medium\n\n' "$VERSION"
  printf '  * Release %s: see /usr/share/doc/edgetop/changelog.gz.\n\n' "$VERSION"
  printf ' -- %s  %s\n' "$(sed -n 's/^maintainer = "\(.*\)"$/\1/p' Cargo.toml)" \
    "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} > dist/build/changelog.Debian
# Debian names an upstream changelog changelog.gz (Debian Policy 12.7).
gzip -9n < CHANGELOG.md > dist/build/changelog.gz

for arch in $ARCHS; do
  target="$arch-unknown-linux-gnu"
  NAME="edgetop-$VERSION-$arch-linux"
  say "dist/$NAME.tar.gz"
  STAGE="dist/build/$NAME"
  mkdir -p "$STAGE/completions" "$STAGE/iam" "$STAGE/themes" "$STAGE/docs"
  install -m 755 "$(bin_of "$arch")" "$STAGE/edgetop"
  install -m 644 dist/build/edgetop.1.gz "$STAGE/"
  install -m 644 dist/build/completions/* "$STAGE/completions/"
  install -m 644 iam/*.json "$STAGE/iam/"
  install -m 644 themes/*.toml "$STAGE/themes/"
  install -m 644 examples/config.toml "$STAGE/config.example.toml"
  install -m 644 LICENSE-MIT LICENSE-APACHE README.md CHANGELOG.md "$STAGE/"
  install -m 644 docs/*.md "$STAGE/docs/"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C dist/build -cf - "$NAME" | gzip -9n > "dist/$NAME.tar.gz"

  say "the $arch .deb (cargo-deb)"
  cargo deb --locked --no-build --no-strip --profile "$PROFILE" --target "$target" --output dist/ \
    >/dev/null
  say "the $arch .rpm (cargo-generate-rpm)"
  cargo generate-rpm --profile "$PROFILE" --target "$target" --target-dir "$TARGET_DIR" \
    --auto-req disabled --output dist/ >/dev/null
done

rm -rf dist/build
(cd dist && sha256sum -- *.tar.gz *.deb *.rpm > SHA256SUMS)
say "done:"
(cd dist && ls -l -- *.tar.gz *.deb *.rpm SHA256SUMS) >&2
