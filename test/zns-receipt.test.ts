import { describe, expect, it } from "vitest";
import { parseEvent, parseZaloJson } from "../src/adapters/zalo/zalo-webhook.js";

const parse = (text: string) => parseEvent(parseZaloJson(text) as Record<string, unknown>);

describe("ZNS delivery receipts (user_received_message) as the webhook reads them", () => {
  it("reads msg_id, tracking_id and delivery_time, keeping ids sent as bare numbers exact", () => {
    const event = parse(
      '{"event_name":"user_received_message","app_id":"1","sender":{"id":"oa1"},"recipient":{"id":"u1"},' +
        '"message":{"msg_id":12345678901234567890,"tracking_id":42,"delivery_time":1768870807000},"timestamp":"1768870808000"}',
    );
    expect(event).toEqual({
      kind: "zns_receipt",
      name: "user_received_message",
      userId: "zns:12345678901234567890",
      msgId: "12345678901234567890",
      trackingId: "42",
      deliveredAt: 1768870807000,
      key: "user_received_message:12345678901234567890",
    });
  });

  it("takes the event's time when delivery_time is unreadable, and has no tracking id when Zalo sends none", () => {
    const event = parse(
      '{"event_name":"user_received_message","message":{"msg_id":"m1","delivery_time":"soon"},"timestamp":"1768870808000"}',
    );
    expect(event).toMatchObject({ kind: "zns_receipt", msgId: "m1", deliveredAt: 1768870808000 });
    expect(event).not.toHaveProperty("trackingId");
  });

  it("ignores an OA chat message's receipt (no delivery_time) and a ZNS receipt without msg_id, rather than refusing them", () => {
    expect(parse('{"event_name":"user_received_message","sender":{"id":"u1"},"message":{"msg_id":"m2"},"timestamp":"1"}')).toEqual({
      kind: "ignored",
      name: "user_received_message",
    });
    expect(parse('{"event_name":"user_received_message","message":{"tracking_id":"7","delivery_time":"1768870807000"},"timestamp":"1"}')).toEqual({
      kind: "ignored",
      name: "user_received_message",
    });
    expect(parse('{"event_name":"user_received_message","message":"garbage","timestamp":"1"}')).toEqual({ kind: "ignored", name: "user_received_message" });
  });
});
