/*
 * Timings summarised (bench/stats.c).
 */
#ifndef TTP_BENCH_STATS_H
#define TTP_BENCH_STATS_H

/* Sort v in place. */
void	stats_sort(double *v, int n);
/* Print "what median .. min .. max .. (n=..)" after sorting v. */
void	stats_report(const char *what, double *v, int n);

#endif
