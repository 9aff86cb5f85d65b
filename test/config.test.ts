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

  it("reads office hours and the Zalo OA link, refusing what cannot be right", () => {
    expect(parseConfig({}).OFFICE_HOURS).toBe("07:30-17:00");
    expect(() => parseConfig({ OFFICE_HOURS: "17:00-07:30" })).toThrow(/OFFICE_HOURS: the start must be before the end/);
    expect(() => parseConfig({ OFFICE_HOURS: "8h-17h" })).toThrow(/OFFICE_HOURS: must look like "07:30-17:00"/);
    expect(parseConfig({ ZALO_OA_URL: "https://zalo.me/1234567890" }).ZALO_OA_URL).toBe("https://zalo.me/1234567890");
    expect(() => parseConfig({ ZALO_OA_URL: "http://zalo.me/1234567890" })).toThrow(/ZALO_OA_URL: must be an https URL/);
    expect(() => parseConfig({ ZALO_OA_URL: "zalo.me/123" })).toThrow(/ZALO_OA_URL/);
  });

  it("requires a webhook secret when Telegram runs by webhook", () => {
    expect(() => parseConfig({ TELEGRAM_BOT_TOKEN: "123456:ABCdef", PUBLIC_URL: "https://bot.example.vn" })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET: is required when PUBLIC_URL is set/,
    );
    const ok = parseConfig({
      TELEGRAM_BOT_TOKEN: "123456:ABCdef",
      PUBLIC_URL: "https://bot.example.vn",
      TELEGRAM_WEBHOOK_SECRET: "s3cret_value-0123456",
    });
    expect(ok.TELEGRAM_WEBHOOK_SECRET).toBe("s3cret_value-0123456");
  });

  it("refuses a PUBLIC_URL Telegram would refuse: plain http, or a port other than 443, 80, 88 and 8443", () => {
    const webhook = { TELEGRAM_BOT_TOKEN: "123456:ABCdef", TELEGRAM_WEBHOOK_SECRET: "s3cret_value-0123456" };
    expect(() => parseConfig({ ...webhook, PUBLIC_URL: "http://bot.example.vn" })).toThrow(/PUBLIC_URL: must be an https:\/\/ URL/);
    expect(() => parseConfig({ ...webhook, PUBLIC_URL: "https://bot.example.vn:8080" })).toThrow(/PUBLIC_URL: must use port 443, 80, 88 or 8443/);
    for (const url of ["https://bot.example.vn", "https://bot.example.vn:8443/sogd", "https://bot.example.vn:88"]) {
      expect(parseConfig({ ...webhook, PUBLIC_URL: url }).PUBLIC_URL).toBe(url);
    }
  });

  it("refuses a webhook secret shorter than 16 characters, naming the variable", () => {
    expect(() => parseConfig({ TELEGRAM_WEBHOOK_SECRET: "short_secret" })).toThrow(/TELEGRAM_WEBHOOK_SECRET: must be at least 16 characters/);
    expect(() => parseConfig({ TELEGRAM_WEBHOOK_SECRET: "has spaces in it, sadly" })).toThrow(/TELEGRAM_WEBHOOK_SECRET: may hold only/);
    expect(() => parseConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
  });

  it("reads TRUST_PROXY as express's trust proxy value and refuses true", () => {
    expect(parseConfig({}).TRUST_PROXY).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "" }).TRUST_PROXY).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(parseConfig({ TRUST_PROXY: "loopback" }).TRUST_PROXY).toBe("loopback");
    expect(parseConfig({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.10, fd00::/8" }).TRUST_PROXY).toBe("10.0.0.0/8,192.168.1.10,fd00::/8");
    expect(() => parseConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY: .*true is refused/);
    expect(() => parseConfig({ TRUST_PROXY: "10.0.0.0/33" })).toThrow(/TRUST_PROXY/);
    expect(() => parseConfig({ TRUST_PROXY: "proxy.example" })).toThrow(/TRUST_PROXY/);
    expect(parseConfig({}).CHAT_RATE_PER_IP_PER_MINUTE).toBe(120);
    expect(() => parseConfig({ CHAT_SESSIONS_PER_IP_PER_HOUR: "0" })).toThrow(/CHAT_SESSIONS_PER_IP_PER_HOUR/);
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ TELEGRAM_BOT_TOKEN: "", STAFF_CHAT_ID: "" }).TELEGRAM_BOT_TOKEN).toBeUndefined();
  });
});
