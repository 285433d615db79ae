/* placeholder, filled after strace */
#include "common/sandbox.h"
static const struct sandbox_rule torctl_rules[] = {
	SB_ALLOW(read, "x"),
};
const struct sandbox_policy sandbox_torctl = {
	"torctl", torctl_rules, sizeof(torctl_rules) / sizeof(torctl_rules[0])
};
