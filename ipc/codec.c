/*
 * runs in: ttp-privd (root, 2 capabilities, seccomp) and its clients (ttp,
 *   the watchdog's guard).
 *
 * The msgpack codec of the privileged interface (see privop.h). One table
 * per op lists its keys, their types and where they live in the request
 * struct; the encoder writes the keys in table order (so frames are
 * deterministic and golden vectors stable) and the decoder accepts exactly
 * those keys, each once, with exactly those types. Values are checked
 * separately by privop_validate_req(). Nothing here allocates outside
 * msgpack-c's own zone, and every rejection names its rule in *why.
 */
#include "ipc/privop.h"

#include <limits.h>
#include <msgpack.h>
#include <stddef.h>
#include <string.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum ftype {
	F_BOOL,		/* bool */
	F_U16,		/* uint16_t */
	F_U32,		/* uint32_t, at most max */
	F_U64,		/* uint64_t */
	F_ERR,		/* int32_t, 0..INT32_MAX */
	F_IDS,		/* uint32_t[cap] + uint8_t count at noff */
	F_ADDRS,	/* uint8_t[cap][max] + uint8_t count at noff: an
			   array of bin, each exactly max bytes (addresses,
			   interface names) */
	F_STR		/* char[PRIVOP_MSG_MAX], NUL-terminated, no inner NUL */
};

struct field {
	const char	*key;
	enum ftype	 type;
	size_t		 off;	/* in struct privop_req or privop_reply */
	size_t		 noff;	/* F_IDS: offset of the element count */
	uint64_t	 max;	/* F_U32: largest value the type allows;
				   F_ADDRS: an element's length */
	size_t		 cap;	/* F_IDS, F_ADDRS: most elements (0:
				   TTP_MAX_BYPASS, TTP_MAX_ROUTERS) */
	int		 opt;	/* 1: optional, encoded only when not 0 or
				   empty (gateway mode, isolation), so a
				   request without them is the frame it
				   always was */
};

/* The most elements an array field holds. */
static size_t
field_cap(const struct field *f)
{
	if (f->cap != 0)
		return f->cap;
	return f->type == F_IDS ? TTP_MAX_BYPASS : TTP_MAX_ROUTERS;
}

#define FA(m)	offsetof(struct privop_req, u.fw_apply.m)
static const struct field fw_apply_keys[] = {
	{ "tor_uid",	 F_U32,	 FA(tor_uid),	  0, UINT32_MAX, 0, 0 },
	{ "trans_port",	 F_U16,	 FA(trans_port),  0, 0, 0, 0 },
	{ "dns_port",	 F_U16,	 FA(dns_port),	  0, 0, 0, 0 },
	{ "bypass_uids", F_IDS,	 FA(bypass_uids), FA(n_bypass_uids), 0, 0, 0 },
	{ "bypass_gids", F_IDS,	 FA(bypass_gids), FA(n_bypass_gids), 0, 0, 0 },
	{ "allow_root",	 F_BOOL, FA(allow_root),  0, 0, 0, 0 },
	{ "lan_bypass",	 F_BOOL, FA(lan_bypass),  0, 0, 0, 0 },
	{ "ipv6",	 F_BOOL, FA(ipv6),	  0, 0, 0, 0 },
	{ "routers_v4",	 F_ADDRS, FA(routers.v4), FA(routers.n_v4), 4, 0, 0 },
	{ "routers_v6",	 F_ADDRS, FA(routers.v6), FA(routers.n_v6), 16, 0, 0 },
	{ "gw_ifs",	 F_ADDRS, FA(gw.ifs),	  FA(gw.n_ifs), TTP_IFNAME_MAX,
	  TTP_MAX_GATEWAYS, 1 },
	{ "gw_trans_port", F_U16, FA(gw.trans_port), 0, 0, 0, 1 },
	{ "gw_dns_port", F_U16,	 FA(gw.dns_port), 0, 0, 0, 1 },
	{ "iso_uids",	 F_IDS,	 FA(iso.uids),	  FA(iso.n_uids), 0,
	  TTP_MAX_ISOLATE, 1 },
	{ "iso_base",	 F_U16,	 FA(iso.base),	  0, 0, 0, 1 },
};
static const struct field fw_lockdown_keys[] = {
	{ "tor_uid", F_U32,
	  offsetof(struct privop_req, u.fw_lockdown.tor_uid), 0, UINT32_MAX,
	  0, 0 },
};
static const struct field sock_kill_keys[] = {
	{ "trans_port", F_U16,
	  offsetof(struct privop_req, u.sock_kill.trans_port), 0, 0, 0, 0 },
};

#define RP(m)	offsetof(struct privop_reply, m)
static const struct field reply_keys[] = {
	{ "err",   F_ERR, RP(err),   0, 0, 0, 0 },
	{ "msg",   F_STR, RP(msg),   0, 0, 0, 0 },
	{ "state", F_U32, RP(state), 0, FW_STATE_MAX, 0, 0 },
	{ "hash",  F_U64, RP(hash),  0, 0, 0, 0 },
	{ "count", F_U32, RP(count), 0, UINT32_MAX, 0, 0 },
	{ "anchors", F_U32, RP(anchors), 0, (1u << TTP_ANCHOR_SLOTS) - 1, 0, 0 },
};

static const struct opdesc {
	const char		*name;
	const struct field	*keys;
	size_t			 nkeys;
} opdescs[PRIVOP_MAX + 1] = {
	[PRIVOP_FW_APPLY] =	{ "fw-apply", fw_apply_keys,
				  nitems(fw_apply_keys) },
	[PRIVOP_FW_LOCKDOWN] =	{ "fw-lockdown", fw_lockdown_keys,
				  nitems(fw_lockdown_keys) },
	[PRIVOP_FW_REMOVE] =	{ "fw-remove", NULL, 0 },
	[PRIVOP_FW_STATUS] =	{ "fw-status", NULL, 0 },
	[PRIVOP_DNS_OVERLAY] =	{ "dns-overlay", NULL, 0 },
	[PRIVOP_DNS_RESTORE] =	{ "dns-restore", NULL, 0 },
	[PRIVOP_CT_FLUSH] =	{ "ct-flush", NULL, 0 },
	[PRIVOP_SOCK_KILL] =	{ "sock-kill", sock_kill_keys,
				  nitems(sock_kill_keys) },
	[PRIVOP_FW_ANCHOR] =	{ "fw-anchor", fw_apply_keys,
				  nitems(fw_apply_keys) },
};

/* At most this many keys in any frame (fw_apply's, plus "op"). */
#define KEYS_MAX	(nitems(fw_apply_keys) + 1)

const char *
privop_name(enum privop op)
{
	if (op < 1 || op > PRIVOP_MAX)
		return "unknown";
	return opdescs[op].name;
}

/* ---- encoding ---- */

/* msgpack_packer output into the caller's fixed buffer: no allocation. */
struct fixbuf {
	unsigned char	*p;
	size_t		 len, size;
};

static int
fixbuf_write(void *data, const char *buf, size_t len)
{
	struct fixbuf	*fb = data;

	if (len > fb->size - fb->len)
		return -1;
	memcpy(fb->p + fb->len, buf, len);
	fb->len += len;
	return 0;
}

static int
pack_key(msgpack_packer *pk, const char *key)
{
	return msgpack_pack_str_with_body(pk, key, strlen(key));
}

/* Pack one field's key and value; -1 when the struct cannot be encoded. */
static int
pack_field(msgpack_packer *pk, const struct field *f, const void *base)
{
	const unsigned char	*p = (const unsigned char *)base + f->off;
	uint32_t		 u32;
	uint16_t		 u16;
	uint64_t		 u64;
	int32_t			 i32;
	uint8_t			 n, i;
	bool			 b;
	size_t			 len;

	if (pack_key(pk, f->key) != 0)
		return -1;
	switch (f->type) {
	case F_BOOL:
		memcpy(&b, p, sizeof(b));
		return b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
	case F_U16:
		memcpy(&u16, p, sizeof(u16));
		return msgpack_pack_uint16(pk, u16);
	case F_U32:
		memcpy(&u32, p, sizeof(u32));
		if (u32 > f->max)
			return -1;
		return msgpack_pack_uint32(pk, u32);
	case F_U64:
		memcpy(&u64, p, sizeof(u64));
		return msgpack_pack_uint64(pk, u64);
	case F_ERR:
		memcpy(&i32, p, sizeof(i32));
		if (i32 < 0)
			return -1;
		return msgpack_pack_uint32(pk, (uint32_t)i32);
	case F_IDS:
		memcpy(&n, (const unsigned char *)base + f->noff, sizeof(n));
		if (n > field_cap(f) || msgpack_pack_array(pk, n) != 0)
			return -1;
		for (i = 0; i < n; i++) {
			memcpy(&u32, p + i * sizeof(u32), sizeof(u32));
			if (msgpack_pack_uint32(pk, u32) != 0)
				return -1;
		}
		return 0;
	case F_ADDRS:
		memcpy(&n, (const unsigned char *)base + f->noff, sizeof(n));
		if (n > field_cap(f) || msgpack_pack_array(pk, n) != 0)
			return -1;
		for (i = 0; i < n; i++)
			if (msgpack_pack_bin_with_body(pk, p + i * f->max,
			    f->max) != 0)
				return -1;
		return 0;
	case F_STR:
		len = strnlen((const char *)p, PRIVOP_MSG_MAX);
		if (len == PRIVOP_MSG_MAX)
			return -1;
		return msgpack_pack_str_with_body(pk, p, len);
	}
	return -1;
}

/* An optional field left out of the frame: 0, or an empty array. */
static int
field_empty(const struct field *f, const void *base)
{
	const unsigned char	*p = (const unsigned char *)base;
	uint16_t		 u16;
	uint8_t			 n;

	if (!f->opt)
		return 0;
	switch (f->type) {
	case F_U16:
		memcpy(&u16, p + f->off, sizeof(u16));
		return u16 == 0;
	case F_IDS:
	case F_ADDRS:
		memcpy(&n, p + f->noff, sizeof(n));
		return n == 0;
	default:
		return 0;
	}
}

static ssize_t
encode(const struct field *keys, size_t nkeys, const void *base, int op,
    void *buf, size_t bufsz)
{
	struct fixbuf	 fb = { buf, 0, bufsz };
	msgpack_packer	 pk;
	size_t		 i, n = 0;

	if (bufsz > PRIVOP_FRAME_MAX)
		fb.size = PRIVOP_FRAME_MAX;
	msgpack_packer_init(&pk, &fb, fixbuf_write);
	for (i = 0; i < nkeys; i++)
		n += !field_empty(&keys[i], base);
	if (msgpack_pack_map(&pk, n + (op > 0)) != 0)
		return -1;
	if (op > 0 && (pack_key(&pk, "op") != 0 ||
	    msgpack_pack_uint32(&pk, (uint32_t)op) != 0))
		return -1;
	for (i = 0; i < nkeys; i++)
		if (!field_empty(&keys[i], base) &&
		    pack_field(&pk, &keys[i], base) != 0)
			return -1;
	return (ssize_t)fb.len;
}

ssize_t
privop_encode_req(const struct privop_req *req, void *buf, size_t bufsz)
{
	const struct opdesc	*d;

	if (req->op < 1 || req->op > PRIVOP_MAX)
		return -1;
	d = &opdescs[req->op];
	return encode(d->keys, d->nkeys, req, (int)req->op, buf, bufsz);
}

ssize_t
privop_encode_reply(const struct privop_reply *rep, void *buf, size_t bufsz)
{
	return encode(reply_keys, nitems(reply_keys), rep, 0, buf, bufsz);
}

/* ---- decoding ---- */

/*
 * msgpack-c sizes a container's storage from the count in its header,
 * before it has read a single element (its unpack template marks this
 * "FIXME security guard"): a 5-byte frame could make it ask for 200 GB.
 * So walk the headers first, without building anything: admit only the
 * types ttp frames are made of (no float, ext, bin16/32, 32-bit containers
 * or strings; map16 only for fw_apply's keys with gateway mode and
 * isolation, more than 15), and refuse any count or length larger than the bytes
 * left. msgpack-c then does the real decoding.
 */
static int
frame_shape(const unsigned char *p, size_t len, const char **why)
{
	size_t		 i = 0, pending = 1, w, n;
	unsigned char	 b;

	while (pending > 0) {
		if (i >= len) {
			*why = "truncated frame";
			return -1;
		}
		b = p[i++];
		pending--;
		w = n = 0;
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 ||
		    b == 0xc3)
			;			/* fixints, nil, bools */
		else if (b <= 0x8f)
			pending += 2 * (size_t)(b & 0x0f);	/* fixmap */
		else if (b <= 0x9f)
			pending += b & 0x0f;			/* fixarray */
		else if (b <= 0xbf)
			n = b & 0x1f;				/* fixstr */
		else if (b >= 0xcc && b <= 0xd3)
			i += (size_t)1 << (b & 0x03);	/* u/int 8..64 */
		else if (b == 0xc4 || b == 0xd9 || b == 0xda || b == 0xdc ||
		    b == 0xde)
			w = b == 0xda || b == 0xdc || b == 0xde ? 2 : 1;
				/* bin8, str8, str16, array16, map16 */
		else {
			*why = "value of a type no ttp frame uses";
			return -1;
		}
		if (w > 0) {
			if (i + w > len) {
				*why = "truncated frame";
				return -1;
			}
			n = w == 1 ? p[i] : (size_t)p[i] << 8 | p[i + 1];
			i += w;
			if (b == 0xdc || b == 0xde) {
				pending += b == 0xde ? 2 * n : n;
				n = 0;
			}
		}
		i += n;
		if (i > len || pending > len - i) {
			*why = "truncated frame";
			return -1;
		}
	}
	if (i != len) {
		*why = "trailing bytes after the frame";
		return -1;
	}
	return 0;
}

static int
key_is(const msgpack_object *k, const char *s)
{
	size_t	 n = strlen(s);

	return k->via.str.size == n && memcmp(k->via.str.ptr, s, n) == 0;
}

static int
get_uint(const msgpack_object *o, uint64_t max, uint64_t *v,
    const char **why)
{
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*why = "negative integer";
		return -1;
	}
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
		*why = "wrong type: expected an unsigned integer";
		return -1;
	}
	if (o->via.u64 > max) {
		*why = "integer too large for its field";
		return -1;
	}
	*v = o->via.u64;
	return 0;
}

static int
get_field(const struct field *f, const msgpack_object *o, void *base,
    const char **why)
{
	unsigned char	*p = (unsigned char *)base + f->off;
	uint64_t	 v;
	uint32_t	 u32;
	uint16_t	 u16;
	int32_t		 i32;
	uint8_t		 n;
	bool		 b;

	switch (f->type) {
	case F_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN) {
			*why = "wrong type: expected a boolean";
			return -1;
		}
		b = o->via.boolean;
		memcpy(p, &b, sizeof(b));
		return 0;
	case F_U16:
		if (get_uint(o, UINT16_MAX, &v, why) == -1)
			return -1;
		u16 = (uint16_t)v;
		memcpy(p, &u16, sizeof(u16));
		return 0;
	case F_U32:
		if (get_uint(o, f->max, &v, why) == -1)
			return -1;
		u32 = (uint32_t)v;
		memcpy(p, &u32, sizeof(u32));
		return 0;
	case F_U64:
		if (get_uint(o, UINT64_MAX, &v, why) == -1)
			return -1;
		memcpy(p, &v, sizeof(v));
		return 0;
	case F_ERR:
		if (get_uint(o, INT32_MAX, &v, why) == -1)
			return -1;
		i32 = (int32_t)v;
		memcpy(p, &i32, sizeof(i32));
		return 0;
	case F_IDS:
		if (o->type != MSGPACK_OBJECT_ARRAY) {
			*why = "wrong type: expected an array";
			return -1;
		}
		if (o->via.array.size > field_cap(f)) {
			*why = f->cap == 0 ? "array longer than TTP_MAX_BYPASS"
			    : "array longer than its field holds";
			return -1;
		}
		for (n = 0; n < o->via.array.size; n++) {
			if (get_uint(&o->via.array.ptr[n], UINT32_MAX, &v,
			    why) == -1)
				return -1;
			u32 = (uint32_t)v;
			memcpy(p + n * sizeof(u32), &u32, sizeof(u32));
		}
		memcpy((unsigned char *)base + f->noff, &n, sizeof(n));
		return 0;
	case F_ADDRS:
		if (o->type != MSGPACK_OBJECT_ARRAY) {
			*why = "wrong type: expected an array";
			return -1;
		}
		if (o->via.array.size > field_cap(f)) {
			*why = f->cap == 0 ? "array longer than TTP_MAX_ROUTERS"
			    : "array longer than its field holds";
			return -1;
		}
		for (n = 0; n < o->via.array.size; n++) {
			const msgpack_object *e = &o->via.array.ptr[n];

			if (e->type != MSGPACK_OBJECT_BIN ||
			    e->via.bin.size != f->max) {
				*why = "wrong type: expected an address "
				    "(bin of 4 or 16 bytes) or a name";
				return -1;
			}
			memcpy(p + n * f->max, e->via.bin.ptr, f->max);
		}
		memcpy((unsigned char *)base + f->noff, &n, sizeof(n));
		return 0;
	case F_STR:
		if (o->type != MSGPACK_OBJECT_STR) {
			*why = "wrong type: expected a string";
			return -1;
		}
		if (o->via.str.size >= PRIVOP_MSG_MAX) {
			*why = "string too long";
			return -1;
		}
		if (memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL) {
			*why = "string contains NUL";
			return -1;
		}
		memcpy(p, o->via.str.ptr, o->via.str.size);
		p[o->via.str.size] = '\0';
		return 0;
	}
	*why = "internal: unknown field type";
	return -1;
}

/*
 * Fill base from map m: every key a string, each of keys[] exactly once,
 * no other key except "op" when skip_op (the caller decoded it already).
 */
static int
get_fields(const msgpack_object *m, const struct field *keys, size_t nkeys,
    int skip_op, void *base, const char **why)
{
	bool	 seen[KEYS_MAX] = { false };
	size_t	 i, j, req = 0, op = skip_op ? 1 : 0;

	for (j = 0; j < nkeys; j++)
		req += !keys[j].opt;
	if (m->via.map.size < req + op || m->via.map.size > nkeys + op) {
		*why = m->via.map.size < req + op ? "missing key" :
		    "extra key";
		return -1;
	}
	for (i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv	*kv = &m->via.map.ptr[i];

		if (skip_op && key_is(&kv->key, "op"))
			continue;
		for (j = 0; j < nkeys; j++)
			if (key_is(&kv->key, keys[j].key))
				break;
		if (j == nkeys) {
			*why = "unknown key";
			return -1;
		}
		if (seen[j]) {
			*why = "duplicate key";
			return -1;
		}
		seen[j] = true;
		if (get_field(&keys[j], &kv->val, base, why) == -1)
			return -1;
	}
	/* Nothing repeated; every key that is not optional must be there
	 * (with optional keys the size alone does not say). */
	for (j = 0; j < nkeys; j++)
		if (!keys[j].opt && !seen[j]) {
			*why = "missing key";
			return -1;
		}
	return 0;
}

/* Unpack one map filling the whole frame; the caller destroys *u. */
static int
unpack_map(const void *buf, size_t len, msgpack_unpacked *u,
    const char **why)
{
	size_t	 off = 0, i;

	if (len == 0) {
		*why = "empty frame";
		return -1;
	}
	if (len > PRIVOP_FRAME_MAX) {
		*why = "frame larger than PRIVOP_FRAME_MAX";
		return -1;
	}
	if (frame_shape(buf, len, why) == -1)
		return -1;
	if (msgpack_unpack_next(u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS) {
		*why = "not msgpack";
		return -1;
	}
	if (off != len) {
		*why = "trailing bytes after the frame";
		return -1;
	}
	if (u->data.type != MSGPACK_OBJECT_MAP) {
		*why = "frame is not a map";
		return -1;
	}
	if (u->data.via.map.size > KEYS_MAX) {
		*why = "extra key";
		return -1;
	}
	for (i = 0; i < u->data.via.map.size; i++)
		if (u->data.via.map.ptr[i].key.type != MSGPACK_OBJECT_STR) {
			*why = "map key is not a string";
			return -1;
		}
	return 0;
}

int
privop_decode_req(const void *buf, size_t len, struct privop_req *req,
    const char **why)
{
	msgpack_unpacked	 u;
	const msgpack_object	*m, *opv = NULL;
	const struct opdesc	*d;
	uint64_t		 op;
	size_t			 i;
	int			 rc = -1;

	memset(req, 0, sizeof(*req));
	msgpack_unpacked_init(&u);
	if (unpack_map(buf, len, &u, why) == -1)
		goto out;
	m = &u.data;
	for (i = 0; i < m->via.map.size; i++) {
		if (!key_is(&m->via.map.ptr[i].key, "op"))
			continue;
		if (opv != NULL) {
			*why = "duplicate key";
			goto out;
		}
		opv = &m->via.map.ptr[i].val;
	}
	if (opv == NULL) {
		*why = "missing key \"op\"";
		goto out;
	}
	if (get_uint(opv, UINT32_MAX, &op, why) == -1)
		goto out;
	if (op < 1 || op > PRIVOP_MAX) {
		*why = "unknown op";
		goto out;
	}
	req->op = (enum privop)op;
	d = &opdescs[op];
	rc = get_fields(m, d->keys, d->nkeys, 1, req, why);
out:
	msgpack_unpacked_destroy(&u);
	if (rc == -1)
		memset(req, 0, sizeof(*req));
	return rc;
}

int
privop_decode_reply(const void *buf, size_t len, struct privop_reply *rep,
    const char **why)
{
	msgpack_unpacked	 u;
	int			 rc = -1;

	memset(rep, 0, sizeof(*rep));
	msgpack_unpacked_init(&u);
	if (unpack_map(buf, len, &u, why) == 0)
		rc = get_fields(&u.data, reply_keys, nitems(reply_keys), 0,
		    rep, why);
	msgpack_unpacked_destroy(&u);
	if (rc == -1)
		memset(rep, 0, sizeof(*rep));
	return rc;
}

/* ---- validation: the values, once the shape is known to be right ---- */

static int
valid_id(uint32_t id)
{
	/* 0 is root (exempted only through allow_root); -1 is "no id". */
	return id >= 1 && id <= 0xfffffffeU;
}

static int
valid_ids(const uint32_t *ids, uint8_t n, const char **why)
{
	uint8_t	 i, j;

	if (n > TTP_MAX_BYPASS) {
		*why = "more than TTP_MAX_BYPASS bypass ids";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!valid_id(ids[i])) {
			*why = "bypass id out of range 1..0xfffffffe";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i]) {
				*why = "duplicate bypass id";
				return -1;
			}
	}
	return 0;
}

/*
 * A router must be a unicast address of its family: not unspecified,
 * loopback, multicast or broadcast (IPv4: not 0/8, 127/8 nor 224/3), and
 * each listed once.
 */
static int
valid_routers(const uint8_t *a, uint8_t n, size_t len, const char **why)
{
	static const uint8_t	 any6[16], lo6[16] = { [15] = 1 };
	const uint8_t		*r;
	uint8_t			 i, j;

	if (n > TTP_MAX_ROUTERS) {
		*why = "more than TTP_MAX_ROUTERS routers";
		return -1;
	}
	for (i = 0; i < n; i++) {
		r = a + i * len;
		if (len == 4 ? r[0] == 0 || r[0] == 127 || r[0] >= 224 :
		    memcmp(r, any6, 16) == 0 || memcmp(r, lo6, 16) == 0 ||
		    r[0] == 0xff) {
			*why = "router not a unicast address";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (memcmp(a + j * len, r, len) == 0) {
				*why = "duplicate router";
				return -1;
			}
	}
	return 0;
}

/*
 * A gateway interface name: 1 to TTP_IFNAME_MAX - 1 bytes of
 * [A-Za-z0-9_.-], NUL-padded to the end, not "lo" (loopback is never a
 * gateway), ".", ".." (names the kernel refuses), no two alike. Root side:
 * the name becomes rule text, so nothing but these bytes may get there.
 */
int
privop_valid_ifname(const char *name, size_t sz)
{
	size_t	 i, len = strnlen(name, sz);

	if (len == 0 || len >= sz || strcmp(name, "lo") == 0 ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return 0;
	}
	for (; i < sz; i++)
		if (name[i] != '\0')
			return 0;
	return 1;
}

static int
port_clash(uint16_t p, const struct privop_fw_apply *a, int self)
{
	const uint16_t	 ports[] = { a->trans_port, a->dns_port,
	    a->gw.trans_port, a->gw.dns_port };
	size_t		 i;

	for (i = 0; i < nitems(ports); i++)
		if ((int)i != self && ports[i] != 0 && ports[i] == p)
			return 1;
	return 0;
}

static int
valid_gateway(const struct privop_fw_apply *a, const char **why)
{
	const struct privop_gateway	*g = &a->gw;
	uint8_t				 i, j;

	if (g->n_ifs > TTP_MAX_GATEWAYS) {
		*why = "more than TTP_MAX_GATEWAYS gateway interfaces";
		return -1;
	}
	for (i = 0; i < g->n_ifs; i++) {
		if (!privop_valid_ifname(g->ifs[i], sizeof(g->ifs[i]))) {
			*why = "gateway interface not a valid name";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(g->ifs[j], g->ifs[i]) == 0) {
				*why = "duplicate gateway interface";
				return -1;
			}
	}
	if (g->n_ifs == 0 && (g->trans_port != 0 || g->dns_port != 0)) {
		*why = "gateway ports without a gateway interface";
		return -1;
	}
	if (g->n_ifs > 0 && (g->trans_port == 0 || g->dns_port == 0)) {
		*why = "gateway port out of range 1..65535";
		return -1;
	}
	if (g->n_ifs > 0 && (port_clash(g->trans_port, a, 2) ||
	    port_clash(g->dns_port, a, 3))) {
		*why = "gateway port equal to another port";
		return -1;
	}
	return 0;
}

static int
valid_isolate(const struct privop_fw_apply *a, const char **why)
{
	const struct privop_isolate	*iso = &a->iso;
	const uint16_t			 ports[] = { a->trans_port, a->dns_port,
	    a->gw.trans_port, a->gw.dns_port };
	uint32_t			 last = 0;
	size_t				 i;

	if (iso->n_uids > TTP_MAX_ISOLATE) {
		*why = "more than TTP_MAX_ISOLATE isolated uids";
		return -1;
	}
	if (iso->base == 0) {
		if (iso->n_uids != 0) {
			*why = "isolated uids without a port base";
			return -1;
		}
		return 0;
	}
	/* The last pair, the other uids', ends at base + 2n + 1. */
	if ((uint32_t)iso->base + 2U * iso->n_uids + 1U > 65535U) {
		*why = "isolation ports beyond 65535";
		return -1;
	}
	for (i = 0; i < iso->n_uids; i++) {
		if (iso->uids[i] == UINT32_MAX || iso->uids[i] == a->tor_uid) {
			*why = "isolated uid out of range (or the tor uid)";
			return -1;
		}
		if (i > 0 && iso->uids[i] <= last) {
			*why = "isolated uids not in ascending order";
			return -1;
		}
		last = iso->uids[i];
	}
	for (i = 0; i < nitems(ports); i++)
		if (ports[i] >= iso->base && ports[i] <= iso->base +
		    2U * iso->n_uids + 1U) {
			*why = "a port inside the isolation range";
			return -1;
		}
	return 0;
}

int
privop_validate_req(const struct privop_req *req, const char **why)
{
	const struct privop_fw_apply	*a = &req->u.fw_apply;

	switch (req->op) {
	case PRIVOP_FW_APPLY:
	case PRIVOP_FW_ANCHOR:
		if (!valid_id(a->tor_uid)) {
			*why = "tor_uid out of range 1..0xfffffffe";
			return -1;
		}
		if (a->trans_port == 0 || a->dns_port == 0) {
			*why = "port out of range 1..65535";
			return -1;
		}
		if (valid_ids(a->bypass_uids, a->n_bypass_uids, why) == -1 ||
		    valid_ids(a->bypass_gids, a->n_bypass_gids, why) == -1 ||
		    valid_routers(a->routers.v4[0], a->routers.n_v4, 4,
		    why) == -1 ||
		    valid_routers(a->routers.v6[0], a->routers.n_v6, 16,
		    why) == -1 || valid_gateway(a, why) == -1 ||
		    valid_isolate(a, why) == -1)
			return -1;
		return 0;
	case PRIVOP_FW_LOCKDOWN:
		if (!valid_id(req->u.fw_lockdown.tor_uid)) {
			*why = "tor_uid out of range 1..0xfffffffe";
			return -1;
		}
		return 0;
	case PRIVOP_SOCK_KILL:
		if (req->u.sock_kill.trans_port == 0) {
			*why = "port out of range 1..65535";
			return -1;
		}
		return 0;
	case PRIVOP_FW_REMOVE:
	case PRIVOP_FW_STATUS:
	case PRIVOP_DNS_OVERLAY:
	case PRIVOP_DNS_RESTORE:
	case PRIVOP_CT_FLUSH:
		return 0;
	}
	*why = "unknown op";
	return -1;
}
