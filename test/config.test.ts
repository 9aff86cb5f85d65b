import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

describe("configuration", () => {
  it("starts on embedded defaults with no variables at all", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: "127.0.0.1",
      DATABASE_PATH: "./data/bot.db",
      DEFAULT_LOCALE: "vi",
      LOG_LEVEL: "info",
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      LOG_RETENTION_DAYS: 90,
    });
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it("names the bad variable and says what is wrong", () => {
    expect(() => parseConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseConfig({ DEFAULT_LOCALE: "fr" })).toThrow(/DEFAULT_LOCALE/);
    expect(() => parseConfig({ TELEGRAM_BOT_TOKEN: "not a token" })).toThrow(/TELEGRAM_BOT_TOKEN: must look like/);
    expect(() => parseConfig({ STAFF_CHAT_ID: "staff" })).toThrow(/STAFF_CHAT_ID/);
    expect(() => parseConfig({ PUBLIC_URL: "ftp://x" })).toThrow(/PUBLIC_URL/);
    expect(() => parseConfig({ PORT: "x" })).toThrow(ConfigError);
    expect(() => parseConfig({ ZALO_SITE_VERIFICATION: "<script>" })).toThrow(/ZALO_SITE_VERIFICATION: must be the code/);
    expect(parseConfig({ ZALO_SITE_VERIFICATION: "zalo_verifierAbc123_-xyz.html" }).ZALO_SITE_VERIFICATION).toBe("Abc123_-xyz");
    expect(parseConfig({ ZALO_SITE_VERIFICATION: "Abc123_-xyz" }).ZALO_SITE_VERIFICATION).toBe("Abc123_-xyz");
  });

  it("requires a webhook secret when Telegram runs by webhook", () => {
    expect(() => parseConfig({ TELEGRAM_BOT_TOKEN: "123456:ABCdef", PUBLIC_URL: "https://bot.example.vn" })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET: is required when PUBLIC_URL is set/,
    );
    const ok = parseConfig({
      TELEGRAM_BOT_TOKEN: "123456:ABCdef",
      PUBLIC_URL: "https://bot.example.vn",
      TELEGRAM_WEBHOOK_SECRET: "s3cret_value",
    });
    expect(ok.TELEGRAM_WEBHOOK_SECRET).toBe("s3cret_value");
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ TELEGRAM_BOT_TOKEN: "", STAFF_CHAT_ID: "" }).TELEGRAM_BOT_TOKEN).toBeUndefined();
  });
});
