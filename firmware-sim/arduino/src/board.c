#include "board.h"

#include "clock.h"
#include "firmata.h"
#include "pins.h"

/* StandardFirmata's default; firmata-io assumes it too unless told otherwise. */
#define DEFAULT_SAMPLING_MS 19
#define MINIMUM_SAMPLING_MS 1

static uint8_t pin_mode[TOTAL_PINS];
static uint16_t pin_state[TOTAL_PINS];
static uint8_t port_inputs[TOTAL_PORTS];   /* pins in INPUT or PULLUP mode, one bit each */
static bool report_pins[TOTAL_PORTS];      /* ports whose digital inputs are reported */
static uint8_t previous_pins[TOTAL_PORTS]; /* last value reported per port */
static uint8_t analog_report;              /* one bit per analog channel */
static uint16_t sampling_ms = DEFAULT_SAMPLING_MS;
static uint32_t previous_sample_ms;
static bool resetting;

static uint8_t read_port(uint8_t port, uint8_t mask) {
  uint8_t value = 0;
  for (uint8_t bit = 0; bit < 8; bit++) {
    uint8_t pin = (uint8_t)(port * 8 + bit);
    if (pin < TOTAL_PINS && (mask & (1 << bit)) && pin_read(pin)) value |= (uint8_t)(1 << bit);
  }
  return value;
}

/* Sends a port's inputs when they changed since the last report, or always when forced. */
static void output_port(uint8_t port, uint8_t value, bool force) {
  value &= port_inputs[port];
  if (force || previous_pins[port] != value) {
    firmata_send_digital_port(port, value);
    previous_pins[port] = value;
  }
}

static void set_input_bit(uint8_t pin, bool input) {
  uint8_t mask = (uint8_t)(1 << (pin & 7));
  if (input) {
    port_inputs[pin / 8] |= mask;
  } else {
    port_inputs[pin / 8] &= (uint8_t)~mask;
  }
}

void board_set_pin_mode(uint8_t pin, uint8_t mode) {
  if (pin >= TOTAL_PINS || pin_mode[pin] == MODE_IGNORE) return;
  if (IS_PIN_ANALOG(pin) && mode != MODE_ANALOG) board_report_analog(PIN_TO_ANALOG(pin), false);
  if (IS_PIN_DIGITAL(pin)) set_input_bit(pin, mode == MODE_INPUT || mode == MODE_PULLUP);
  pin_state[pin] = 0;
  if (pin_mode[pin] == MODE_PWM && mode != MODE_PWM) pwm_off(pin);
  switch (mode) {
    case MODE_ANALOG:
      if (IS_PIN_ANALOG(pin)) {
        /* No output driver and no pull-up, or the reading would be skewed. */
        pin_input(pin, false);
        pin_mode[pin] = MODE_ANALOG;
      }
      break;
    case MODE_INPUT:
      pin_input(pin, false);
      pin_mode[pin] = MODE_INPUT;
      break;
    case MODE_PULLUP:
      pin_input(pin, true);
      pin_mode[pin] = MODE_PULLUP;
      pin_state[pin] = 1;
      break;
    case MODE_OUTPUT:
      /* Leaving PWM with the pin low, as StandardFirmata does; otherwise the latch is kept. */
      if (pin_mode[pin] == MODE_PWM) pin_write(pin, false);
      pin_output(pin);
      pin_mode[pin] = MODE_OUTPUT;
      break;
    case MODE_PWM:
      if (pin_is_pwm(pin)) {
        pwm_write(pin, 0);
        pin_mode[pin] = MODE_PWM;
      }
      break;
    default:
      firmata_send_string("Unknown pin mode");
      break;
  }
}

/*
 * A DIGITAL_MESSAGE carries a whole port. Output pins take their bit; a 1 for an INPUT pin turns
 * its pull-up on (the pre-PULLUP-mode way johnny-five's Button({isPullup}) still uses). A 0 does not
 * turn it off again: firmata-io mirrors input readings into the port it sends, so a pressed
 * button's 0 would otherwise drop its own pull-up when a LED on the same port changes.
 */
void board_write_port(uint8_t port, uint8_t value) {
  if (port >= TOTAL_PORTS) return;
  for (uint8_t bit = 0; bit < 8; bit++) {
    uint8_t pin = (uint8_t)(port * 8 + bit);
    if (!IS_PIN_DIGITAL(pin)) continue;
    bool high = (value & (1 << bit)) != 0;
    if (pin_mode[pin] == MODE_OUTPUT) {
      pin_write(pin, high);
      pin_state[pin] = high;
    } else if (pin_mode[pin] == MODE_INPUT) {
      if (high && pin_state[pin] != 1) pin_input(pin, true);
      pin_state[pin] = high;
    }
  }
}

void board_set_pin_value(uint8_t pin, uint8_t value) {
  if (pin >= TOTAL_PINS || !IS_PIN_DIGITAL(pin) || pin_mode[pin] != MODE_OUTPUT) return;
  pin_state[pin] = value ? 1 : 0;
  pin_write(pin, value != 0);
}

void board_analog_write(uint8_t pin, uint32_t value) {
  if (pin >= TOTAL_PINS || pin_mode[pin] != MODE_PWM) return;
  uint8_t duty = value > 255 ? 255 : (uint8_t)value;
  pin_state[pin] = duty;
  pwm_write(pin, duty);
}

void board_report_digital(uint8_t port, bool on) {
  if (port >= TOTAL_PORTS) return;
  report_pins[port] = on;
  /* The current value at once, so the host knows the state without waiting for a change. */
  if (on) output_port(port, read_port(port, port_inputs[port]), true);
}

void board_report_analog(uint8_t channel, bool on) {
  if (channel >= ANALOG_CHANNELS) return;
  if (on) {
    timer_start(0); /* the sampling interval is counted in millis() */
    analog_report |= (uint8_t)(1 << channel);
    if (!resetting) firmata_send_analog(channel, adc_read(channel));
  } else {
    analog_report &= (uint8_t)~(1 << channel);
  }
}

void board_set_sampling_interval(uint16_t ms) {
  sampling_ms = ms < MINIMUM_SAMPLING_MS ? MINIMUM_SAMPLING_MS : ms;
}

uint8_t board_pin_mode(uint8_t pin) { return pin < TOTAL_PINS ? pin_mode[pin] : MODE_IGNORE; }

uint16_t board_pin_state(uint8_t pin) { return pin < TOTAL_PINS ? pin_state[pin] : 0; }

void board_reset(void) {
  resetting = true;
  for (uint8_t port = 0; port < TOTAL_PORTS; port++) {
    report_pins[port] = false;
    port_inputs[port] = 0;
    previous_pins[port] = 0;
  }
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) {
    if (!IS_PIN_DIGITAL(pin)) {
      pin_mode[pin] = MODE_IGNORE;
    } else {
      board_set_pin_mode(pin, IS_PIN_ANALOG(pin) ? MODE_ANALOG : MODE_OUTPUT);
      /* Unlike StandardFirmata, a reset also drives outputs low: a reset means the LED and buzzer off. */
      if (!IS_PIN_ANALOG(pin)) pin_write(pin, false);
    }
  }
  analog_report = 0;
  resetting = false;
}

void board_poll(void) {
  for (uint8_t port = 0; port < TOTAL_PORTS; port++) {
    if (report_pins[port]) output_port(port, read_port(port, port_inputs[port]), false);
  }
  uint32_t now = millis();
  if (now - previous_sample_ms >= sampling_ms) {
    previous_sample_ms += sampling_ms;
    /* After a long stall, catch up to now rather than sending a burst of stale samples. */
    if (now - previous_sample_ms >= sampling_ms) previous_sample_ms = now;
    for (uint8_t channel = 0; channel < ANALOG_CHANNELS; channel++) {
      if (analog_report & (1 << channel)) firmata_send_analog(channel, adc_read(channel));
    }
  }
}
