#!/bin/sh
# The figures SECURITY.md states, computed from the tree: privileged ops,
# privd's lines of code (comments and blank lines excluded), and the
# syscalls each process's seccomp allowlist permits (sanitizer-only lines
# counted apart).
set -eu
cd "$(dirname "$0")/.."
sloc() { cat "$@" | gcc -fpreprocessed -dD -E -P -x c - 2>/dev/null | grep -cv '^\s*$'; }
echo "privileged ops:            $(grep -c '^	{ PRIVOP_' privd/privd.c)"
echo "privd SLOC (no codec):     $(sloc privd/*.c privd/*.h)"
echo "codec SLOC (ipc/codec.c):  $(sloc ipc/codec.c)"
for f in seccomp/*.c; do
	python3 - "$f" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
# Release builds keep the #else branch of an #ifdef TTP_SANITIZE block.
rel = re.sub(r'#ifdef TTP_SANITIZE.*?(?:#else(.*?))?#endif',
             lambda m: m.group(1) or '', s, flags=re.S)
pat = r'SB_(?:ALLOW(?:_ARGS?|_NOBITS)?|ERRNO)\(\s*([a-z0-9_]+)'
names = set(re.findall(pat, rel))
extra = set(re.findall(pat, s)) - names
name = sys.argv[1].split('/')[-1][:-2]
print(f"syscalls {name + ':':10} {len(names)}" +
      (f" (+{len(extra)} in sanitizer builds)" if extra else ""))
PY
done
