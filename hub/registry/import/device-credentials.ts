/**
 * New device secrets leave the hub once, in a JSON file only its owner can read
 * (the demo seed's demo-devices.json has the same device entries). The file is
 * written as `<file>.pending` before the import commits and renamed after, so a
 * crash at any point leaves either no devices, or the devices and their secrets.
 */
import fs from "node:fs";
import { ImportFileError } from "./import-errors.ts";
import type { DeviceCredential } from "./import-plan.ts";

export function pendingPath(file: string): string {
  return `${file}.pending`;
}

/** Refuses before anything is written: overwriting an earlier file would lose the secrets in it. */
export function checkCredentialsTarget(file: string | undefined, devices: number): string {
  if (!file) {
    throw new ImportFileError(
      "CREDENTIALS_FILE_REQUIRED",
      `this import provisions ${devices} new device${devices === 1 ? "" : "s"}; say where their secrets go (credentials file)`,
    );
  }
  if (fs.existsSync(file)) {
    throw new ImportFileError("CREDENTIALS_FILE_EXISTS", `${file} already exists; choose a new credentials file`);
  }
  return file;
}

export function writePendingCredentials(file: string, devices: readonly DeviceCredential[]): string {
  const pending = pendingPath(file);
  const content = `${JSON.stringify({ generatedAt: new Date().toISOString(), devices }, null, 2)}\n`;
  const fd = fs.openSync(pending, "w", 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return pending;
}

export function commitCredentials(file: string): void {
  fs.renameSync(pendingPath(file), file);
}

export function abandonCredentials(file: string): void {
  fs.rmSync(pendingPath(file), { force: true });
}
