/*
 * The Arduino Uno's pins as Firmata numbers them: 0-13 digital (PD0-PD7, PB0-PB5),
 * 14-19 = A0-A5 (PC0-PC5). Pins 0 and 1 carry the serial link and are never touched.
 */
#ifndef ANXIN_PINS_H
#define ANXIN_PINS_H

#include <stdbool.h>
#include <stdint.h>

#define TOTAL_PINS 20
#define TOTAL_PORTS 3
#define ANALOG_CHANNELS 6
#define FIRST_ANALOG_PIN 14

#define IS_PIN_DIGITAL(p) ((p) >= 2 && (p) < TOTAL_PINS)
#define IS_PIN_ANALOG(p) ((p) >= FIRST_ANALOG_PIN && (p) < TOTAL_PINS)
#define PIN_TO_ANALOG(p) ((uint8_t)((p) - FIRST_ANALOG_PIN))

bool pin_is_pwm(uint8_t pin);

/* Direction, level and pull-up, as Arduino's pinMode/digitalWrite/digitalRead do them. */
void pin_output(uint8_t pin);
void pin_input(uint8_t pin, bool pullup);
void pin_write(uint8_t pin, bool high);
bool pin_read(uint8_t pin);

/* Timers 0, 1 and 2 in the Arduino core's PWM modes (prescaler 64: ~980/490 Hz), not yet clocked. */
void pwm_init(void);
/* Clocks a timer (0, 1 or 2); it then runs for good. Timer 0 also drives millis(). */
void timer_start(uint8_t timer);
/* 0 and 255 drive the pin steadily low or high, as analogWrite does, with the timer disconnected. */
void pwm_write(uint8_t pin, uint8_t value);
void pwm_off(uint8_t pin);

/* One blocking 10-bit conversion against AVcc. */
uint16_t adc_read(uint8_t channel);

#endif
