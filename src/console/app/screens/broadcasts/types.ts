// The shapes of the broadcast API's answers, as the console reads them.

export const ROLES = ["subscriber", "it_lead", "school_leader", "office_staff", "department_staff"] as const;
export const LEVELS = ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"] as const;
/** Push channels a staff member may pick (web chat users cannot be sent to). */
export const PUSH_CHANNELS = ["telegram", "zalo"] as const;

export interface Audience {
  roles?: string[];
  units?: string[];
  levels?: string[];
  channels?: string[];
}

export interface AudienceReport {
  total: number;
  queued: number;
  deliverable: number;
  byChannel: Partial<Record<string, number>>;
  notDeliverable: Record<string, number>;
  withoutChat: number;
  /** of withoutChat: staff reached by e-mail instead, and those who cannot be and why */
  byEmail: { reach: number; notReached: Record<string, number> };
  /** Zalo followers by OA message type, with the cost in đồng (absent without Zalo) */
  zalo?: ZaloPreview;
}

export interface ZaloPreview {
  byType: Record<string, { followers: number; charged: number; costVnd: number }>;
  skipped: { zalo_quota: number; outside_zalo_window: number };
  costVnd: number;
}

export interface Unit {
  code: string;
  name: string;
  type: "department" | "office" | "school";
  level: string | null;
  parentCode: string | null;
}

export type BroadcastStatus = "scheduled" | "sending" | "done" | "cancelled";

export interface DeliveryCounts {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  cancelled: number;
  reasons: Record<string, number>;
}

export interface Broadcast {
  id: number;
  title: string;
  status: BroadcastStatus;
  urgent: boolean;
  sendAt: string;
  recipients: number;
  audience: Audience;
  createdBy: string;
  createdAt: string;
  counts: DeliveryCounts;
}

export interface Preview {
  recipients: AudienceReport;
  sendAt: string;
  rendered: Record<string, { vi: string[]; en: string[] }>;
}

export interface DeliveryRow {
  id: number;
  name: string | null;
  units: string | null;
  role: string | null;
  channel: string;
  /** the Zalo OA message type it went by */
  zaloType?: string | null;
  status: "queued" | "sent" | "failed" | "skipped" | "cancelled";
  reason: string | null;
  attempts: number;
  doneAt: number | null;
  /** when the platform said it reached the person (ZNS receipts) */
  deliveredAt: number | null;
  /** the mailbox of an e-mail row */
  email: string | null;
}

/** What the compose steps build up. */
export interface Draft {
  title: string;
  textVi: string;
  textEn: string;
  audience: Audience;
  when: "now" | "later";
  date: string | undefined;
  time: string;
  urgent: boolean;
}
