/**
 * Builds the button firmware (`src/*.c`) into `build/anxin-button.hex` with avr-gcc and avr-objcopy.
 * `npm run build:firmware` runs it; the emulator tests call `ensureFirmware()`, so the hex they run is
 * always the one built from the sources beside it (`build/` is git-ignored).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = path.join(here, "src");
const buildDir = path.join(here, "build");

export const FIRMWARE_HEX = path.join(buildDir, "anxin-button.hex");

// The Uno: ATmega328P at 16 MHz, and 57600 baud as StandardFirmata.
const CFLAGS = [
  "-mmcu=atmega328p",
  "-DF_CPU=16000000UL",
  "-DBAUD=57600",
  "-Os",
  "-std=gnu11",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-ffunction-sections",
  "-fdata-sections",
  "-Wl,--gc-sections",
];

const INSTALL_HINT = "install the AVR toolchain: apt-get install gcc-avr avr-libc (Debian/Ubuntu)";

export class FirmwareBuildError extends Error {}

function sources(): string[] {
  return fs
    .readdirSync(sourceDir)
    .filter((name) => name.endsWith(".c") || name.endsWith(".h"))
    .map((name) => path.join(sourceDir, name));
}

/** True when the hex is missing or older than a source file or than this script (which holds the flags). */
export function firmwareIsStale(): boolean {
  if (!fs.existsSync(FIRMWARE_HEX)) return true;
  const built = fs.statSync(FIRMWARE_HEX).mtimeMs;
  return [...sources(), fileURLToPath(import.meta.url)].some((file) => fs.statSync(file).mtimeMs > built);
}

function run(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") throw new FirmwareBuildError(`${tool} not found: ${INSTALL_HINT}`);
    const stderr = failure.stderr ?? "";
    const hint = /avr\/\w+\.h: No such file/.test(stderr) ? `\n(avr-libc is missing: ${INSTALL_HINT})` : "";
    throw new FirmwareBuildError(`${tool} failed:\n${stderr}${hint}`);
  }
}

/** Compiles and links every C file at once, then writes the hex atomically (parallel test files may race). */
export function buildFirmware(): { hexPath: string; flashBytes: number } {
  fs.mkdirSync(buildDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(buildDir, "tmp-"));
  try {
    const elf = path.join(work, "anxin-button.elf");
    const hex = path.join(work, "anxin-button.hex");
    const cFiles = sources().filter((file) => file.endsWith(".c"));
    run("avr-gcc", [...CFLAGS, "-o", elf, ...cFiles]);
    run("avr-objcopy", ["-O", "ihex", "-R", ".eeprom", elf, hex]);
    fs.renameSync(elf, path.join(buildDir, "anxin-button.elf"));
    fs.renameSync(hex, FIRMWARE_HEX);
    return { hexPath: FIRMWARE_HEX, flashBytes: flashSize(fs.readFileSync(FIRMWARE_HEX, "utf8")) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Builds only when stale; returns the hex path. */
export function ensureFirmware(): string {
  if (firmwareIsStale()) buildFirmware();
  return FIRMWARE_HEX;
}

function flashSize(hex: string): number {
  let bytes = 0;
  for (const line of hex.split(/\r?\n/)) {
    if (line.startsWith(":") && line.slice(7, 9) === "00") bytes += Number.parseInt(line.slice(1, 3), 16);
  }
  return bytes;
}

// `--if-stale` (npm's pretest) leaves an up-to-date hex alone; without it, always rebuild.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    if (process.argv.includes("--if-stale") && !firmwareIsStale()) process.exit(0);
    const { hexPath, flashBytes } = buildFirmware();
    console.log(`built ${path.relative(process.cwd(), hexPath)}: ${flashBytes} bytes of the Uno's 32256 of flash`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
