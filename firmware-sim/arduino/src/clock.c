#include "clock.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

/*
 * Timer 0 overflows every 64 * 256 cycles = 1024 us at 16 MHz. Like the Arduino core we count whole
 * milliseconds and carry the 24 us remainder in eighths, so millis() does not drift.
 */
#define MICROS_PER_OVERFLOW (64UL * 256UL / (F_CPU / 1000000UL))
#define MILLIS_INC (MICROS_PER_OVERFLOW / 1000)
#define FRACT_INC ((MICROS_PER_OVERFLOW % 1000) >> 3)
#define FRACT_MAX (1000 >> 3)

static volatile uint32_t elapsed_ms;
static uint8_t fract;

ISR(TIMER0_OVF_vect) {
  uint32_t ms = elapsed_ms + MILLIS_INC;
  uint8_t f = (uint8_t)(fract + FRACT_INC);
  if (f >= FRACT_MAX) {
    f -= FRACT_MAX;
    ms += 1;
  }
  fract = f;
  elapsed_ms = ms;
}

void clock_init(void) { TIMSK0 |= _BV(TOIE0); }

uint32_t millis(void) {
  uint32_t ms;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { ms = elapsed_ms; }
  return ms;
}
