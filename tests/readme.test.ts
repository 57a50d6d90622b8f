import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_SETTINGS } from "../hub/config.ts";

describe("README", () => {
  const readme = fs.readFileSync(new URL("../README.md", import.meta.url), "utf8");

  it("documents every environment variable the hub reads, and no others", () => {
    const documented = new Set([...readme.matchAll(/^\| `(ANXIN_[A-Z_]+)`/gm)].map((m) => m[1]));
    const read = new Set(ENV_SETTINGS.map((s) => s.env).concat("ANXIN_TWILIO_API_BASE"));
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => name && !read.has(name))).toEqual([]);
  });

  it("shows the two set-up commands", () => {
    expect(readme).toMatch(/```sh\nnpm install\nnpm start\n```/);
  });
});
