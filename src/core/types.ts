/** Channel-neutral shapes shared by the core and every adapter. */

export type Locale = "vi" | "en";
export type Channel = "telegram" | "web" | "zalo";

/** One thing a person did, as every adapter reports it. */
export interface InboundEvent {
  channel: Channel;
  /** the person's address on that channel (Telegram chat id, web chat user id, Zalo user id) */
  address: string;
  /** text typed, or the payload of a button that was tapped */
  text: string;
  kind: "text" | "button";
  /** the platform's idea of the user's language (Telegram language_code), used only as a last resort */
  languageHint?: string | undefined;
  receivedAt: Date;
}

export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
  /** a link: the span's text is the link text; renderers show only http(s) and mailto targets */
  href?: string;
}

/** Rendered-once content: lines of spans; a blank line is an empty array. Channels decide the markup. */
export interface RichText {
  lines: Span[][];
}

export interface Button {
  label: string;
  /** sent back as text (web, Zalo) or as callback data (Telegram, at most 64 bytes) */
  payload: string;
}

export interface OutboundMessage {
  text: RichText;
  buttons: Button[];
}

export interface Reply {
  messages: OutboundMessage[];
  /** what the core understood, for logs and metrics */
  intent: string;
  confidence: number;
  locale: Locale;
}
