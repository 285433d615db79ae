/*
 * runs in: every ttp process that waits with a deadline, and the benches.
 *
 * The monotonic clock, in milliseconds: deadlines and recurrence windows
 * never move with the wall clock.
 */
#include "common/clock.h"

#include <limits.h>
#include <time.h>

long long
clock_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
clock_left_ms(long long deadline)
{
	long long	 left = deadline - clock_ms();

	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

double
clock_ms_exact(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
