/*
 * The Firmata wire protocol (https://github.com/firmata/protocol), the subset johnny-five and
 * firmata-io use with StandardFirmata on an Uno.
 */
#ifndef ANXIN_FIRMATA_H
#define ANXIN_FIRMATA_H

#include <stdint.h>

#define PROTOCOL_MAJOR 2
#define PROTOCOL_MINOR 5
#define FIRMWARE_MAJOR 1
#define FIRMWARE_MINOR 0
#define FIRMWARE_NAME "AnxinButton"

/* Commands: the low nibble of the first four carries a port, pin or channel. */
#define DIGITAL_MESSAGE 0x90
#define REPORT_ANALOG 0xC0
#define REPORT_DIGITAL 0xD0
#define ANALOG_MESSAGE 0xE0
#define START_SYSEX 0xF0
#define SET_PIN_MODE 0xF4
#define SET_DIGITAL_PIN_VALUE 0xF5
#define END_SYSEX 0xF7
#define REPORT_VERSION 0xF9
#define SYSTEM_RESET 0xFF

/* Sysex commands. */
#define ANALOG_MAPPING_QUERY 0x69
#define ANALOG_MAPPING_RESPONSE 0x6A
#define CAPABILITY_QUERY 0x6B
#define CAPABILITY_RESPONSE 0x6C
#define PIN_STATE_QUERY 0x6D
#define PIN_STATE_RESPONSE 0x6E
#define EXTENDED_ANALOG 0x6F
#define STRING_DATA 0x71
#define REPORT_FIRMWARE 0x79
#define SAMPLING_INTERVAL 0x7A

/* Pin modes. */
#define MODE_INPUT 0x00
#define MODE_OUTPUT 0x01
#define MODE_ANALOG 0x02
#define MODE_PWM 0x03
#define MODE_PULLUP 0x0B
#define MODE_IGNORE 0x7F

/* Feeds one received byte to the parser; complete messages are executed at once. */
void firmata_parse(uint8_t byte);

void firmata_send_version(void);
void firmata_send_firmware(void);
void firmata_send_digital_port(uint8_t port, uint8_t value);
void firmata_send_analog(uint8_t channel, uint16_t value);
void firmata_send_string(const char *text);

#endif
