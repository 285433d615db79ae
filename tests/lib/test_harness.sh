#!/bin/bash
# The shell harness itself (tests/lib/harness.sh): each meaning of a result,
# the exit status, cleanup on every way out, bounded waits, JSON reads. Each
# case runs a small script under a fresh bash and looks at what it printed
# and how it exited.
# The checks are eval strings, expanded when they run:
# shellcheck disable=SC2016,SC2034,SC2317
set -u
HARNESS=$(cd "$(dirname "$0")" && pwd)/harness.sh
# shellcheck source=tests/lib/harness.sh
. "$HARNESS"
T=$(mktemp -d)
on_exit rm -rf "$T"

# run_case NAME BODY [ENV...]: BODY as a test file, outside strict mode
# unless ENV sets TTP_STRICT (this file may itself run under it); output in
# $T/NAME.out, status in RC.
run_case() {
	local name=$1 body=$2; shift 2
	printf '. %q\n%s\n' "$HARNESS" "$body" > "$T/$name.sh"
	env -u H_LOADED -u TTP_STRICT "$@" bash "$T/$name.sh" > "$T/$name.out" 2>&1
	RC=$?
}
out_has() { grep -q -- "$2" "$T/$1.out"; }

run_case ok 'pass one; check two true; done_testing'
check "passes exit 0 with one TAP line each and the plan" \
    eval '[ $RC = 0 ] && out_has ok "^ok 1 - one$" && out_has ok "^ok 2 - two$" && out_has ok "^1\.\.2$"'

run_case failing 'pass one; fail two "why it failed"; check three false; done_testing'
check "a failure makes the file fail and says why" \
    eval '[ $RC = 1 ] && out_has failing "^not ok 2 - two$" && out_has failing "^# why it failed$" && out_has failing "^not ok 3 - three$"'

run_case empty 'done_testing'
check "a file where no check ran fails" eval '[ $RC = 1 ] && out_has empty "no check ran"'

run_case skipped 'pass one; skip two "no zsh here"; done_testing'
check "a skip says why and passes outside strict mode" \
    eval '[ $RC = 0 ] && out_has skipped "^ok 2 - two # SKIP no zsh here$"'
run_case skipped_strict 'pass one; skip two "no zsh here"; done_testing' TTP_STRICT=1
check "under TTP_STRICT=1 (ctest) a skip fails the file" eval '[ $RC = 1 ]'

run_case bug_open 'pass one; known_bug B1 "the bug" false; done_testing'
check "a known bug still present is reported as TODO and does not fail" \
    eval '[ $RC = 0 ] && out_has bug_open "^not ok 2 - the bug # TODO known bug B1$"'
run_case bug_fixed 'pass one; known_bug B1 "the bug" true; done_testing'
check "a known bug that is fixed fails loudly" \
    eval '[ $RC = 1 ] && out_has bug_fixed "known bug B1 is fixed"'

run_case cleanup "on_exit rm $T/first; on_exit touch $T/first; on_exit touch $T/c1; pass one; done_testing"
check "cleanup runs on a normal end, in reverse order" \
    eval '[ -e "$T/c1" ] && [ ! -e "$T/first" ]'
run_case cleanup_err "on_exit touch $T/c2; pass one; false_cmd_that_does_not_exist; exit 3"
check "cleanup runs when the file dies early; the status stays a failure" \
    eval '[ -e "$T/c2" ] && [ $RC = 3 ] && out_has cleanup_err "before done_testing"'
run_case cleanup_bail "on_exit touch $T/c3; bail 'no lab'; pass never"
check "bail stops the file, fails it and cleans up" \
    eval '[ -e "$T/c3" ] && [ $RC = 1 ] && out_has cleanup_bail "^Bail out! no lab$" && ! out_has cleanup_bail "never"'
run_case cleanup_term "on_exit touch $T/c4; pass one; kill -TERM \$\$; sleep 5"
check "cleanup runs on SIGTERM" eval '[ -e "$T/c4" ] && [ $RC != 0 ]'
run_case early_exit0 'pass one; exit 0'
check "an exit 0 before done_testing is a failure" eval '[ $RC = 1 ]'

t0=$SECONDS
wait_for 1 false
rc=$?
check "wait_for gives up after its bound" eval '[ $rc = 1 ] && [ $((SECONDS - t0)) -le 2 ]'
check "wait_for returns as soon as the command succeeds" wait_for 1 true

J='{"state":"active","n":3,"ok":true,"list":[{"a":"x y"}],"none":null}'
check "json_get reads a string" eval '[ "$(json_get state <<<"$J")" = active ]'
check "json_get reads a number and a boolean" \
    eval '[ "$(json_get n <<<"$J")" = 3 ] && [ "$(json_get ok <<<"$J")" = true ]'
check "json_get follows list indexes" eval '[ "$(json_get list.0.a <<<"$J")" = "x y" ]'
check "json_get fails on a missing key, null and garbage" \
    eval '! json_get nope <<<"$J" && ! json_get none <<<"$J" && ! json_get state <<<"not json"'
check "json_is holds when every path has its value" \
    eval 'json_is state=active n=3 ok=true list.0.a="x y" <<<"$J"'
check "json_is fails on one wrong value and says which" \
    eval '! json_is state=active n=4 <<<"$J" 2>"$T/is.err" && grep -q "n is 3, not 4" "$T/is.err"'

cat > "$T/child.sh" <<'EOF'
. "$H_LIB"
echo "some output"
pass "child one"
fail "child two" "the reason"
known_bug B2 "child three" false
bail "child gave up"
pass "never"
EOF
run_case parent "in_child bash $T/child.sh; pass after; done_testing"
check "in_child: the child's checks are the parent's, numbered on" \
    eval 'out_has parent "^ok 1 - child one$" && out_has parent "^not ok 2 - child two$" && out_has parent "^# the reason$" && out_has parent "^not ok 3 - child three # TODO known bug B2$"'
check "in_child: other output becomes diagnostics, a bail a failure, and the exit status one more" \
    eval 'out_has parent "^# some output$" && out_has parent "^not ok 4 - child gave up$" && out_has parent "^not ok 5 - the child process exits 0$" && ! out_has parent never && out_has parent "^ok 6 - after$" && [ $RC = 1 ]'
printf '. "$H_LIB"\npass fine\ndone_testing\n' > "$T/child_ok.sh"
run_case parent_ok "in_child bash $T/child_ok.sh; done_testing"
check "in_child: a child that passes passes" eval '[ $RC = 0 ] && out_has parent_ok "^ok 1 - fine$" && out_has parent_ok "^1\.\.1$"'

done_testing
