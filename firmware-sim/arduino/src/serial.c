#include "serial.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/setbaud.h>

/*
 * The host may send a burst (johnny-five sets up several pins at once) while the main loop is busy
 * sending a long reply, so received bytes wait in a ring filled by the interrupt. A power of two
 * keeps the index arithmetic to a mask.
 */
#define RX_SIZE 128
static volatile uint8_t rx_buffer[RX_SIZE];
static volatile uint8_t rx_head;
static volatile uint8_t rx_tail;

ISR(USART_RX_vect) {
  uint8_t byte = UDR0;
  uint8_t next = (uint8_t)((rx_head + 1) & (RX_SIZE - 1));
  if (next != rx_tail) {
    rx_buffer[rx_head] = byte;
    rx_head = next;
  }
}

void serial_init(void) {
  UBRR0H = UBRRH_VALUE;
  UBRR0L = UBRRL_VALUE;
#if USE_2X
  UCSR0A |= _BV(U2X0);
#else
  UCSR0A &= (uint8_t)~_BV(U2X0);
#endif
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

bool serial_pending(void) { return rx_head != rx_tail; }

int16_t serial_read(void) {
  if (rx_head == rx_tail) return -1;
  uint8_t byte = rx_buffer[rx_tail];
  rx_tail = (uint8_t)((rx_tail + 1) & (RX_SIZE - 1));
  return byte;
}

void serial_write(uint8_t byte) {
  while (!(UCSR0A & _BV(UDRE0))) {
  }
  UDR0 = byte;
}
