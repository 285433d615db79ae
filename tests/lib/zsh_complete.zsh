#!/usr/bin/zsh -f
# zsh -f zsh_complete.zsh DIR LINE [DUMP]: the matches zsh's completion
# system offers at the end of LINE, one a line, with the completion
# functions of DIR (say _ttp) first in $fpath; DUMP: compinit's dump file,
# made by the first call and read by the next (without: none). zsh completes only inside its line
# editor, so this runs an interactive zsh on a pseudo-terminal (zsh/zpty),
# types LINE and a TAB there, and reads back what compadd was given: a
# wrapper around compadd prints each match it adds (after matching, -A)
# between two markers, and the shell exits once the completion is done.
emulate -L zsh
zmodload zsh/zpty || { print -u2 "zsh_complete: no zsh/zpty"; exit 2 }
dir=$1 line=$2 dump=${3:-}
init=$(mktemp) || exit 2
cinit="compinit -u -D"
[[ -n $dump ]] && cinit="compinit -u -d ${(q)dump}"
trap 'rm -f $init; zpty -d z 2>/dev/null' EXIT

cat > $init <<EOF
PROMPT='' RPROMPT='' PS2=''
fpath=(${(q)dir} \$fpath)
autoload -Uz compinit && $cinit
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
zstyle ':completion:*' list-grouped false
__zc_begin() { print -r -- '<zc-begin>' }
__zc_end() { print -r -- '<zc-end>'; exit 0 }
compprefuncs=(__zc_begin)
comppostfuncs=(__zc_end)
compadd() {
	local -a __zc_hits
	# A call that stores its words instead of adding them is not ours.
	if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
		builtin compadd "\$@"
		return
	fi
	builtin compadd -A __zc_hits "\$@"
	(( \$#__zc_hits )) && print -rl -- '<zc-hit>'\${^__zc_hits}
	builtin compadd "\$@"
}
print -r -- '<zc-ready>'
EOF

zpty z zsh -f -i || exit 2
zpty -w z "source ${(q)init}"
# Wait for the init to finish before typing the line.
integer n=0
while zpty -r z out; do
	[[ $out == *'<zc-ready>'* ]] && break
	(( ++n > 200 )) && { print -u2 "zsh_complete: no prompt"; exit 2 }
done
zpty -n -w z "$line"$'\t'
integer on=0
while zpty -r z out; do
	out=${out//$'\r'/}
	[[ $out == *'<zc-begin>'* ]] && on=1
	if (( on )) && [[ $out == *'<zc-hit>'* ]]; then
		print -r -- ${out#*'<zc-hit>'}
	fi
	[[ $out == *'<zc-end>'* ]] && exit 0
done
print -u2 "zsh_complete: the completion did not finish"
exit 2
