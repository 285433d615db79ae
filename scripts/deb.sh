#!/bin/sh
# `make deb`: the Debian package (debian/), built by dpkg-buildpackage in a
# copy of the tree, so the checkout gets no build products and the build
# sees only what a clone would (tracked files and new ones not ignored,
# with their changes). The results land in build-deb/ (TTP_DEB_DIR):
#   build-deb/ttp_VERSION_ARCH.deb, .changes, .buildinfo, build.log
# and build-deb/source.sha256, the hash of the tree that built them.
#   deb.sh           build, then lintian (when installed; not with
#                    TTP_DEB_LINTIAN=0): errors and warnings fail
#   deb.sh --hash    print the tree's hash and nothing else
#   deb.sh --path    print where the .deb is (built or not)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
out=${TTP_DEB_DIR:-$top/build-deb}

# files: the tree's files, NUL-separated, sorted.
files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard
	else
		find . -path ./build -prune -o -path './build-*' -prune -o \
		    -path './obj-*' -prune -o \( -type f -o -type l \) -print0 |
		    sed -z 's|^\./||'
	fi | sort -z
}
# tree_hash: one hash of every file's name and content (a file deleted
# from the work tree but still tracked is left out).
tree_hash() {
	files | xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] &&
	    printf "%s\n" "$f"; done' sh | tr '\n' '\0' |
	    xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1
}

ver=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$out/ttp_${ver}_$arch.deb
case ${1:-} in
--hash) tree_hash; exit 0 ;;
--path) echo "$deb"; exit 0 ;;
"") ;;
*) echo "usage: deb.sh [--hash|--path]" >&2; exit 2 ;;
esac

for t in dpkg-buildpackage dh; do
	command -v "$t" >/dev/null || {
		echo "deb: $t is missing; run 'sudo make deps'" >&2; exit 2; }
done
hash=$(tree_hash)
src=$out/src/ttp-$ver
rm -rf "$out/src" "$deb" "$out/source.sha256"
mkdir -p "$src"
files | tar --null --no-recursion --ignore-failed-read -T - -cf - 2>/dev/null |
    tar -xf - -C "$src"
echo "deb: building ttp $ver in $src (log: $out/build.log)"
# The build's unit tests see none of the shell layers' settings (a caller
# may be one of their tests).
if ! (cd "$src" && env -u TTP_STRICT -u TTP_BIN -u TTP_TESTS -u TTP_CONFIG \
    dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (all of it in $out/build.log)" >&2
	exit 1
fi
for f in "$out"/src/ttp_* "$out"/src/ttp-dbgsym_*; do
	[ -e "$f" ] && mv -f "$f" "$out/"
done
rm -rf "$out/src"
echo "$hash" >"$out/source.sha256"
echo "deb: $deb"
if [ "${TTP_DEB_LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$out/ttp_${ver}_$arch.changes" ||
	    { echo "deb: lintian found errors or warnings" >&2; exit 1; }
	echo "deb: lintian: no error, no warning"
fi
