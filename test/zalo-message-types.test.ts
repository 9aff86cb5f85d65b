import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseZaloMessageType, loadZaloMessageTypes } from "../src/reach/zalo-message-types.js";

const types = loadZaloMessageTypes(join(import.meta.dirname, "..", "templates", "zalo-message-types.yaml"));

describe("Zalo OA message types (templates/zalo-message-types.yaml)", () => {
  it("use the free consultation message inside the 7-day window, charged after 48 hours", () => {
    expect(chooseZaloMessageType(types, "reminder", { hoursSinceLastMessage: 3, sentThisMonth: {} })).toMatchObject({ type: { name: "consultation" }, chargedVnd: 0 });
    expect(chooseZaloMessageType(types, "reminder", { hoursSinceLastMessage: 72, sentThisMonth: {} })).toMatchObject({ type: { name: "consultation" }, chargedVnd: 50 });
  });

  it("send reminders outside the window as transaction messages, announcements as promotion within each follower's monthly quota", () => {
    expect(chooseZaloMessageType(types, "reminder", { hoursSinceLastMessage: 24 * 30, sentThisMonth: {} })).toMatchObject({ type: { name: "transaction" }, chargedVnd: 100 });
    expect(chooseZaloMessageType(types, "handoff_reply", { hoursSinceLastMessage: null, sentThisMonth: {} })).toMatchObject({ type: { name: "transaction" } });
    expect(chooseZaloMessageType(types, "broadcast", { hoursSinceLastMessage: 24 * 10, sentThisMonth: { promotion: 3 } })).toMatchObject({ type: { name: "promotion" }, chargedVnd: 250 });
    expect(chooseZaloMessageType(types, "broadcast", { hoursSinceLastMessage: 24 * 10, sentThisMonth: { promotion: 4 } })).toEqual({ type: undefined, reason: "quota_used" });
    expect(chooseZaloMessageType(types, "answer", { hoursSinceLastMessage: 24 * 10, sentThisMonth: {} })).toEqual({ type: undefined, reason: "window_closed" });
  });
});
