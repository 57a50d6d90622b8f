#ifndef ANXIN_CLOCK_H
#define ANXIN_CLOCK_H

#include <stdint.h>

/*
 * Milliseconds from timer 0's overflow, as Arduino's millis(), counted only while timer 0 runs
 * (timer_start(0)): only the analog sampling interval needs it.
 */
uint32_t millis(void);
void clock_init(void);

#endif
