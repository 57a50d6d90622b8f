/**
 * Intel HEX, as avr-objcopy writes it and avrdude reads it, into the program memory avr8js runs
 * (16-bit words, little-endian, like the flash).
 */
export const UNO_FLASH_BYTES = 32 * 1024;

export function loadIntelHex(text: string, flashBytes = UNO_FLASH_BYTES): Uint16Array {
  const flash = new Uint8Array(flashBytes);
  let base = 0;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const where = `line ${index + 1}`;
    if (!/^:([0-9A-Fa-f]{2}){5,}$/.test(line)) throw new Error(`not an Intel HEX record at ${where}`);
    const bytes = Uint8Array.from(line.slice(1).match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
    const length = bytes[0] ?? 0;
    if (bytes.length !== length + 5) throw new Error(`record length does not match at ${where}`);
    const sum = bytes.reduce((total, byte) => (total + byte) & 0xff, 0);
    if (sum !== 0) throw new Error(`bad checksum at ${where}`);
    const address = ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0);
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + length);
    if (type === 0x00) {
      const start = base + address;
      if (start + length > flashBytes) throw new Error(`data beyond the ${flashBytes}-byte flash at ${where}`);
      flash.set(data, start);
    } else if (type === 0x01) {
      break;
    } else if (type === 0x02) {
      base = (((data[0] ?? 0) << 8) | (data[1] ?? 0)) * 16;
    } else if (type === 0x04) {
      base = (((data[0] ?? 0) << 8) | (data[1] ?? 0)) << 16;
    }
    // Types 03 and 05 (start addresses) mean nothing to an AVR, which always starts at 0.
  }
  return new Uint16Array(flash.buffer);
}
