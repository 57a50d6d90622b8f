#ifndef ANXIN_SERIAL_H
#define ANXIN_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* USART0 at BAUD (57600, as StandardFirmata), 8N1. Receiving is interrupt driven, sending blocks. */
void serial_init(void);
/* The next received byte, or -1 when none is waiting. */
int16_t serial_read(void);
/* Whether a received byte is waiting; call with interrupts off to decide whether to sleep. */
bool serial_pending(void);
void serial_write(uint8_t byte);

#endif
