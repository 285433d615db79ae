/*
 * The end of every Check test's main(): run the suite, each test in a
 * process of its own (several tests unshare namespaces), and turn failures
 * into the exit code ctest reads.
 */
#ifndef TTP_CHECK_RUN_H
#define TTP_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int
check_run(Suite *s)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
