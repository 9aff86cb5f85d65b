import type { SendGuard } from "../../outbox/outbox-port.js";

/**
 * Zalo delivers consultation messages only within N days of the person's own last message to the OA
 * (ZALO_CS_WINDOW_DAYS): outside it a row is skipped as `outside_zalo_window`, and the outbox tries the
 * person's other channel.
 */
export function consultationWindowGuard(windowDays: number, lastInbound: (address: string) => number | undefined): SendGuard {
  const windowMs = windowDays * 86_400_000;
  return (row, now) => {
    const last = lastInbound(row.address);
    return last === undefined || now.getTime() - last > windowMs ? "outside_zalo_window" : undefined;
  };
}
