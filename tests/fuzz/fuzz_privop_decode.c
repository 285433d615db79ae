/*
 * libFuzzer target for the privileged interface's decoders, the code that
 * reads what an untrusted peer sends root: privop_decode_req() then
 * privop_validate_req(), and privop_decode_reply(). Besides not crashing,
 * it checks that every refusal names its reason and that whatever decodes
 * re-encodes to a frame that decodes to the very same struct.
 * Seeds: tests/fuzz/corpus/fuzz_privop_decode/ (the golden vectors).
 */
#include "ipc/privop.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char		 buf[PRIVOP_FRAME_MAX];
	struct privop_req	 req, req2;
	struct privop_reply	 rep, rep2;
	const char		*why;
	ssize_t			 n;

	why = NULL;
	if (privop_decode_req(data, size, &req, &why) == 0) {
		(void)privop_validate_req(&req, &why);
		n = privop_encode_req(&req, buf, sizeof(buf));
		if (n <= 0 || privop_decode_req(buf, (size_t)n, &req2,
		    &why) != 0 || memcmp(&req, &req2, sizeof(req)) != 0)
			abort();
	} else if (why == NULL || why[0] == '\0')
		abort();

	why = NULL;
	if (privop_decode_reply(data, size, &rep, &why) == 0) {
		n = privop_encode_reply(&rep, buf, sizeof(buf));
		if (n <= 0 || privop_decode_reply(buf, (size_t)n, &rep2,
		    &why) != 0 || memcmp(&rep, &rep2, sizeof(rep)) != 0)
			abort();
	} else if (why == NULL || why[0] == '\0')
		abort();
	return 0;
}
