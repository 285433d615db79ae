/*
 * The firewall ops of ttp-privd (privd/fw.c) against a real kernel: every
 * test runs in its own forked child that first moves into a new, empty
 * network namespace (a new user namespace too when not root), so nothing
 * here can touch the host's own firewall. The handlers are called
 * directly, in process; the IPC path is tested elsewhere.
 */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "privd/privd.h"
#include "check_run.h"
#include "fw_fixture.h"

static struct nft_ctx	*other;	/* "someone else" changing the table */

/* Runs in the forked child before each test. Refuse to go on unless we
 * really are in a fresh network namespace. */
static void
setup(void)
{
	int	 r = -1;

	if (geteuid() == 0)
		r = unshare(CLONE_NEWNET);
	if (r == -1)
		r = unshare(CLONE_NEWUSER | CLONE_NEWNET);
	if (r == -1)
		ck_abort_msg("cannot create a network namespace: %s",
		    strerror(errno));
	ck_assert_int_eq(fw_init(), 0);
	other = nft_ctx_new(NFT_CTX_DEFAULT);
	ck_assert_ptr_nonnull(other);
	nft_ctx_buffer_output(other);
	nft_ctx_buffer_error(other);
}

static void
teardown(void)
{
	nft_ctx_free(other);
}

static int
nft_other(const char *cmd)
{
	return nft_run_cmd_from_buffer(other, cmd);
}

static struct privop_req
apply_req(void)
{
	struct privop_req	 req;

	memset(&req, 0, sizeof(req));
	req.op = PRIVOP_FW_APPLY;
	req.u.fw_apply = fixture_fw_apply();
	return req;
}

typedef void (*handler_fn)(const struct privop_req *, struct privop_reply *);

static struct privop_reply
call(handler_fn fn, const struct privop_req *req)
{
	struct privop_reply	 rep;
	struct privop_req	 none;

	memset(&rep, 0, sizeof(rep));
	memset(&none, 0, sizeof(none));
	fn(req != NULL ? req : &none, &rep);
	return rep;
}

#define OK(rep) ck_assert_msg((rep).err == 0, "err %d: %s", (rep).err, \
	(rep).msg)

START_TEST(lifecycle)
{
	struct privop_req	 req = apply_req(), lock;
	struct privop_reply	 rep, st;
	uint64_t		 session_hash;

	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_ABSENT);
	ck_assert_uint_eq(st.count, 0);

	rep = call(privd_fw_apply, &req);
	OK(rep);
	ck_assert_uint_eq(rep.state, FW_STATE_SESSION);
	ck_assert_uint_ne(rep.hash, 0);
	session_hash = rep.hash;
	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_SESSION);
	ck_assert_uint_eq(st.hash, session_hash);
	ck_assert_uint_eq(st.count, 1);

	memset(&lock, 0, sizeof(lock));
	lock.op = PRIVOP_FW_LOCKDOWN;
	lock.u.fw_lockdown.tor_uid = 64001;
	rep = call(privd_fw_lockdown, &lock);
	OK(rep);
	ck_assert_uint_eq(rep.state, FW_STATE_LOCKDOWN);
	ck_assert_uint_ne(rep.hash, session_hash);
	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_LOCKDOWN);
	ck_assert_uint_eq(st.hash, rep.hash);
	ck_assert_uint_eq(st.count, 1);

	/* lockdown -> session -> lockdown, each one transaction */
	rep = call(privd_fw_apply, &req);
	OK(rep);
	ck_assert_uint_eq(rep.hash, session_hash);
	rep = call(privd_fw_lockdown, &lock);
	OK(rep);
	ck_assert_uint_eq(rep.state, FW_STATE_LOCKDOWN);

	rep = call(privd_fw_remove, NULL);
	OK(rep);
	ck_assert_uint_eq(rep.state, FW_STATE_ABSENT);
	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_ABSENT);
	ck_assert_uint_eq(st.count, 0);
	ck_assert_uint_eq(st.hash, 0);
	ck_assert_int_ne(nft_other("list table inet ttp"), 0);

	/* remove is idempotent */
	rep = call(privd_fw_remove, NULL);
	OK(rep);
	ck_assert_uint_eq(rep.state, FW_STATE_ABSENT);
}
END_TEST

/* Re-applying the same options gives the same kernel table; other
 * options a different one, and status follows the latest. */
START_TEST(reapply)
{
	struct privop_req	 req = apply_req();
	struct privop_reply	 a, b, st;
	int			 i;

	a = call(privd_fw_apply, &req);
	OK(a);
	for (i = 0; i < 5; i++) {
		b = call(privd_fw_apply, &req);
		OK(b);
		ck_assert_uint_eq(a.hash, b.hash);
	}
	req.u.fw_apply.ipv6 = false;
	b = call(privd_fw_apply, &req);
	OK(b);
	ck_assert_uint_ne(a.hash, b.hash);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.hash, b.hash);
	ck_assert_uint_eq(st.count, 1);
}
END_TEST

/* Every combination of flags and ids is accepted by the kernel. */
START_TEST(all_combinations)
{
	struct privop_req	 req = apply_req();
	struct privop_reply	 rep, st;

	req.u.fw_apply.allow_root = (_i & 1) != 0;
	req.u.fw_apply.lan_bypass = (_i & 2) != 0;
	req.u.fw_apply.ipv6 = (_i & 4) != 0;
	if (_i & 8) {
		int	 i;

		for (i = 0; i < TTP_MAX_BYPASS; i++) {
			req.u.fw_apply.bypass_uids[i] = 1000 + (uint32_t)i;
			req.u.fw_apply.bypass_gids[i] = 0xfffffffeU -
			    (uint32_t)i;
		}
		req.u.fw_apply.n_bypass_uids = TTP_MAX_BYPASS;
		req.u.fw_apply.n_bypass_gids = TTP_MAX_BYPASS;
	}
	rep = call(privd_fw_apply, &req);
	OK(rep);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.state, FW_STATE_SESSION);
	ck_assert_uint_eq(st.count, 1);
}
END_TEST

/* Someone changes the table behind privd's back: the hash tells. */
START_TEST(external_change)
{
	struct privop_req	 req = apply_req();
	struct privop_reply	 rep, st;

	rep = call(privd_fw_apply, &req);
	OK(rep);
	ck_assert_int_eq(nft_other("insert rule inet ttp filter_out "
	    "meta skuid 1234 accept"), 0);
	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_SESSION);
	ck_assert_uint_ne(st.hash, rep.hash);
	ck_assert_uint_eq(st.count, 0);

	/* re-applying repairs it */
	rep = call(privd_fw_apply, &req);
	OK(rep);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.count, 1);

	/* a deleted rule */
	ck_assert_int_eq(nft_other("flush chain inet ttp output"), 0);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.count, 0);
	ck_assert_uint_ne(st.hash, rep.hash);
}
END_TEST

/* Tables ttp did not make are foreign: an extra chain, a dormant flag,
 * or a table made by someone else with our chain names. */
START_TEST(foreign)
{
	struct privop_req	 req = apply_req(), lock;
	struct privop_reply	 rep, st;

	ck_assert_int_eq(nft_other("add table inet ttp; "
	    "add chain inet ttp filter_out"), 0);
	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_FOREIGN);
	ck_assert_uint_eq(st.count, 0);
	/* apply replaces whatever was there */
	rep = call(privd_fw_apply, &req);
	OK(rep);
	ck_assert_uint_eq(rep.state, FW_STATE_SESSION);

	ck_assert_int_eq(nft_other("add chain inet ttp extra"), 0);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.state, FW_STATE_FOREIGN);
	ck_assert_uint_eq(st.count, 0);

	memset(&lock, 0, sizeof(lock));
	lock.op = PRIVOP_FW_LOCKDOWN;
	lock.u.fw_lockdown.tor_uid = 64001;
	rep = call(privd_fw_lockdown, &lock);
	OK(rep);
	ck_assert_int_eq(nft_other("add table inet ttp { flags dormant; }"),
	    0);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.state, FW_STATE_FOREIGN);
	ck_assert_uint_eq(st.count, 0);

	/* a lockdown-shaped table privd did not install */
	rep = call(privd_fw_remove, NULL);
	OK(rep);
	ck_assert_int_eq(nft_other("add table inet ttp; "
	    "add chain inet ttp output; add chain inet ttp filter_out; "
	    "add chain inet ttp filter_in; add chain inet ttp filter_fwd; "
	    "add chain inet ttp filter_post"), 0);
	st = call(privd_fw_status, NULL);
	ck_assert_uint_eq(st.state, FW_STATE_LOCKDOWN);
	ck_assert_uint_eq(st.count, 0);
}
END_TEST

/* No other table is ever touched. */
START_TEST(other_tables_untouched)
{
	struct privop_req	 req = apply_req();
	struct privop_reply	 rep;

	ck_assert_int_eq(nft_other("add table inet mine; add chain inet mine "
	    "out { type filter hook output priority 10; }; add rule inet mine "
	    "out counter; add table ip ttp"), 0);
	rep = call(privd_fw_apply, &req);
	OK(rep);
	rep = call(privd_fw_remove, NULL);
	OK(rep);
	ck_assert_int_eq(nft_other("list chain inet mine out"), 0);
	ck_assert_int_eq(nft_other("list table ip ttp"), 0);
	ck_assert_int_ne(nft_other("list table inet ttp"), 0);
}
END_TEST

/* Arguments the renderer refuses are an error reply; nothing changes. */
START_TEST(invalid_arguments)
{
	struct privop_req	 req = apply_req(), lock;
	struct privop_reply	 rep, st;

	req.u.fw_apply.tor_uid = 0;
	rep = call(privd_fw_apply, &req);
	ck_assert_int_eq(rep.err, EINVAL);
	ck_assert_str_ne(rep.msg, "");
	req = apply_req();
	req.u.fw_apply.n_bypass_uids = 1;	/* bypass_uids[0] == 0 */
	rep = call(privd_fw_apply, &req);
	ck_assert_int_eq(rep.err, EINVAL);
	memset(&lock, 0, sizeof(lock));
	lock.op = PRIVOP_FW_LOCKDOWN;
	rep = call(privd_fw_lockdown, &lock);
	ck_assert_int_eq(rep.err, EINVAL);
	st = call(privd_fw_status, NULL);
	OK(st);
	ck_assert_uint_eq(st.state, FW_STATE_ABSENT);
}
END_TEST

/* fw.c keeps libnftables from resolving ids as user/group names (NSS
 * after seccomp, and numeric-looking names): the lookups must fail. */
START_TEST(no_name_lookups)
{
	struct privop_req	 req = apply_req();
	struct privop_reply	 rep;

	ck_assert_ptr_null(getpwnam("root"));
	ck_assert_ptr_null(getgrnam("root"));
	req.u.fw_apply.bypass_uids[0] = 65534;
	req.u.fw_apply.n_bypass_uids = 1;
	req.u.fw_apply.bypass_gids[0] = 65534;
	req.u.fw_apply.n_bypass_gids = 1;
	rep = call(privd_fw_apply, &req);
	OK(rep);
	ck_assert_int_eq(nft_other("list chain inet ttp filter_out"), 0);
	ck_assert_ptr_nonnull(strstr(nft_ctx_get_output_buffer(other),
	    "meta skuid 65534 accept"));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("fw");
	TCase	*tc = tcase_create("netns");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, lifecycle);
	tcase_add_test(tc, reapply);
	tcase_add_loop_test(tc, all_combinations, 0, 16);
	tcase_add_test(tc, external_change);
	tcase_add_test(tc, foreign);
	tcase_add_test(tc, other_tables_untouched);
	tcase_add_test(tc, invalid_arguments);
	tcase_add_test(tc, no_name_lookups);
	suite_add_tcase(s, tc);
	return check_run(s);
}
