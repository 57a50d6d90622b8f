import { describe, expect, it } from "vitest";
import { loadConfig } from "../hub/config.ts";
import { AnxinError } from "../hub/errors.ts";

describe("config", () => {
  it("has working defaults for a fresh machine", () => {
    const config = loadConfig({}, "/srv/anxin");
    expect(config).toMatchObject({
      httpPort: 8080,
      mqttPort: 1883,
      smsLanguage: "zh-CN",
      twilio: null,
      seedDemo: true,
    });
    expect(config.dataDir).toBe("/srv/anxin/data");
    expect(config.publicUrl).toBe("http://localhost:8080");
  });

  it("reports every problem at once, naming the variables", () => {
    let caught: unknown;
    try {
      loadConfig({
        ANXIN_HTTP_PORT: "eighty",
        ANXIN_MQTT_PORT: "70000",
        ANXIN_SMS_LANGUAGE: "fr",
        ANXIN_TIME_ZONE: "Mars/Olympus",
        ANXIN_SEED_DEMO: "perhaps",
        TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000000",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AnxinError);
    const error = caught as AnxinError;
    expect(error.code).toBe("CONFIG_INVALID");
    const problems = error.details?.problems as string[];
    const text = problems.join("\n");
    for (const name of [
      "ANXIN_HTTP_PORT",
      "ANXIN_MQTT_PORT",
      "ANXIN_SMS_LANGUAGE",
      "ANXIN_TIME_ZONE",
      "ANXIN_SEED_DEMO",
      "TWILIO_AUTH_TOKEN",
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  it("takes PostgreSQL's URL from ANXIN_DATABASE_URL, and never repeats it when it is wrong", () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    const url = "postgres://anxin:s3cret-pass@db.example:5432/anxin";
    expect(loadConfig({ ANXIN_DATABASE_URL: url }).databaseUrl).toBe(url);
    for (const wrong of [
      "mysql://anxin:s3cret-pass@db.example/anxin",
      "postgres://anxin:s3cret-pass@db.example",
      "s3cret-pass",
    ]) {
      let caught: unknown;
      try {
        loadConfig({ ANXIN_DATABASE_URL: wrong });
      } catch (error) {
        caught = error;
      }
      const problems = ((caught as AnxinError).details?.problems as string[] | undefined)?.join("\n") ?? "";
      expect(problems).toContain("ANXIN_DATABASE_URL");
      expect(problems).not.toContain("s3cret-pass");
    }
  });

  it("takes Twilio only when all three variables are set and well-formed", () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`,
      TWILIO_AUTH_TOKEN: "token-123456",
      TWILIO_FROM: "+15005550006",
    });
    expect(config.twilio).toEqual({
      accountSid: `AC${"a".repeat(32)}`,
      authToken: "token-123456",
      from: "+15005550006",
      apiBaseUrl: null,
    });
    expect(() =>
      loadConfig({ TWILIO_ACCOUNT_SID: "nope", TWILIO_AUTH_TOKEN: "token-123456", TWILIO_FROM: "12345" }),
    ).toThrow(/TWILIO_\*/);
  });
});
