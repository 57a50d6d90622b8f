/*
 * Anxin button firmware: a Firmata subset for the Arduino Uno (ATmega328P, 16 MHz), enough for
 * johnny-five to drive it exactly as it drives StandardFirmata. It knows nothing about buttons or
 * alarms: hold times, LED patterns and the rest live in the gateway, so the board stays replaceable
 * by StandardFirmata and this firmware stays small enough to check by reading.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

#include "board.h"
#include "clock.h"
#include "firmata.h"
#include "pins.h"
#include "serial.h"

/* Any pin change wakes the CPU from idle sleep; the main loop then looks at what changed. */
EMPTY_INTERRUPT(PCINT0_vect)
EMPTY_INTERRUPT(PCINT1_vect)
EMPTY_INTERRUPT(PCINT2_vect)

static void wake_on_pin_change(void) {
  PCMSK0 = 0x3F; /* D8-D13 */
  PCMSK1 = 0x3F; /* A0-A5 */
  PCMSK2 = 0xFC; /* D2-D7: not D0/D1, the serial link */
  PCICR = _BV(PCIE0) | _BV(PCIE1) | _BV(PCIE2);
}

/*
 * Sleeps until the next interrupt (a received byte, a pin change, timer 0), unless a byte is
 * already waiting. The instruction after SEI always runs before any interrupt, so a byte arriving
 * between the check and SLEEP still wakes the CPU at once.
 */
static void idle(void) {
  cli();
  if (serial_pending()) {
    sei();
    return;
  }
  sleep_enable();
  sei();
  sleep_cpu();
  sleep_disable();
}

int main(void) {
  pwm_init();
  clock_init();
  serial_init();
  wake_on_pin_change();
  set_sleep_mode(SLEEP_MODE_IDLE);
  sei();
  board_reset();
  /*
   * Unprompted, like StandardFirmata's Firmata.begin(): firmata-io sends nothing until it has seen
   * REPORT_VERSION, then waits for REPORT_FIRMWARE without asking for it.
   */
  firmata_send_version();
  firmata_send_firmware();
  for (;;) {
    int16_t byte;
    while ((byte = serial_read()) >= 0) firmata_parse((uint8_t)byte);
    board_poll();
    idle();
  }
}
