// The message as each channel will show it, from the server's own per-channel rendering (POST …/preview).
import type { ComponentChildren, JSX } from "preact";
import { h } from "preact";
import { t } from "../../i18n";

const ALLOWED = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "br"]);

/**
 * Telegram's HTML (escaped by the server) turned into Preact elements: the markup is parsed by an inert
 * DOMParser and only Telegram's formatting tags and http(s)/mailto links are kept, so nothing is injected
 * even if a value slipped through unescaped.
 */
export function telegramHtmlToVNodes(html: string): ComponentChildren {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const convert = (node: Node, key: number): ComponentChildren => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const el = node as Element;
    const tag = el.tagName.toLowerCase();
    const children = Array.from(el.childNodes).map(convert);
    if (!ALLOWED.has(tag)) return children;
    if (tag === "a") {
      const href = el.getAttribute("href") ?? "";
      if (!/^(https?:|mailto:)/i.test(href)) return children;
      return h("a", { key, href, rel: "noopener noreferrer", target: "_blank" }, children);
    }
    return h(tag, { key }, children);
  };
  return Array.from(doc.body.childNodes).map(convert);
}

export function ChannelPreview(props: { rendered: Record<string, { vi: string[]; en: string[] }>; locale: "vi" | "en"; channels: string[] }): JSX.Element {
  return (
    <div class="previews">
      {props.channels.map((channel) => {
        const messages = props.rendered[channel]?.[props.locale] ?? [];
        return (
          <section key={channel} class={`preview preview-${channel}`} aria-label={t("broadcasts:preview.asChannel", { channel: t(`broadcasts:channels.${channel}`) })}>
            <h3>{t(`broadcasts:preview.channel.${channel}`)}</h3>
            {messages.length > 1 ? <p class="hint">{t("broadcasts:preview.split", { count: messages.length })}</p> : null}
            {messages.map((m, i) => (
              <div key={i} class="bubble">
                {channel === "telegram" ? telegramHtmlToVNodes(m) : m}
              </div>
            ))}
          </section>
        );
      })}
    </div>
  );
}
