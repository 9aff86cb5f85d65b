import { mulberry32 } from "../src/nlu/random.js";
import { Telegram } from "telegraf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMarkdown } from "../src/core/markdown.js";
import { splitRich, toPlainText, toTelegramHtml } from "../src/core/render.js";
import type { RichText, Span } from "../src/core/types.js";
import { TelegramSender, telegramLength } from "../src/adapters/telegram/telegram-sender.js";
import { formatMessageText, startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";

const html = (source: string): string => toTelegramHtml(parseMarkdown(source));
const plain = (source: string): string => toPlainText(parseMarkdown(source));
const lines = (source: string): Span[][] => parseMarkdown(source).lines;

/** Tags balance (a small stack check), only b/i/a are used, and no raw '<', '>' or '&' is left in text. */
function expectWellFormed(markup: string): void {
  expect(markupProblem(markup), markup.slice(0, 200)).toBeNull();
}

function markupProblem(markup: string): string | null {
  const stack: string[] = [];
  const tag = /<(\/?)([a-z]+)((?: href="[^"<>]*")?)>/g;
  let last = 0;
  for (let m = tag.exec(markup); m !== null; m = tag.exec(markup)) {
    const textProblem = textProblemOf(markup.slice(last, m.index));
    if (textProblem) return `${textProblem} before offset ${m.index}`;
    last = m.index + m[0].length;
    const [, closing, name = "", attributes] = m;
    if (!["b", "i", "a"].includes(name)) return `unexpected tag <${name}> at ${m.index}`;
    if (closing) {
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open ?? "nothing"}> at ${m.index}`;
    } else {
      if (attributes !== "" && name !== "a") return `attributes on <${name}> at ${m.index}`;
      stack.push(name);
    }
  }
  return textProblemOf(markup.slice(last)) ?? (stack.length > 0 ? `unclosed <${stack.join("><")}>` : null);
}

function textProblemOf(text: string): string | null {
  if (/[<>]/.test(text)) return "raw < or >";
  if (text.replace(/&(amp|lt|gt|quot);/g, "").includes("&")) return "raw &";
  return null;
}

/** Deterministic, so a failure can be replayed. */
const random = mulberry32;

const PIECES = [
  "*", "**", "_", "__", "***", "[", "]", "(", ")", "](", "\\", "#", "# ", "- ", "* ", "+ ", "1. ", "\n", "\n\n", " ", "\t",
  "<", ">", "&", '"', "'", "<b>", "</i>", "&amp;", "https://", "http://x.vn/a_b", "mailto:", "javascript:", "www.",
  "[x](https://so.gd.vn/?a=1&b=\"2\")", "[y](javascript:alert(1))", "a", "b", "file_name", "Tiếng Việt", "đ", "ệ",
  "e\u0302\u0301", "😀", "\uD83D", "\uDE00", "\u0000", "\u200B", "\r\n", "\u00A0", "0", "9",
];

function randomSource(seed: number, size: number): string {
  const next = random(seed);
  let out = "";
  while (out.length < size) {
    if (next() < 0.6) out += PIECES[Math.floor(next() * PIECES.length)];
    else out += String.fromCharCode(Math.floor(next() * 0x2000));
  }
  return out.slice(0, size);
}

describe("parseMarkdown: constructs", () => {
  it("bold with ** and __, italic with * and _", () => {
    expect(lines("**đậm** và __đậm__, *nghiêng* và _nghiêng_")).toEqual([
      [
        { text: "đậm", bold: true },
        { text: " và " },
        { text: "đậm", bold: true },
        { text: ", " },
        { text: "nghiêng", italic: true },
        { text: " và " },
        { text: "nghiêng", italic: true },
      ],
    ]);
    expect(html("**a** _b_")).toBe("<b>a</b> <i>b</i>");
    expect(plain("**a** _b_")).toBe("a b");
  });

  it("nests bold and italic", () => {
    expect(lines("**_x_**")).toEqual([[{ text: "x", bold: true, italic: true }]]);
    expect(html("**_x_**")).toBe("<b><i>x</i></b>");
    expect(html("*một **hai** ba*")).toBe("<i>một <b>hai</b> ba</i>");
    expect(html("**một _hai_ ba**")).toBe("<b>một <i>hai</i> ba</b>");
    expect(html("***cả hai***")).toBe("<b><i>cả hai</i></b>");
  });

  it("leaves unclosed or unmatched markers literal", () => {
    expect(lines("**chưa đóng và _cũng chưa")).toEqual([[{ text: "**chưa đóng và _cũng chưa" }]]);
    expect(html("a * b ** c _ d")).toBe("a * b ** c _ d");
    expect(html("2*3*4 = 24")).toBe("2<i>3</i>4 = 24"); // CommonMark: * works inside words, _ does not
    expect(html("**")).toBe("**");
  });

  it("does not treat underscores inside words, file names or URLs as italic", () => {
    const source = "Tải file_name.pdf hoặc bao_cao_2025.xlsx tại https://so.gd.vn/van_ban/_moi_/ke_hoach.pdf và www.so_gd.vn/_x_";
    expect(lines(source)).toEqual([[{ text: source }]]);
    expect(html("snake_case_name")).toBe("snake_case_name");
    expect(html("_nghiêng_ nhưng snake_case thì không")).toBe("<i>nghiêng</i> nhưng snake_case thì không");
    expect(html("**https://x.vn/a_b_c**, *xem https://x.vn/d_e*.")).toBe("<b>https://x.vn/a_b_c</b>, <i>xem https://x.vn/d_e</i>.");
  });

  it("keeps bare URLs as text, not links", () => {
    const rich = parseMarkdown("Cổng: https://dichvucong.gov.vn/p/home (và http://so.gd.vn).");
    expect(rich.lines.flat().some((s) => s.href !== undefined)).toBe(false);
    expect(toPlainText(rich)).toBe("Cổng: https://dichvucong.gov.vn/p/home (và http://so.gd.vn).");
  });

  it("makes [text](url) links for http(s) and mailto", () => {
    expect(lines("Xem [Cổng DVC](https://dichvucong.gov.vn/p?a=1&b=2) nhé")).toEqual([
      [{ text: "Xem " }, { text: "Cổng DVC", href: "https://dichvucong.gov.vn/p?a=1&b=2" }, { text: " nhé" }],
    ]);
    expect(html("Xem [Cổng DVC](https://dichvucong.gov.vn/p?a=1&b=2) nhé")).toBe(
      'Xem <a href="https://dichvucong.gov.vn/p?a=1&amp;b=2">Cổng DVC</a> nhé',
    );
    expect(plain("Xem [Cổng DVC](https://dichvucong.gov.vn/p?a=1&b=2) nhé")).toBe("Xem Cổng DVC (https://dichvucong.gov.vn/p?a=1&b=2) nhé");
    expect(plain("[https://so.gd.vn](https://so.gd.vn)")).toBe("https://so.gd.vn");
    expect(lines("[hộp thư](mailto:vanphong@so.gd.vn)")).toEqual([[{ text: "hộp thư", href: "mailto:vanphong@so.gd.vn" }]]);
    // Telegram has no mailto links: the address is shown and Telegram links it itself.
    expect(html("[hộp thư](mailto:vanphong@so.gd.vn)")).toBe("hộp thư (vanphong@so.gd.vn)");
    expect(plain("[hộp thư](mailto:vanphong@so.gd.vn)")).toBe("hộp thư (vanphong@so.gd.vn)");
    expect(html("[vanphong@so.gd.vn](mailto:vanphong@so.gd.vn)")).toBe("vanphong@so.gd.vn");
  });

  it("escapes a link's href for the attribute and its text for HTML", () => {
    const markup = html('[<b>"Tài liệu" & mẫu</b>](https://x.vn/a?q="x"&r=<y>)');
    expect(markup).toBe('<a href="https://x.vn/a?q=&quot;x&quot;&amp;r=&lt;y&gt;">&lt;b&gt;"Tài liệu" &amp; mẫu&lt;/b&gt;</a>');
    expectWellFormed(markup);
    const parsed = formatMessageText(markup, "HTML");
    expect(parsed.text).toBe('<b>"Tài liệu" & mẫu</b>');
    expect(parsed.entities).toEqual([{ type: "text_link", offset: 0, length: parsed.text.length, url: 'https://x.vn/a?q="x"&r=<y>' }]);
  });

  it("nests bold inside links and links inside bold properly", () => {
    expect(html("[**Cổng** DVC](https://a.vn)")).toBe('<a href="https://a.vn"><b>Cổng</b> DVC</a>');
    expect(html("**xem [đây](https://a.vn) nhé**")).toBe('<b>xem <a href="https://a.vn">đây</a> nhé</b>');
    expect(html("**[_đây_](https://a.vn)**")).toBe('<a href="https://a.vn"><b><i>đây</i></b></a>');
    // A link is a unit: markers inside its text cannot pair with markers outside it.
    expect(html("*a [b **c](https://a.vn) d** e*")).toBe('<i>a <a href="https://a.vn">b **c</a> d</i>* e*');
    for (const source of ["[**Cổng** DVC](https://a.vn)", "**a _b [c](https://a.vn) d_ e**", "_a **b [c **d**](https://a.vn)** e_"]) {
      expectWellFormed(html(source));
      expect(() => formatMessageText(html(source), "HTML")).not.toThrow();
    }
    expect(plain("**xem [đây](https://a.vn) nhé**")).toBe("xem đây (https://a.vn) nhé");
  });

  it("keeps javascript: and other schemes as literal text, never a link", () => {
    for (const source of ["[bấm](javascript:alert(1))", "[Sở](https://so.gd.vn@evil.test/)", "[x](https:so.gd.vn)", "[bấm](JavaScript:alert(1))", "[x](data:text/html,<script>)", "[x](ftp://a.vn)", "[x](vbscript:x)", "[x](//evil.test)", "[x](https://)"]) {
      const rich = parseMarkdown(source);
      expect(rich.lines.flat().some((s) => s.href !== undefined), source).toBe(false);
      expect(html(source)).not.toContain("<a");
      expect(plain(source)).toBe(source);
    }
    expect(html("[bấm](javascript:alert(1))")).toBe("[bấm](javascript:alert(1))");
    // A RichText built elsewhere with an unsafe href is shown as its text only.
    const forged: RichText = { lines: [[{ text: "bấm", href: "javascript:alert(1)" }]] };
    expect(toTelegramHtml(forged)).toBe("bấm");
    expect(toPlainText(forged)).toBe("bấm");
  });

  it("makes paragraphs, line breaks, lists, numbered items and headings", () => {
    const source = [
      "# Thông báo tuyển sinh ##",
      "Kính gửi phụ huynh,",
      "học sinh lớp 9.",
      "",
      "",
      "   ",
      "- nộp hồ sơ *trực tuyến*",
      "* đóng lệ phí",
      "+ theo dõi kết quả",
      "  - ý phụ",
      "1. Đăng nhập",
      "2. Chọn **dịch vụ**",
      "",
      "#hashtag và #không phải tiêu đề",
    ].join("\n");
    expect(lines(source)).toEqual([
      [{ text: "Thông báo tuyển sinh", bold: true }],
      [{ text: "Kính gửi phụ huynh," }],
      [{ text: "học sinh lớp 9." }],
      [],
      [{ text: "• nộp hồ sơ " }, { text: "trực tuyến", italic: true }],
      [{ text: "• đóng lệ phí" }],
      [{ text: "• theo dõi kết quả" }],
      [{ text: "  • ý phụ" }],
      [{ text: "1. Đăng nhập" }],
      [{ text: "2. Chọn " }, { text: "dịch vụ", bold: true }],
      [],
      [{ text: "#hashtag và #không phải tiêu đề" }],
    ]);
    expect(html("## Lịch *thi*")).toBe("<b>Lịch <i>thi</i></b>");
    expect(plain("\n\n\nmột\r\nhai\r\n\r\nba\n\n")).toBe("một\nhai\n\nba");
  });

  it("honours backslash escapes", () => {
    expect(plain("\\*không nghiêng\\* và \\_không\\_ và \\[x\\](https://a.vn)")).toBe("*không nghiêng* và _không_ và [x](https://a.vn)");
    expect(lines("\\# không phải tiêu đề")).toEqual([[{ text: "# không phải tiêu đề" }]]);
    expect(lines("\\- không phải danh sách")).toEqual([[{ text: "- không phải danh sách" }]]);
    expect(plain("C:\\Users\\hs")).toBe("C:\\Users\\hs");
  });
});

describe("parseMarkdown: safety", () => {
  it("escapes <script>, & and <b> for Telegram and keeps them literally in plain text", () => {
    const source = "**Lưu ý** <script>alert('x')</script> & <b>không đậm</b> &amp; a<b";
    const markup = html(source);
    expect(markup).toBe("<b>Lưu ý</b> &lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;không đậm&lt;/b&gt; &amp;amp; a&lt;b");
    expectWellFormed(markup);
    expect(formatMessageText(markup, "HTML").text).toBe("Lưu ý <script>alert('x')</script> & <b>không đậm</b> &amp; a<b");
    expect(plain(source)).toBe("Lưu ý <script>alert('x')</script> & <b>không đậm</b> &amp; a<b");
  });

  it("never throws on 10 kB of random input, and its Telegram HTML is well-formed", () => {
    expect(markupProblem("<b><i>x</b></i>")).not.toBeNull(); // the checker itself catches mis-nesting
    expect(markupProblem("<b>a & b</b>")).not.toBeNull();
    for (let seed = 1; seed <= 25; seed++) {
      const source = randomSource(seed, 10_000);
      let rich: RichText = { lines: [] };
      expect(() => (rich = parseMarkdown(source)), `seed ${seed}`).not.toThrow();
      const markup = toTelegramHtml(rich);
      expectWellFormed(markup);
      expect(() => formatMessageText(markup, "HTML"), `seed ${seed}`).not.toThrow();
      expect(() => toPlainText(rich)).not.toThrow();
      for (const piece of splitRich(rich, 4096, telegramLength)) {
        expect(telegramLength(piece)).toBeLessThanOrEqual(4096);
        expectWellFormed(toTelegramHtml(piece));
      }
    }
  });

  it("stays fast on pathological input", () => {
    const nasty = ["[".repeat(10_000), "*a".repeat(5_000), "_".repeat(10_000), "**_".repeat(3_000) + "x" + "_**".repeat(3_000),
      "[a](https://x.vn/" + "(".repeat(9_000), "https://" + ")".repeat(9_990), "# " + " ".repeat(9_000) + "x #", "\\".repeat(10_000)];
    const started = Date.now();
    for (const source of nasty) expectWellFormed(html(source));
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("tolerates values that are not strings at run time", () => {
    expect(parseMarkdown(undefined as unknown as string)).toEqual({ lines: [] });
    expect(parseMarkdown(42 as unknown as string)).toEqual({ lines: [] });
  });
});

describe("parseMarkdown: Vietnamese and Unicode", () => {
  it("keeps tone marks", () => {
    const source = "**Thông báo:** Sở Giáo dục và Đào tạo tổ chức kỳ thi _tuyển sinh lớp 10_ ngày 5/6; hồ sơ nộp trước ngày 20/5.";
    expect(plain(source)).toBe("Thông báo: Sở Giáo dục và Đào tạo tổ chức kỳ thi tuyển sinh lớp 10 ngày 5/6; hồ sơ nộp trước ngày 20/5.");
    expect(html(source)).toBe("<b>Thông báo:</b> Sở Giáo dục và Đào tạo tổ chức kỳ thi <i>tuyển sinh lớp 10</i> ngày 5/6; hồ sơ nộp trước ngày 20/5.");
  });

  it("normalises NFD input to NFC", () => {
    const nfc = "Tuyển sinh **lớp 10** – Trường THPT Nguyễn Huệ";
    const nfd = nfc.normalize("NFD");
    expect(nfd).not.toBe(nfc);
    const out = plain(nfd);
    expect(out).toBe("Tuyển sinh lớp 10 – Trường THPT Nguyễn Huệ");
    expect(out).toBe(out.normalize("NFC"));
    expect(html(nfd)).toBe("Tuyển sinh <b>lớp 10</b> – Trường THPT Nguyễn Huệ");
  });
});

describe("splitting formatted announcements", () => {
  it("keeps italic and links when a long line is re-flowed", () => {
    const words = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? `[liên kết ${i}](https://so.gd.vn/${i})` : i % 3 === 1 ? `*nghiêng ${i}*` : `**đậm ${i}**`));
    const rich = parseMarkdown(words.join(" "));
    const pieces = splitRich(rich, 500, telegramLength);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(telegramLength(piece)).toBeLessThanOrEqual(500);
      expectWellFormed(toTelegramHtml(piece));
    }
    const spans = pieces.flatMap((p) => p.lines.flat());
    expect(spans.some((s) => s.href === "https://so.gd.vn/399")).toBe(true);
    expect(spans.find((s) => s.text.includes("nghiêng 1 "))?.italic ?? spans.find((s) => s.text === "nghiêng 1")?.italic).toBe(true);
    const text = (r: RichText): string => r.lines.flat().map((s) => s.text).join(" ");
    expect(pieces.map(text).join(" ").replace(/\s+/g, " ")).toBe(text(rich).replace(/\s+/g, " "));
    // A hard-cut long word keeps its link.
    const long = splitRich({ lines: [[{ text: "x".repeat(300), href: "https://a.vn", italic: true }]] }, 100, telegramLength);
    expect(long.flatMap((p) => p.lines.flat()).every((s) => s.href === "https://a.vn" && s.italic === true)).toBe(true);
  });
});

describe("an announcement through the real telegraf client and the fake Bot API", () => {
  let fake: FakeTelegram;
  beforeAll(async () => {
    fake = await startFakeTelegram();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it("is accepted by Telegram's HTML parser with bold, italic and links", async () => {
    const sender = new TelegramSender(new Telegram(fake.token, { apiRoot: fake.apiRoot }));
    const source = [
      "# Thông báo số 12/SGDĐT",
      "Kính gửi **phụ huynh** & học sinh <lớp 9>:",
      "- Đăng ký tại [Cổng **dịch vụ công**](https://dichvucong.gov.vn/p/home?a=1&b=\"2\")",
      "- Hỏi đáp: [hộp thư](mailto:hotro@so.gd.vn), tệp _mau_don.pdf_ (file_name.pdf)",
      "",
      "Không bấm [link lạ](javascript:alert(1)).",
    ].join("\n");
    await sender.send("4242", { text: parseMarkdown(source), buttons: [] });
    const sent = await fake.waitForSent((m) => m.chatId === 4242, 5000);
    expect(sent.visibleText).toBe(
      [
        "Thông báo số 12/SGDĐT",
        "Kính gửi phụ huynh & học sinh <lớp 9>:",
        "• Đăng ký tại Cổng dịch vụ công",
        "• Hỏi đáp: hộp thư (hotro@so.gd.vn), tệp mau_don.pdf (file_name.pdf)",
        "",
        "Không bấm [link lạ](javascript:alert(1)).",
      ].join("\n"),
    );
    expect(sent.entities).toContainEqual(expect.objectContaining({ type: "text_link", url: 'https://dichvucong.gov.vn/p/home?a=1&b="2"' }));
    expect(sent.entities.filter((e) => e.type === "text_link")).toHaveLength(1);
    expect(sent.entities.map((e) => e.type)).toEqual(expect.arrayContaining(["bold", "italic", "text_link"]));
  });

  it("splits a long announcement into valid pieces", async () => {
    const sender = new TelegramSender(new Telegram(fake.token, { apiRoot: fake.apiRoot }));
    const paragraph = (n: number) => `**Mục ${n}.** ${"_Nội dung_ <chi tiết> & [xem](https://so.gd.vn/a_b?x=1&y=2) ".repeat(40).trim()}`;
    const source = Array.from({ length: 6 }, (_, i) => paragraph(i + 1)).join("\n\n");
    await sender.send("4343", { text: parseMarkdown(source), buttons: [] });
    const pieces = fake.sent.filter((m) => m.chatId === 4343);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.visibleText.length).toBeLessThanOrEqual(4096);
    expect(pieces[0]?.visibleText.startsWith("Mục 1.")).toBe(true);
  });
});
