#include "pins.h"

#include <avr/io.h>

typedef struct {
  volatile uint8_t *ddr;
  volatile uint8_t *port;
  volatile uint8_t *in;
  uint8_t mask;
} pin_regs;

static pin_regs regs(uint8_t pin) {
  if (pin < 8) return (pin_regs){&DDRD, &PORTD, &PIND, (uint8_t)(1 << pin)};
  if (pin < 14) return (pin_regs){&DDRB, &PORTB, &PINB, (uint8_t)(1 << (pin - 8))};
  return (pin_regs){&DDRC, &PORTC, &PINC, (uint8_t)(1 << (pin - 14))};
}

bool pin_is_pwm(uint8_t pin) {
  return pin == 3 || pin == 5 || pin == 6 || pin == 9 || pin == 10 || pin == 11;
}

void pin_output(uint8_t pin) {
  if (!IS_PIN_DIGITAL(pin)) return;
  pin_regs r = regs(pin);
  *r.ddr |= r.mask;
}

void pin_input(uint8_t pin, bool pullup) {
  if (!IS_PIN_DIGITAL(pin)) return;
  pin_regs r = regs(pin);
  *r.ddr &= (uint8_t)~r.mask;
  /* On the AVR the output latch of an input pin is its pull-up switch. */
  if (pullup) {
    *r.port |= r.mask;
  } else {
    *r.port &= (uint8_t)~r.mask;
  }
}

void pin_write(uint8_t pin, bool high) {
  if (!IS_PIN_DIGITAL(pin)) return;
  pin_regs r = regs(pin);
  if (high) {
    *r.port |= r.mask;
  } else {
    *r.port &= (uint8_t)~r.mask;
  }
}

bool pin_read(uint8_t pin) {
  if (!IS_PIN_DIGITAL(pin)) return false;
  pin_regs r = regs(pin);
  return (*r.in & r.mask) != 0;
}

void pwm_init(void) {
  /*
   * The Arduino core's modes: timer 0 fast PWM (pins 5, 6), timers 1 and 2 phase-correct 8-bit
   * (9, 10 and 3, 11), all at clock/64 once started. Unlike the core, no timer is clocked until
   * something needs it (timer_start): a board that only reads a button and lights a LED then sleeps
   * between events instead of waking every millisecond, and so does its emulation.
   */
  TCCR0A = _BV(WGM01) | _BV(WGM00);
  TCCR1A = _BV(WGM10);
  TCCR2A = _BV(WGM20);
}

void timer_start(uint8_t timer) {
  switch (timer) {
    case 0:
      TCCR0B = _BV(CS01) | _BV(CS00);
      break;
    case 1:
      TCCR1B = _BV(CS11) | _BV(CS10);
      break;
    default:
      TCCR2B = _BV(CS22); /* /64 on this timer */
      break;
  }
}

/* Connects (or disconnects) the pin's compare-output unit and sets its duty. */
static void pwm_connect(uint8_t pin, bool on, uint8_t duty) {
  if (on) timer_start(pin == 5 || pin == 6 ? 0 : (pin == 9 || pin == 10 ? 1 : 2));
  switch (pin) {
    case 3:
      OCR2B = duty;
      TCCR2A = on ? (TCCR2A | _BV(COM2B1)) : (TCCR2A & (uint8_t)~_BV(COM2B1));
      break;
    case 5:
      OCR0B = duty;
      TCCR0A = on ? (TCCR0A | _BV(COM0B1)) : (TCCR0A & (uint8_t)~_BV(COM0B1));
      break;
    case 6:
      OCR0A = duty;
      TCCR0A = on ? (TCCR0A | _BV(COM0A1)) : (TCCR0A & (uint8_t)~_BV(COM0A1));
      break;
    case 9:
      OCR1A = duty;
      TCCR1A = on ? (TCCR1A | _BV(COM1A1)) : (TCCR1A & (uint8_t)~_BV(COM1A1));
      break;
    case 10:
      OCR1B = duty;
      TCCR1A = on ? (TCCR1A | _BV(COM1B1)) : (TCCR1A & (uint8_t)~_BV(COM1B1));
      break;
    case 11:
      OCR2A = duty;
      TCCR2A = on ? (TCCR2A | _BV(COM2A1)) : (TCCR2A & (uint8_t)~_BV(COM2A1));
      break;
    default:
      break;
  }
}

void pwm_write(uint8_t pin, uint8_t value) {
  if (!pin_is_pwm(pin)) return;
  pin_output(pin);
  if (value == 0 || value == 255) {
    pwm_connect(pin, false, value);
    pin_write(pin, value == 255);
  } else {
    pwm_connect(pin, true, value);
  }
}

void pwm_off(uint8_t pin) {
  if (pin_is_pwm(pin)) pwm_connect(pin, false, 0);
}

uint16_t adc_read(uint8_t channel) {
  ADMUX = _BV(REFS0) | (channel & 0x07);
  /* Prescaler 128: 125 kHz ADC clock at 16 MHz, inside the 50-200 kHz the datasheet asks for. */
  ADCSRA = _BV(ADEN) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0) | _BV(ADSC);
  while (ADCSRA & _BV(ADSC)) {
  }
  return ADC;
}
