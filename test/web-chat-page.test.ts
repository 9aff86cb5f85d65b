import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";

const en = JSON.parse(readFileSync(join(import.meta.dirname, "..", "locales", "en", "translation.json"), "utf8")) as {
  web: Record<string, string>;
};
const vi = JSON.parse(readFileSync(join(import.meta.dirname, "..", "locales", "vi", "translation.json"), "utf8")) as {
  web: Record<string, string>;
};

/** Screenshots for a person to look at; written to a temporary folder, never committed. */
const SHOTS = join(tmpdir(), "web-chat-shots");

const SIZES = [
  { name: "phone 360x640", width: 360, height: 640, mobile: true },
  { name: "phone 390x844", width: 390, height: 844, mobile: true },
  { name: "desktop 1280x800", width: 1280, height: 800, mobile: false },
];

const QUESTIONS = [
  "chuyen truong cap 3 can gi",
  "sổ liên lạc điện tử vnedu xem ở đâu",
  "mk vnedu bị sai hoài",
  "tra cứu điểm thi tốt nghiệp",
  "cấp bản sao văn bằng",
];

describeInBrowser("the web chat page in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;
  let limited: RunningApp;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    running = await startTestApp({ CHAT_RATE_PER_IP_PER_MINUTE: "10000" });
    limited = await startTestApp({ CHAT_RATE_PER_MINUTE: "3" });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await limited?.stop();
  });

  async function open(url: string, size = SIZES[0]!): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      isMobile: size.mobile,
      hasTouch: size.mobile,
      deviceScaleFactor: size.mobile ? 2 : 1,
    });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator(".msg.bot").first().waitFor(); // the greeting
    return { context, page };
  }

  /** Types a question as a person would and waits for the bot's answer. */
  async function ask(page: Page, text: string): Promise<void> {
    const before = await page.locator(".msg.bot").count();
    await page.getByRole("textbox").fill(text);
    await page.keyboard.press("Enter");
    await page.locator(".msg.bot").nth(before).waitFor();
  }

  for (const size of SIZES) {
    it(`keeps the input and send button on screen after 15 exchanges, with one scroller (${size.name})`, async () => {
      const { context, page } = await open(running.url, size);
      for (let i = 0; i < 15; i++) await ask(page, QUESTIONS[i % QUESTIONS.length]!);

      for (const target of [page.getByRole("textbox"), page.getByRole("button", { name: vi.web.send })]) {
        const box = await target.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(size.width);
        expect(box!.y + box!.height).toBeLessThanOrEqual(size.height);
      }
      // Written as page source: the test project has no DOM types.
      const layout = (await page.evaluate(`(() => {
        const doc = document.scrollingElement ?? document.documentElement;
        const scrollers = [...document.querySelectorAll("*")]
          .filter((el) => {
            const style = getComputedStyle(el);
            const scrollsY = el.scrollHeight > el.clientHeight && /auto|scroll/.test(style.overflowY);
            const scrollsX = el.scrollWidth > el.clientWidth && /auto|scroll/.test(style.overflowX);
            return scrollsY || scrollsX;
          })
          .map((el) => el.id || el.tagName);
        const log = document.getElementById("log").getBoundingClientRect();
        const questions = document.querySelectorAll(".msg.me");
        const answer = questions[questions.length - 1].nextElementSibling.getBoundingClientRect();
        return {
          docHeight: doc.scrollHeight,
          docWidth: doc.scrollWidth,
          scrollers,
          answerStartsOnScreen: answer.top >= log.top && answer.top + 40 <= log.bottom,
        };
      })()`)) as { docHeight: number; docWidth: number; scrollers: string[]; answerStartsOnScreen: boolean };
      expect(layout.docHeight).toBeLessThanOrEqual(size.height);
      expect(layout.docWidth).toBeLessThanOrEqual(size.width);
      expect(layout.scrollers).toEqual(["log"]);
      expect(layout.answerStartsOnScreen).toBe(true);

      await page.screenshot({ path: join(SHOTS, `${size.width}x${size.height}.png`) });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await context.close();
    });
  }

  it("finds serious accessibility problems when a page has them (the axe helper itself)", async () => {
    const page = await browser.newPage();
    await page.setContent('<html><body><input id="q"><p style="color:#ccc;background:#fff">faint</p></body></html>');
    const ids = (await seriousAxeViolations(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(["label", "color-contrast"]));
    await page.close();
  });

  it("shows the reply to a question and links an address without the sentence's full stop", async () => {
    const { context, page } = await open(running.url);
    await ask(page, "sổ liên lạc điện tử vnedu xem ở đâu");
    const answer = page.locator(".msg.bot").last();
    await expect.poll(() => answer.textContent()).toMatch(/sổ liên lạc điện tử/i);
    expect(await answer.textContent()).toContain("http://vnedu.vn.");
    const link = answer.locator("a", { hasText: "vnedu.vn" });
    expect(await link.getAttribute("href")).toBe("http://vnedu.vn");
    expect(await link.textContent()).toBe("http://vnedu.vn");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    // the full stop stays in the text, right after the link
    expect(await link.evaluate((a) => a.nextSibling?.textContent?.charAt(0))).toBe(".");
    await page.screenshot({ path: join(SHOTS, "link-360x640.png") });
    await context.close();
  });

  it("links only http(s) addresses and leaves the punctuation around them out of the link", async () => {
    const { context, page } = await open(running.url);
    const text =
      "Xem http://a.vn, http://b.vn/x; (http://c.vn) http://d.vn: http://e.vn! http://f.vn? " +
      "https://vi.wikipedia.org/wiki/Huế_(thành_phố). javascript:alert(1) ftp://g.vn <b>h</b> http://i.vn…";
    // a reply as the server would send it, to see how the page shows every kind of ending
    await page.route("**/api/chat", (route) =>
      route.fulfill({ json: { locale: "vi", replies: [{ text, buttons: [] }] } }),
    );
    await ask(page, "địa chỉ");
    const answer = page.locator(".msg.bot").last();
    expect(await answer.textContent()).toBe(text);
    expect(await answer.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).toEqual([
      "http://a.vn",
      "http://b.vn/x",
      "http://c.vn",
      "http://d.vn",
      "http://e.vn",
      "http://f.vn",
      "https://vi.wikipedia.org/wiki/Huế_(thành_phố)",
      "http://i.vn",
    ]);
    expect(await answer.locator("b").count()).toBe(0);
    await context.close();
  });

  it("shows what a person types as text, never as markup", async () => {
    const { context, page } = await open(running.url);
    await ask(page, '<img src=x onerror="document.title=1"><b>đậm</b>');
    const mine = page.locator(".msg.me").last();
    expect(await mine.textContent()).toBe('<img src=x onerror="document.title=1"><b>đậm</b>');
    expect(await mine.locator("img, b").count()).toBe(0);
    await context.close();
  });

  it("sends a button's payload when it is tapped and shows its label as the person's message", async () => {
    const { context, page } = await open(running.url);
    const sent: string[] = [];
    page.on("request", (req) => {
      if (req.url().endsWith("/api/chat") && req.method() === "POST") sent.push((req.postDataJSON() as { text: string }).text);
    });
    const replied = page.waitForResponse((res) => res.url().endsWith("/api/chat"));
    await ask(page, "/menu");
    const menu = (await (await replied).json()) as { replies: { buttons: { label: string; payload: string }[] }[] };
    const first = menu.replies[0]!.buttons[0]!;
    const before = await page.locator(".msg.bot").count();
    await page.locator(".buttons").last().getByRole("button", { name: first.label, exact: true }).tap();
    await page.locator(".msg.bot").nth(before).waitFor();
    expect(sent.at(-1)).toBe(first.payload);
    expect(await page.locator(".msg.me").last().textContent()).toBe(first.label);
    await context.close();
  });

  it("speaks English after /lang en: labels, placeholder and the rate-limit message", async () => {
    const { context, page } = await open(limited.url, SIZES[1]);
    expect(await page.getByRole("button", { name: vi.web.send, exact: true }).isVisible()).toBe(true);
    await ask(page, "/lang en");
    await expect.poll(() => page.locator("form button").textContent()).toBe(en.web.send);
    expect(await page.getByRole("textbox", { name: en.web.label }).getAttribute("placeholder")).toBe(en.web.placeholder);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await ask(page, "How do I see my child's contact book?");
    // the fourth message in a minute (with the greeting) is over CHAT_RATE_PER_MINUTE=3
    await page.getByRole("textbox").fill("one more question");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toBe(en.web.rate_limited);
    expect(await page.getByRole("textbox").inputValue()).toBe("one more question"); // ready to send again
    await page.screenshot({ path: join(SHOTS, "english-rate-limited-390x844.png") });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  });

  it("says in Vietnamese when a message cannot be sent, and when a forgotten conversation was renewed", async () => {
    const { context, page } = await open(running.url);
    await page.route("**/api/chat", (route) => route.abort("internetdisconnected"));
    await page.getByRole("textbox").fill("xin chào");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toBe(vi.web.error);
    await page.unroute("**/api/chat");

    await page.evaluate(`localStorage.setItem("chat-session", "not-a-session-the-server-issued")`);
    await page.reload();
    await page.locator(".msg.bot").first().waitFor();
    expect(await page.locator(".msg.bot").first().textContent()).toBe(vi.web.session_renewed);
    expect(await page.locator(".msg.bot").count()).toBeGreaterThan(1); // and the greeting
    await context.close();
  });
});
