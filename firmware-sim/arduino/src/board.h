/*
 * The board's Firmata state: each pin's mode and last written value, and what is being reported.
 * It follows StandardFirmata's callbacks so that a host sees the same behaviour from either.
 */
#ifndef ANXIN_BOARD_H
#define ANXIN_BOARD_H

#include <stdbool.h>
#include <stdint.h>

/* StandardFirmata's systemResetCallback: analog-capable pins to ANALOG, the others to OUTPUT low. */
void board_reset(void);
void board_set_pin_mode(uint8_t pin, uint8_t mode);
void board_write_port(uint8_t port, uint8_t value);
void board_set_pin_value(uint8_t pin, uint8_t value);
void board_analog_write(uint8_t pin, uint32_t value);
void board_report_digital(uint8_t port, bool on);
void board_report_analog(uint8_t channel, bool on);
void board_set_sampling_interval(uint16_t ms);
uint8_t board_pin_mode(uint8_t pin);
uint16_t board_pin_state(uint8_t pin);
/* Reports changed digital inputs, and analog inputs once per sampling interval. */
void board_poll(void);

#endif
