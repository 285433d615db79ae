/*
 * The FW_APPLY arguments the firewall tests (test_fw, test_ruleset) and
 * bench/bench_fw.c start from: tor as uid 64001 on the default ports, the
 * LAN bypass, IPv6; no routers, no bypass users or groups, no interface.
 */
#ifndef TTP_TEST_FW_FIXTURE_H
#define TTP_TEST_FW_FIXTURE_H

#include <string.h>

#include "common/defaults.h"
#include "ipc/privop.h"

static inline struct privop_fw_apply
fixture_fw_apply(void)
{
	struct privop_fw_apply	 a;

	memset(&a, 0, sizeof(a));
	a.tor_uid = 64001;
	a.trans_port = TTP_DEF_TRANS_PORT;
	a.dns_port = TTP_DEF_DNS_PORT;
	a.lan_bypass = true;
	a.ipv6 = true;
	return a;
}

#endif
