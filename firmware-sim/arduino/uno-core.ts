/**
 * The ATmega328P of an Arduino Uno in avr8js: CPU, ports B/C/D, timers 0–2, ADC and USART0, and
 * the loop that executes its instructions.
 */
import {
  AVRADC,
  AVRIOPort,
  AVRTimer,
  AVRUSART,
  adcConfig,
  avrInstruction,
  CPU,
  portBConfig,
  portCConfig,
  portDConfig,
  timer0Config,
  timer1Config,
  timer2Config,
  usart0Config,
} from "avr8js";

export const CLOCK_HZ = 16_000_000;
export const CYCLES_PER_MS = CLOCK_HZ / 1000;
const SRAM_BYTES = 2048;
const SEI = 0x9478;
const SLEEP = 0x9588;

export interface UnoCore {
  cpu: CPU;
  usart: AVRUSART;
  adc: AVRADC;
  ports: { b: AVRIOPort; c: AVRIOPort; d: AVRIOPort };
}

export function createUnoCore(program: Uint16Array): UnoCore {
  const cpu = new CPU(program, SRAM_BYTES);
  // Ports before timers: the timers look their PWM pins up among the registered ports.
  const ports = {
    b: new AVRIOPort(cpu, portBConfig),
    c: new AVRIOPort(cpu, portCConfig),
    d: new AVRIOPort(cpu, portDConfig),
  };
  new AVRTimer(cpu, timer0Config);
  new AVRTimer(cpu, timer1Config);
  new AVRTimer(cpu, timer2Config);
  return { cpu, ports, adc: new AVRADC(cpu, adcConfig), usart: new AVRUSART(cpu, usart0Config, CLOCK_HZ) };
}

/**
 * avr8js executes SLEEP as a no-op, so an idle firmware would spin through its main loop. Instead,
 * jump the clock to the next scheduled peripheral event (a byte on the USART, a timer tick, an ADC
 * result) or to `end`: nothing can wake the CPU before then, as pins driven from outside change
 * only between runs. Only after `SEI; SLEEP` with no interrupt taken in between (the caller checks):
 * avr8js serves a pending interrupt right after SEI, where the chip would first execute SLEEP and
 * wake from it at once, so an interrupt there must not be slept through.
 * The next event is avr8js's private `nextClockEvent`; should a later version rename it, the
 * board only loses this shortcut.
 */
function sleepUntilNextEvent(cpu: CPU, end: number): void {
  const internals = cpu as unknown as { nextClockEvent?: { cycles: number } | null };
  if (internals.nextClockEvent === undefined) return;
  const wake = internals.nextClockEvent ? Math.min(internals.nextClockEvent.cycles, end) : end;
  if (wake > cpu.cycles) cpu.cycles = wake;
}

/** Executes instructions until the cycle counter reaches `end`, skipping idle sleep when asked. */
export function runUntil(cpu: CPU, end: number, skipSleep: boolean): void {
  const program = cpu.progMem;
  while (cpu.cycles < end) {
    const pc = cpu.pc;
    avrInstruction(cpu);
    cpu.tick();
    if (skipSleep && program[pc] === SEI && cpu.pc === pc + 1 && program[cpu.pc] === SLEEP) {
      if (cpu.nextInterrupt < 0) sleepUntilNextEvent(cpu, end);
    }
  }
}
