/* libFuzzer target: the exit-IP answer parser. */
#include <stddef.h>
#include <stdint.h>

#include "netcheck/answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer	 a;

	(void)answer_parse((const char *)data, size, &a);
	return 0;
}
