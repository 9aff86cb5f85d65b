/** Just enough MIME for the tests to read what the e-mail channel sent: the subject, the text and the HTML part. */
export function simpleParser(raw: string): { subject: string; text: string; html: string } {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = unfold(head);
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
  const body = rest.join("\n\n");
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [`${head}\n\n${body}`];
  let text = "";
  let html = "";
  for (const part of parts) {
    const [partHead = "", ...partBody] = part.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
    const decoded = decodeBody(partBody.join("\n\n"), /content-transfer-encoding:\s*(\S+)/i.exec(partHead)?.[1]);
    if (/content-type:\s*text\/plain/i.test(partHead)) text = decoded;
    if (/content-type:\s*text\/html/i.test(partHead)) html = decoded;
  }
  return { subject: decodeWords(/^subject:\s*(.*)$/im.exec(headers)?.[1] ?? ""), text, html };
}

function unfold(headers: string): string {
  return headers.replace(/\r?\n[ \t]+/g, " ");
}

function decodeBody(body: string, encoding = "7bit"): string {
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8"),
    );
}
