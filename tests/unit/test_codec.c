/*
 * The msgpack codec of the privileged interface: golden vectors per op
 * (checked against an independent hand encoding), encode/decode round
 * trips for requests and replies, one malformed frame per decoding and
 * validation rule (tests/unit/privop_frames.h), the encoder's limits, and
 * the client stubs against a canned peer on a socketpair.
 */
#include "ipc/privop.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "privop_frames.h"
#include "check_run.h"

static const struct {
	struct privop_req	 req;
	const char		*hex;
} golden[] = {
	{ { .op = PRIVOP_FW_APPLY, .u.fw_apply = { .tor_uid = 64001,
	    .trans_port = 9041, .dns_port = 9054,
	    .bypass_uids = { 1000, 1001 }, .n_bypass_uids = 2,
	    .bypass_gids = { 100 }, .n_bypass_gids = 1,
	    .allow_root = false, .lan_bypass = true, .ipv6 = true,
	    .routers = { .v4 = { { 192, 168, 1, 1 } },
	    .v6 = { { 0xfe, 0x80, [15] = 1 } }, .n_v4 = 1, .n_v6 = 1 } } },
	    "8ba26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	    "6e735f706f7274cd235eab6279706173735f7569647392cd03e8cd03e9ab6279"
	    "706173735f676964739164aa616c6c6f775f726f6f74c2aa6c616e5f62797061"
	    "7373c3a469707636c3aa726f75746572735f763491c404c0a80101aa726f7574"
	    "6572735f763691c410fe800000000000000000000000000001" },
	/* Every limit at once: largest ids, extreme ports, 16 of each id,
	 * 8 routers of each family. */
	{ { .op = PRIVOP_FW_APPLY, .u.fw_apply = { .tor_uid = 0xfffffffe,
	    .trans_port = 1, .dns_port = 65535,
	    .bypass_uids = { 100000, 100001, 100002, 100003, 100004, 100005,
	    100006, 100007, 100008, 100009, 100010, 100011, 100012, 100013,
	    100014, 100015 }, .n_bypass_uids = 16,
	    .bypass_gids = { 0xfffffffe, 0xfffffffd, 0xfffffffc, 0xfffffffb,
	    0xfffffffa, 0xfffffff9, 0xfffffff8, 0xfffffff7, 0xfffffff6,
	    0xfffffff5, 0xfffffff4, 0xfffffff3, 0xfffffff2, 0xfffffff1,
	    0xfffffff0, 0xffffffef }, .n_bypass_gids = 16,
	    .allow_root = true, .lan_bypass = false, .ipv6 = false,
	    .routers = { .v4 = { { 10, 0, 0, 1 }, { 10, 0, 0, 2 },
	    { 10, 0, 0, 3 }, { 10, 0, 0, 4 }, { 10, 0, 0, 5 }, { 10, 0, 0, 6 },
	    { 10, 0, 0, 7 }, { 10, 0, 0, 8 } }, .n_v4 = 8,
	    .v6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 4 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 6 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 },
	    { 0x20, 0x01, 0x0d, 0xb8, [15] = 8 } }, .n_v6 = 8 } } },
	    "8ba26f7001a7746f725f756964cefffffffeaa7472616e735f706f727401a864"
	    "6e735f706f7274cdffffab6279706173735f75696473dc0010ce000186a0ce00"
	    "0186a1ce000186a2ce000186a3ce000186a4ce000186a5ce000186a6ce000186"
	    "a7ce000186a8ce000186a9ce000186aace000186abce000186acce000186adce"
	    "000186aece000186afab6279706173735f67696473dc0010cefffffffeceffff"
	    "fffdcefffffffccefffffffbcefffffffacefffffff9cefffffff8cefffffff7"
	    "cefffffff6cefffffff5cefffffff4cefffffff3cefffffff2cefffffff1ceff"
	    "fffff0ceffffffefaa616c6c6f775f726f6f74c3aa6c616e5f627970617373c2"
	    "a469707636c2aa726f75746572735f763498c4040a000001c4040a000002c404"
	    "0a000003c4040a000004c4040a000005c4040a000006c4040a000007c4040a00"
	    "0008aa726f75746572735f763698c41020010db8000000000000000000000001"
	    "c41020010db8000000000000000000000002c41020010db80000000000000000"
	    "00000003c41020010db8000000000000000000000004c41020010db800000000"
	    "0000000000000005c41020010db8000000000000000000000006c41020010db8"
	    "000000000000000000000007c41020010db8000000000000000000000008" },
	{ { .op = PRIVOP_FW_LOCKDOWN, .u.fw_lockdown = { .tor_uid = 64001 } },
	    "82a26f7002a7746f725f756964cdfa01" },
	{ { .op = PRIVOP_FW_REMOVE }, "81a26f7003" },
	{ { .op = PRIVOP_FW_STATUS }, "81a26f7004" },
	{ { .op = PRIVOP_DNS_OVERLAY }, "81a26f7005" },
	{ { .op = PRIVOP_DNS_RESTORE }, "81a26f7006" },
	{ { .op = PRIVOP_CT_FLUSH }, "81a26f7007" },
	{ { .op = PRIVOP_SOCK_KILL, .u.sock_kill = { .trans_port = 9041 } },
	    "82a26f7008aa7472616e735f706f7274cd2351" },
	/* FW_ANCHOR: FW_APPLY's keys under its own op number. */
	{ { .op = PRIVOP_FW_ANCHOR, .u.fw_apply = { .tor_uid = 64001,
	    .trans_port = 9041, .dns_port = 9054, .lan_bypass = true,
	    .ipv6 = true } },
	    "8ba26f7009a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	    "6e735f706f7274cd235eab6279706173735f7569647390ab6279706173735f67"
	    "69647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a4697076"
	    "36c3aa726f75746572735f763490aa726f75746572735f763690" },
};
#define N_GOLDEN	(sizeof(golden) / sizeof(golden[0]))

static const struct {
	struct privop_reply	 rep;
	const char		*hex;
} golden_replies[] = {
	{ { .err = 0, .msg = "", .state = FW_STATE_SESSION,
	    .hash = 0x0123456789abcdefULL, .count = 3, .anchors = 2 },
	    "86a365727200a36d7367a0a5737461746501a468617368cf0123456789abcdef"
	    "a5636f756e7403a7616e63686f727302" },
	{ { .err = EPERM, .msg = "Operation not permitted" },
	    "86a365727201a36d7367b74f7065726174696f6e206e6f74207065726d697474"
	    "6564a5737461746500a46861736800a5636f756e7400a7616e63686f727300" },
};
#define N_GOLDEN_REPLIES (sizeof(golden_replies) / sizeof(golden_replies[0]))

static void
to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

START_TEST(test_golden_req)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	char			 hex[2 * PRIVOP_FRAME_MAX + 1];
	struct privop_req	 req;
	const char		*why = NULL;
	ssize_t			 n;
	size_t			 len;

	n = privop_encode_req(&golden[_i].req, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	to_hex(buf, (size_t)n, hex);
	ck_assert_str_eq(hex, golden[_i].hex);

	/* And back: the golden bytes decode to exactly the struct. */
	len = frame_from_hex(golden[_i].hex, buf, sizeof(buf));
	ck_assert_int_eq(privop_decode_req(buf, len, &req, &why), 0);
	ck_assert_int_eq(privop_validate_req(&req, &why), 0);
	ck_assert_mem_eq(&req, &golden[_i].req, sizeof(req));
	ck_assert_str_ne(privop_name(req.op), "unknown");
}
END_TEST

START_TEST(test_golden_reply)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	char			 hex[2 * PRIVOP_FRAME_MAX + 1];
	struct privop_reply	 rep;
	const char		*why = NULL;
	ssize_t			 n;

	n = privop_encode_reply(&golden_replies[_i].rep, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	to_hex(buf, (size_t)n, hex);
	ck_assert_str_eq(hex, golden_replies[_i].hex);
	ck_assert_int_eq(privop_decode_reply(buf, (size_t)n, &rep, &why), 0);
	ck_assert_mem_eq(&rep, &golden_replies[_i].rep, sizeof(rep));
}
END_TEST

/* Keys in another order are the same request: order is not a rule. */
START_TEST(test_key_order)
{
	unsigned char		 buf[64];
	struct privop_req	 req;
	const char		*why = NULL;
	size_t			 len;

	len = frame_from_hex("82aa7472616e735f706f7274cd2351a26f7008", buf,
	    sizeof(buf));
	ck_assert_int_eq(privop_decode_req(buf, len, &req, &why), 0);
	ck_assert_int_eq(req.op, PRIVOP_SOCK_KILL);
	ck_assert_uint_eq(req.u.sock_kill.trans_port, 9041);
}
END_TEST

START_TEST(test_roundtrip_reply)
{
	struct privop_reply	 in, out;
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	const char		*why = NULL;
	ssize_t			 n;

	memset(&in, 0, sizeof(in));
	in.err = INT32_MAX;
	memset(in.msg, 'x', sizeof(in.msg) - 1);	/* longest message */
	in.state = FW_STATE_MAX;
	in.hash = UINT64_MAX;
	in.count = UINT32_MAX;
	n = privop_encode_reply(&in, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(privop_decode_reply(buf, (size_t)n, &out, &why), 0);
	ck_assert_mem_eq(&in, &out, sizeof(in));
}
END_TEST

START_TEST(test_bad_frame)
{
	const struct bad_frame	*b = &bad_frames[_i];
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_req	 req;
	const char		*why = NULL;
	size_t			 len;

	len = frame_from_hex(b->hex, buf, sizeof(buf));
	ck_assert_msg(len != (size_t)-1, "%s: bad hex", b->name);
	if (privop_decode_req(buf, len, &req, &why) == 0)
		ck_assert_msg(privop_validate_req(&req, &why) == -1,
		    "%s: accepted", b->name);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, b->why) != NULL,
	    "%s: refused for \"%s\", expected \"%s\"", b->name, why, b->why);
}
END_TEST

START_TEST(test_bad_reply)
{
	const struct bad_frame	*b = &bad_replies[_i];
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_reply	 rep;
	const char		*why = NULL;
	size_t			 len;

	len = frame_from_hex(b->hex, buf, sizeof(buf));
	ck_assert_msg(len != (size_t)-1, "%s: bad hex", b->name);
	ck_assert_msg(privop_decode_reply(buf, len, &rep, &why) == -1,
	    "%s: accepted", b->name);
	ck_assert_msg(strstr(why, b->why) != NULL,
	    "%s: refused for \"%s\", expected \"%s\"", b->name, why, b->why);
}
END_TEST

START_TEST(test_empty_and_oversize)
{
	static unsigned char	 buf[PRIVOP_FRAME_MAX + 1];
	struct privop_req	 req;
	struct privop_reply	 rep;
	const char		*why = NULL;
	size_t			 len;

	ck_assert_int_eq(privop_decode_req(buf, 0, &req, &why), -1);
	ck_assert_str_eq(why, "empty frame");
	/* A valid frame, padded past the limit: size is checked first. */
	len = frame_from_hex("81a26f7003", buf, sizeof(buf));
	memset(buf + len, 0xc0, sizeof(buf) - len);
	ck_assert_int_eq(privop_decode_req(buf, sizeof(buf), &req, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "PRIVOP_FRAME_MAX"));
	ck_assert_int_eq(privop_decode_reply(buf, sizeof(buf), &rep, &why),
	    -1);
	ck_assert_ptr_nonnull(strstr(why, "PRIVOP_FRAME_MAX"));
	ck_assert_int_eq(privop_decode_reply(buf, 0, &rep, &why), -1);
}
END_TEST

/* Every strict prefix of a valid frame is refused, never read past. */
START_TEST(test_truncations)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX], *copy;
	struct privop_req	 req;
	const char		*why;
	size_t			 len, i;

	len = frame_from_hex(golden[1].hex, buf, sizeof(buf));
	for (i = 1; i < len; i++) {
		/* An exact-size heap copy: ASan catches any overread. */
		copy = malloc(i);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, i);
		why = NULL;
		ck_assert_int_eq(privop_decode_req(copy, i, &req, &why), -1);
		ck_assert_ptr_nonnull(why);
		free(copy);
	}
}
END_TEST

START_TEST(test_validate_struct)
{
	struct privop_req	 req = golden[0].req;
	const char		*why = NULL;

	/* Counts beyond the arrays can only come from a struct. */
	req.u.fw_apply.n_bypass_uids = TTP_MAX_BYPASS + 1;
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	req = golden[0].req;
	req.u.fw_apply.trans_port = 0;
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	req = golden[0].req;
	req.u.fw_apply.routers.n_v4 = TTP_MAX_ROUTERS + 1;
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	req = golden[0].req;
	req.u.fw_apply.routers.n_v6 = TTP_MAX_ROUTERS + 1;
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	req = golden[2].req;
	req.u.fw_lockdown.tor_uid = 0xffffffff;
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	req.op = (enum privop)0;
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	req.op = (enum privop)(PRIVOP_MAX + 1);
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	ck_assert_str_eq(why, "unknown op");
}
END_TEST

START_TEST(test_encode_limits)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_req	 req = golden[1].req;
	struct privop_reply	 rep;
	ssize_t			 n;
	size_t			 i;

	/* Too small a buffer, at every size: -1, never an overflow. */
	n = privop_encode_req(&req, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	for (i = 0; i < (size_t)n; i++)
		ck_assert_int_eq(privop_encode_req(&req, buf, i), -1);
	req.u.fw_apply.n_bypass_gids = TTP_MAX_BYPASS + 1;
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);
	req = golden[1].req;
	req.u.fw_apply.routers.n_v4 = TTP_MAX_ROUTERS + 1;
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);
	req = golden[1].req;
	req.u.fw_apply.routers.n_v6 = TTP_MAX_ROUTERS + 1;
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);
	req.op = (enum privop)0;
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);
	req.op = (enum privop)(PRIVOP_MAX + 1);
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);

	memset(&rep, 0, sizeof(rep));
	rep.err = -1;
	ck_assert_int_eq(privop_encode_reply(&rep, buf, sizeof(buf)), -1);
	rep.err = 0;
	rep.state = FW_STATE_MAX + 1;
	ck_assert_int_eq(privop_encode_reply(&rep, buf, sizeof(buf)), -1);
	rep.state = 0;
	memset(rep.msg, 'x', sizeof(rep.msg));		/* no NUL */
	ck_assert_int_eq(privop_encode_reply(&rep, buf, sizeof(buf)), -1);
}
END_TEST

/*
 * Gateway mode and isolation at their largest, with every other limit
 * (golden[1]): a map16 frame within PRIVOP_FRAME_MAX that decodes to the
 * same request, which privd accepts; without them, the keys are left out
 * (golden[0] stays the frame it was).
 */
START_TEST(test_gateway_isolate_roundtrip)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_req	 req = golden[1].req, back;
	struct privop_fw_apply	*a = &req.u.fw_apply;
	const char		*why = NULL;
	ssize_t			 n;
	uint8_t			 i;

	for (i = 0; i < TTP_MAX_GATEWAYS; i++)
		snprintf(a->gw.ifs[i], sizeof(a->gw.ifs[i]), "%s%u",
		    i ? "virbr" : "abcdefghijklmn", i);
	a->gw.n_ifs = TTP_MAX_GATEWAYS;
	a->gw.trans_port = TTP_DEF_GW_TRANS_PORT;
	a->gw.dns_port = TTP_DEF_GW_DNS_PORT;
	for (i = 0; i < TTP_MAX_ISOLATE; i++)
		a->iso.uids[i] = i == 0 ? 0 : 0xfffffe00U + i;
	a->iso.n_uids = TTP_MAX_ISOLATE;
	a->iso.base = TTP_ISO_PORT_BASE;
	n = privop_encode_req(&req, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(buf[0], 0xde);	/* map16: 16 keys */
	memset(&back, 0, sizeof(back));
	ck_assert_msg(privop_decode_req(buf, (size_t)n, &back, &why) == 0,
	    "%s", why);
	ck_assert_int_eq(memcmp(&back.u.fw_apply, a, sizeof(*a)), 0);
	ck_assert_msg(privop_validate_req(&back, &why) == 0, "%s", why);
	/* One gateway interface too many, one uid too many: not encoded. */
	a->gw.n_ifs = TTP_MAX_GATEWAYS + 1;
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);
	a->gw.n_ifs = TTP_MAX_GATEWAYS;
	a->iso.n_uids = TTP_MAX_ISOLATE + 1;
	ck_assert_int_eq(privop_encode_req(&req, buf, sizeof(buf)), -1);
	/* Validation of what the struct may hold beyond the wire's. */
	a->iso.n_uids = TTP_MAX_ISOLATE;
	strcpy(a->gw.ifs[1], "lo");
	ck_assert_int_eq(privop_validate_req(&req, &why), -1);
	ck_assert_str_eq(why, "gateway interface not a valid name");
	ck_assert_int_eq(privop_valid_ifname("virbr0\0\0\0\0\0\0\0\0\0",
	    16), 1);
	ck_assert_int_eq(privop_valid_ifname("eth0;\0\0\0\0\0\0\0\0\0\0",
	    16), 0);
}
END_TEST

START_TEST(test_names)
{
	int	 op, other;

	for (op = 1; op <= PRIVOP_MAX; op++)
		for (other = 1; other < op; other++)
			ck_assert_str_ne(privop_name((enum privop)op),
			    privop_name((enum privop)other));
	ck_assert_str_eq(privop_name((enum privop)0), "unknown");
	ck_assert_str_eq(privop_name((enum privop)(PRIVOP_MAX + 1)),
	    "unknown");
	ck_assert_str_eq(privop_name(PRIVOP_FW_APPLY), "fw-apply");
}
END_TEST

/*
 * Client stubs against a canned peer: the reply is queued on the socket
 * before the call, so no second process is needed.
 */
static void
queue_reply(int fd, const struct privop_reply *rep)
{
	unsigned char	 buf[PRIVOP_FRAME_MAX];
	ssize_t		 n;

	n = privop_encode_reply(rep, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(send(fd, buf, (size_t)n, 0), n);
}

static void
expect_request(int fd, enum privop op)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_req	 req;
	const char		*why = NULL;
	ssize_t			 n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(privop_decode_req(buf, (size_t)n, &req, &why), 0);
	ck_assert_int_eq(req.op, op);
}

START_TEST(test_client)
{
	struct privop_reply	 rep, canned;
	struct privop_fw_apply	 a = golden[0].req.u.fw_apply;
	unsigned char		 junk[PRIVOP_FRAME_MAX + 100];
	int			 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&canned, 0, sizeof(canned));
	canned.state = FW_STATE_SESSION;
	canned.hash = 42;
	queue_reply(sv[1], &canned);
	ck_assert_int_eq(privop_fw_apply(sv[0], &a, &rep), 0);
	ck_assert_uint_eq(rep.hash, 42);
	expect_request(sv[1], PRIVOP_FW_APPLY);

	/* Each stub sends its own op. */
#define CALL(call, op) do {					\
	queue_reply(sv[1], &canned);				\
	ck_assert_int_eq(call, 0);				\
	expect_request(sv[1], op);				\
} while (0)
	CALL(privop_fw_lockdown(sv[0], 64001, &rep), PRIVOP_FW_LOCKDOWN);
	CALL(privop_fw_remove(sv[0], &rep), PRIVOP_FW_REMOVE);
	CALL(privop_fw_status(sv[0], &rep), PRIVOP_FW_STATUS);
	CALL(privop_dns_overlay(sv[0], &rep), PRIVOP_DNS_OVERLAY);
	CALL(privop_dns_restore(sv[0], &rep), PRIVOP_DNS_RESTORE);
	CALL(privop_ct_flush(sv[0], &rep), PRIVOP_CT_FLUSH);
	CALL(privop_sock_kill(sv[0], 9041, &rep), PRIVOP_SOCK_KILL);
#undef CALL

	/* An error reply: -1, with privd's errno and message. */
	canned.err = EPERM;
	strcpy(canned.msg, "no");
	queue_reply(sv[1], &canned);
	ck_assert_int_eq(privop_fw_remove(sv[0], &rep), -1);
	ck_assert_int_eq(rep.err, EPERM);
	ck_assert_str_eq(rep.msg, "no");
	expect_request(sv[1], PRIVOP_FW_REMOVE);

	/* An invalid request is refused before anything is sent. */
	ck_assert_int_eq(privop_fw_lockdown(sv[0], 0, &rep), -1);
	ck_assert_int_eq(rep.err, EINVAL);
	ck_assert_int_eq(recv(sv[1], junk, sizeof(junk), MSG_DONTWAIT), -1);

	/* Garbage and oversize replies. */
	ck_assert_int_eq(send(sv[1], "\x81\xa2op\x03", 5, 0), 5);
	ck_assert_int_eq(privop_fw_status(sv[0], &rep), -1);
	ck_assert_int_eq(rep.err, EPROTO);
	expect_request(sv[1], PRIVOP_FW_STATUS);
	memset(junk, 0xc0, sizeof(junk));
	ck_assert_int_eq(send(sv[1], junk, sizeof(junk), 0), sizeof(junk));
	ck_assert_int_eq(privop_fw_status(sv[0], &rep), -1);
	ck_assert_int_eq(rep.err, EPROTO);
	expect_request(sv[1], PRIVOP_FW_STATUS);

	/* privd gone after reading the request, then gone altogether. */
	ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
	ck_assert_int_eq(privop_fw_status(sv[0], &rep), -1);
	ck_assert_int_eq(rep.err, EPIPE);
	close(sv[1]);
	ck_assert_int_eq(privop_fw_status(sv[0], &rep), -1);
	ck_assert_int_eq(rep.err, EPIPE);
	ck_assert_ptr_nonnull(strstr(rep.msg, "gone"));
	close(sv[0]);
}
END_TEST

static Suite *
codec_suite(void)
{
	Suite	*s = suite_create("codec");
	TCase	*tc = tcase_create("codec");

	tcase_add_loop_test(tc, test_golden_req, 0, N_GOLDEN);
	tcase_add_loop_test(tc, test_golden_reply, 0, N_GOLDEN_REPLIES);
	tcase_add_test(tc, test_key_order);
	tcase_add_test(tc, test_roundtrip_reply);
	tcase_add_loop_test(tc, test_bad_frame, 0, N_BAD_FRAMES);
	tcase_add_loop_test(tc, test_bad_reply, 0, N_BAD_REPLIES);
	tcase_add_test(tc, test_empty_and_oversize);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_validate_struct);
	tcase_add_test(tc, test_gateway_isolate_roundtrip);
	tcase_add_test(tc, test_encode_limits);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_client);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(codec_suite());
}
