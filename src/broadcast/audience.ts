import { z } from "zod";

export const ROLES = ["subscriber", "it_lead", "school_leader", "office_staff", "department_staff"] as const;
export const LEVELS = ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"] as const;
export const CHANNELS = ["telegram", "zalo", "web"] as const;

/**
 * Who a broadcast reaches. Every field narrows; an empty object means everyone. `units` are unit codes and
 * include every unit under them. Unknown fields are refused, so a typo cannot silently widen an audience.
 */
export const audienceSchema = z
  .object({
    roles: z.array(z.enum(ROLES)).min(1).optional(),
    units: z.array(z.string().trim().min(1)).min(1).optional(),
    levels: z.array(z.enum(LEVELS)).min(1).optional(),
    channels: z.array(z.enum(CHANNELS)).min(1).optional(),
    locales: z.array(z.enum(["vi", "en"])).min(1).optional(),
  })
  .strict();

export type Audience = z.infer<typeof audienceSchema>;

export type { SkipReason } from "../outbox/enqueue.js";
