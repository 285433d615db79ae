/*
 * The monotonic clock in milliseconds (common/clock.c).
 */
#ifndef TTP_CLOCK_H
#define TTP_CLOCK_H

/* Whole milliseconds, for deadlines. */
long long	clock_ms(void);
/* What is left until `deadline` (clock_ms), for poll(): 0 once it has
 * passed, INT_MAX at the most. */
int		clock_left_ms(long long deadline);
/* With the fraction, for measurements. */
double		clock_ms_exact(void);

#endif
