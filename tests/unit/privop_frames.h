/*
 * Malformed frames shared by the codec test (each must be refused
 * by privop_decode_req() or privop_validate_req(), for the reason `why`
 * names) and the privd test (each must make a running ttp-privd exit 1).
 * One frame per decoding or validation rule; hand-built, so they do not
 * depend on the encoder under test. Empty and oversize frames are made in
 * the tests themselves.
 */
#ifndef TTP_TEST_PRIVOP_FRAMES_H
#define TTP_TEST_PRIVOP_FRAMES_H

#include <stddef.h>
#include <string.h>

struct bad_frame {
	const char	*name;
	const char	*why;	/* a substring of the decoder's *why */
	const char	*hex;
};

static const struct bad_frame bad_frames[] = {
	{ "unknown op", "unknown op",
	  "81a26f700a" },
	{ "op 0", "unknown op",
	  "81a26f7000" },
	{ "op as string", "wrong type",
	  "81a26f70a133" },
	{ "op negative", "negative",
	  "81a26f70ff" },
	{ "op beyond 32 bits", "too large",
	  "81a26f70cf0000000100000003" },
	{ "op missing", "missing key",
	  "81a7746f725f75696405" },
	{ "op duplicate", "duplicate key",
	  "82a26f7003a26f7003" },
	{ "missing key", "missing key",
	  "81a26f7002" },
	{ "fw-apply missing key", "missing key",
	  "88a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3" },
	{ "extra key", "extra key",
	  "82a26f7003a17801" },
	{ "key of another op", "extra key",
	  "82a26f7003a7746f725f75696405" },
	{ "unknown key in place of one", "unknown key",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a4"
	  "69707637c3" },
	{ "duplicate key", "duplicate key",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a7"
	  "746f725f75696405" },
	{ "key not a string", "not a string",
	  "82a26f70030102" },
	{ "int as string", "wrong type",
	  "82a26f7002a7746f725f756964a53634303031" },
	{ "bool as int", "wrong type",
	  "82a26f7008aa7472616e735f706f7274c3" },
	{ "int as bool", "wrong type",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647390aa616c6c6f775f726f6f7401aa6c616e5f627970617373c3a4"
	  "69707636c3" },
	{ "nil", "wrong type",
	  "82a26f7002a7746f725f756964c0" },
	{ "float", "type no ttp frame uses",
	  "82a26f7002a7746f725f756964cb40ef402000000000" },
	{ "negative int", "negative",
	  "82a26f7002a7746f725f756964fb" },
	{ "negative int8", "negative",
	  "82a26f7008aa7472616e735f706f7274d080" },
	{ "map as value", "wrong type",
	  "82a26f7002a7746f725f75696480" },
	{ "array not an array", "wrong type",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f75696473cd03e8ab627970617373"
	  "5f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a469"
	  "707636c3" },
	{ "array element string", "wrong type",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647391a3313030aa616c6c6f775f726f6f74c2aa6c616e5f62797061"
	  "7373c3a469707636c3" },
	{ "array element negative", "negative",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647391ffaa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3"
	  "a469707636c3" },
	{ "array element too large", "too large",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cf0000000100000000"
	  "ab6279706173735f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f6279"
	  "70617373c3a469707636c3" },
	{ "array too long", "TTP_MAX_BYPASS",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f75696473dc0011cd03e8cd03e9cd"
	  "03eacd03ebcd03eccd03edcd03eecd03efcd03f0cd03f1cd03f2cd03f3cd03f4"
	  "cd03f5cd03f6cd03f7cd03f8ab6279706173735f6769647390aa616c6c6f775f"
	  "726f6f74c2aa6c616e5f627970617373c3a469707636c3" },
	{ "port 65536", "too large",
	  "82a26f7008aa7472616e735f706f7274ce00010000" },
	{ "uid beyond 32 bits", "too large",
	  "82a26f7002a7746f725f756964cf0000000100000000" },
	{ "trailing bytes", "trailing",
	  "81a26f700300" },
	{ "two frames", "trailing",
	  "81a26f700381a26f7003" },
	{ "not a map: array", "not a map",
	  "93010203" },
	{ "not a map: string", "not a map",
	  "a26f70" },
	{ "not a map: int", "not a map",
	  "03" },
	{ "truncated frame", "truncated",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a4"
	  "69707636" },
	{ "truncated header", "truncated",
	  "82a26f70" },
	{ "truncated string", "truncated",
	  "81a26f" },
	{ "map32 of 4G entries", "type no ttp frame uses",
	  "dfffffffff" },
	{ "array32 of 4G entries", "type no ttp frame uses",
	  "82a26f7001ab6279706173735f75696473ddffffffff" },
	{ "array16 longer than frame", "truncated",
	  "82a26f7001ab6279706173735f75696473dcffff" },
	{ "map16", "type no ttp frame uses",
	  "de0001a26f7003" },
	{ "bin key", "type no ttp frame uses",
	  "81c4026f7003" },
	{ "ext value", "type no ttp frame uses",
	  "82a26f7002a7746f725f756964d40105" },
	{ "reserved byte c1", "type no ttp frame uses",
	  "81a26f70c1" },
	{ "nesting deeper than msgpack-c's stack", "not msgpack",
	  "9191919191919191919191919191919191919191919191919191919191919191"
	  "919191919191919101" },
	{ "uid 0", "tor_uid out of range",
	  "82a26f7002a7746f725f75696400" },
	{ "uid 0xffffffff", "tor_uid out of range",
	  "82a26f7002a7746f725f756964ceffffffff" },
	{ "fw-apply uid 0", "tor_uid out of range",
	  "89a26f7001a7746f725f75696400aa7472616e735f706f7274cd2351a8646e73"
	  "5f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173735f"
	  "6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a46970"
	  "7636c3" },
	{ "port 0", "port out of range",
	  "82a26f7008aa7472616e735f706f727400" },
	{ "dns port 0", "port out of range",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f727400ab6279706173735f7569647391cd03e8ab6279706173735f"
	  "6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a46970"
	  "7636c3" },
	{ "bypass uid 0", "bypass id out of range",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f756964739100ab6279706173735f"
	  "6769647390aa616c6c6f775f726f6f74c2aa6c616e5f627970617373c3a46970"
	  "7636c3" },
	{ "bypass gid 0xffffffff", "bypass id out of range",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f6769647391ceffffffffaa616c6c6f775f726f6f74c2aa6c616e5f627970"
	  "617373c3a469707636c3" },
	{ "duplicate bypass uid", "duplicate bypass id",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647393cd03e8cd03e9cd03e8"
	  "ab6279706173735f6769647390aa616c6c6f775f726f6f74c2aa6c616e5f6279"
	  "70617373c3a469707636c3" },
	{ "duplicate bypass gid", "duplicate bypass id",
	  "89a26f7001a7746f725f756964cdfa01aa7472616e735f706f7274cd2351a864"
	  "6e735f706f7274cd235eab6279706173735f7569647391cd03e8ab6279706173"
	  "735f67696473926464aa616c6c6f775f726f6f74c2aa6c616e5f627970617373"
	  "c3a469707636c3" },
};

#define N_BAD_FRAMES	(sizeof(bad_frames) / sizeof(bad_frames[0]))

/* Malformed replies: privop_decode_reply() must refuse each. */
static const struct bad_frame bad_replies[] = {
	{ "err negative", "negative",
	  "86a3657272ffa36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e7403a7616e63686f727300" },
	{ "err beyond int32", "too large",
	  "86a3657272ce80000000a36d7367a4646f6e65a5737461746501a468617368cf"
	  "0123456789abcdefa5636f756e7403a7616e63686f727300" },
	{ "msg of 256 bytes", "string too long",
	  "86a365727200a36d7367da010078787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "7878787878787878787878787878787878787878787878787878787878787878"
	  "78787878787878787878787878a5737461746501a468617368cf0123456789ab"
	  "cdefa5636f756e7403a7616e63686f727300" },
	{ "msg with NUL", "NUL",
	  "86a365727200a36d7367a3610062a5737461746501a468617368cf0123456789"
	  "abcdefa5636f756e7403a7616e63686f727300" },
	{ "msg not a string", "wrong type",
	  "86a365727200a36d736701a5737461746501a468617368cf0123456789abcdef"
	  "a5636f756e7403a7616e63686f727300" },
	{ "state beyond FW_STATE_MAX", "too large",
	  "86a365727200a36d7367a4646f6e65a5737461746504a468617368cf01234567"
	  "89abcdefa5636f756e7403a7616e63686f727300" },
	{ "hash as string", "wrong type",
	  "86a365727200a36d7367a4646f6e65a5737461746501a468617368a430313233"
	  "a5636f756e7403a7616e63686f727300" },
	{ "count beyond 32 bits", "too large",
	  "86a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e74cf0000000100000000a7616e63686f727300" },
	{ "missing key", "missing key",
	  "84a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdef" },
	{ "extra key", "extra key",
	  "87a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e7403a7616e63686f727300a26f7001" },
	{ "unknown key", "unknown key",
	  "86a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e7403a26f7001" },
	{ "duplicate key", "duplicate key",
	  "86a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e7403a365727200" },
	{ "anchors beyond the slots", "too large",
	  "86a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e7403a7616e63686f727304" },
	{ "not a map", "not a map",
	  "9100" },
	{ "trailing bytes", "trailing",
	  "86a365727200a36d7367a4646f6e65a5737461746501a468617368cf01234567"
	  "89abcdefa5636f756e7403a7616e63686f727300c0" },
};

#define N_BAD_REPLIES	(sizeof(bad_replies) / sizeof(bad_replies[0]))

/* Hex to bytes; returns the length, or (size_t)-1 on bad input. */
static inline size_t
frame_from_hex(const char *hex, unsigned char *buf, size_t bufsz)
{
	size_t		 n = strlen(hex), i;
	unsigned int	 hi, lo;

	if (n % 2 != 0 || n / 2 > bufsz)
		return (size_t)-1;
	for (i = 0; i < n / 2; i++) {
		hi = (unsigned char)hex[2 * i];
		lo = (unsigned char)hex[2 * i + 1];
		hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
		if (hi > 15 || lo > 15)
			return (size_t)-1;
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	return n / 2;
}

#endif
