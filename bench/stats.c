/*
 * runs in: the bench tools (bench/run), as root, never in ttp itself.
 *
 * The one way the benches summarise n timings: sorted, then the median,
 * the minimum and the maximum.
 */
#include "bench/stats.h"

#include <stdio.h>
#include <stdlib.h>

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
stats_sort(double *v, int n)
{
	if (n > 0)
		qsort(v, (size_t)n, sizeof(*v), cmp_double);
}

void
stats_report(const char *what, double *v, int n)
{
	if (n == 0) {
		printf("%-46s no answer\n", what);
		return;
	}
	stats_sort(v, n);
	printf("%-46s median %7.2f ms   min %7.2f   max %7.2f   (n=%d)\n",
	    what, v[n / 2], v[0], v[n - 1], n);
}
