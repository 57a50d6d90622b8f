#include "firmata.h"

#include <stdbool.h>

#include "board.h"
#include "pins.h"
#include "serial.h"

/* Long enough for every sysex this firmware understands; longer ones are cut, then ignored. */
#define SYSEX_MAX 32

static uint8_t command;     /* the command waiting for its data bytes, 0 when none */
static uint8_t channel;     /* its low nibble, for the channel-carrying commands */
static uint8_t data_needed; /* how many data bytes it takes */
static uint8_t data_count;
static uint8_t data[2];
static bool in_sysex;
static uint8_t sysex_length;
static uint8_t sysex[SYSEX_MAX];

static void write7(uint16_t value) {
  serial_write((uint8_t)(value & 0x7F));
  serial_write((uint8_t)((value >> 7) & 0x7F));
}

void firmata_send_version(void) {
  serial_write(REPORT_VERSION);
  serial_write(PROTOCOL_MAJOR);
  serial_write(PROTOCOL_MINOR);
}

void firmata_send_firmware(void) {
  serial_write(START_SYSEX);
  serial_write(REPORT_FIRMWARE);
  serial_write(FIRMWARE_MAJOR);
  serial_write(FIRMWARE_MINOR);
  for (const char *c = FIRMWARE_NAME; *c; c++) write7((uint8_t)*c);
  serial_write(END_SYSEX);
}

void firmata_send_digital_port(uint8_t port, uint8_t value) {
  serial_write((uint8_t)(DIGITAL_MESSAGE | (port & 0x0F)));
  write7(value);
}

void firmata_send_analog(uint8_t analog_channel, uint16_t value) {
  serial_write((uint8_t)(ANALOG_MESSAGE | (analog_channel & 0x0F)));
  write7(value);
}

void firmata_send_string(const char *text) {
  serial_write(START_SYSEX);
  serial_write(STRING_DATA);
  for (const char *c = text; *c; c++) write7((uint8_t)*c);
  serial_write(END_SYSEX);
}

static void send_capabilities(void) {
  serial_write(START_SYSEX);
  serial_write(CAPABILITY_RESPONSE);
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) {
    /* Each supported mode as (mode, resolution in bits); 0x7F ends the pin. Same order as StandardFirmata. */
    if (IS_PIN_DIGITAL(pin)) {
      serial_write(MODE_INPUT);
      serial_write(1);
      serial_write(MODE_PULLUP);
      serial_write(1);
      serial_write(MODE_OUTPUT);
      serial_write(1);
    }
    if (IS_PIN_ANALOG(pin)) {
      serial_write(MODE_ANALOG);
      serial_write(10);
    }
    if (pin_is_pwm(pin)) {
      serial_write(MODE_PWM);
      serial_write(8);
    }
    serial_write(0x7F);
  }
  serial_write(END_SYSEX);
}

static void send_analog_mapping(void) {
  serial_write(START_SYSEX);
  serial_write(ANALOG_MAPPING_RESPONSE);
  for (uint8_t pin = 0; pin < TOTAL_PINS; pin++) serial_write(IS_PIN_ANALOG(pin) ? PIN_TO_ANALOG(pin) : 0x7F);
  serial_write(END_SYSEX);
}

static void send_pin_state(uint8_t pin) {
  serial_write(START_SYSEX);
  serial_write(PIN_STATE_RESPONSE);
  serial_write(pin);
  if (pin < TOTAL_PINS) {
    uint16_t state = board_pin_state(pin);
    serial_write(board_pin_mode(pin));
    serial_write((uint8_t)(state & 0x7F));
    if (state & 0xFF80) serial_write((uint8_t)((state >> 7) & 0x7F));
    if (state & 0xC000) serial_write((uint8_t)((state >> 14) & 0x7F));
  }
  serial_write(END_SYSEX);
}

static void handle_sysex(void) {
  if (sysex_length == 0) return;
  const uint8_t *argv = sysex + 1;
  uint8_t argc = (uint8_t)(sysex_length - 1);
  switch (sysex[0]) {
    case REPORT_FIRMWARE:
      firmata_send_firmware();
      break;
    case CAPABILITY_QUERY:
      send_capabilities();
      break;
    case ANALOG_MAPPING_QUERY:
      send_analog_mapping();
      break;
    case PIN_STATE_QUERY:
      if (argc > 0) send_pin_state(argv[0]);
      break;
    case SAMPLING_INTERVAL:
      if (argc > 1) board_set_sampling_interval((uint16_t)(argv[0] | (argv[1] << 7)));
      break;
    case EXTENDED_ANALOG:
      /* pin, then the value in 7-bit groups, least significant first. */
      if (argc > 1) {
        uint32_t value = 0;
        for (uint8_t i = 1; i < argc && i < 5; i++) value |= (uint32_t)argv[i] << (7 * (i - 1));
        board_analog_write(argv[0], value);
      }
      break;
    default:
      break; /* unsupported features (I2C, servo, serial, ...) are ignored, not misread */
  }
}

static void execute(void) {
  uint16_t value = (uint16_t)(data[0] | (data[1] << 7));
  switch (command) {
    case DIGITAL_MESSAGE:
      board_write_port(channel, (uint8_t)value);
      break;
    case ANALOG_MESSAGE:
      board_analog_write(channel, value);
      break;
    case REPORT_DIGITAL:
      board_report_digital(channel, data[0] != 0);
      break;
    case REPORT_ANALOG:
      board_report_analog(channel, data[0] != 0);
      break;
    case SET_PIN_MODE:
      board_set_pin_mode(data[0], data[1]);
      break;
    case SET_DIGITAL_PIN_VALUE:
      board_set_pin_value(data[0], data[1]);
      break;
    default:
      break;
  }
}

static void start_command(uint8_t byte) {
  command = 0;
  data_count = 0;
  data[0] = data[1] = 0;
  uint8_t kind = byte < 0xF0 ? (uint8_t)(byte & 0xF0) : byte;
  channel = (uint8_t)(byte & 0x0F);
  switch (kind) {
    case DIGITAL_MESSAGE:
    case ANALOG_MESSAGE:
    case SET_PIN_MODE:
    case SET_DIGITAL_PIN_VALUE:
      command = kind;
      data_needed = 2;
      break;
    case REPORT_ANALOG:
    case REPORT_DIGITAL:
      command = kind;
      data_needed = 1;
      break;
    case START_SYSEX:
      in_sysex = true;
      sysex_length = 0;
      break;
    case REPORT_VERSION:
      firmata_send_version();
      break;
    case SYSTEM_RESET:
      in_sysex = false;
      board_reset();
      break;
    default:
      break;
  }
}

void firmata_parse(uint8_t byte) {
  if (in_sysex) {
    if (byte == END_SYSEX) {
      in_sysex = false;
      handle_sysex();
    } else if (byte & 0x80) {
      /* A command byte inside a sysex means the sysex was cut short: drop it, take the command. */
      in_sysex = false;
      start_command(byte);
    } else if (sysex_length < SYSEX_MAX) {
      sysex[sysex_length++] = byte;
    }
    return;
  }
  if (byte & 0x80) {
    start_command(byte);
    return;
  }
  if (command == 0) return; /* stray data byte: ignored until the next command */
  data[data_count++] = byte;
  if (data_count == data_needed) {
    execute();
    command = 0;
  }
}
