/*
 * The monotonic clock in milliseconds (common/clock.c).
 */
#ifndef TTP_CLOCK_H
#define TTP_CLOCK_H

/* Whole milliseconds, for deadlines. */
long long	clock_ms(void);
/* With the fraction, for measurements. */
double		clock_ms_exact(void);

#endif
