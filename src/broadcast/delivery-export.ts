import ExcelJS from "exceljs";
import type { Writable } from "node:stream";
import type { BroadcastView } from "./broadcast-service.js";
import type { ReportRow } from "./sqlite-delivery-report.js";

/** The export is for the Department's staff: Vietnamese headers and words, Vietnam time, as the console shows them. */
export const EXPORT_HEADERS = [
  "STT",
  "Họ tên",
  "Đơn vị",
  "Vai trò",
  "Kênh",
  "Trạng thái",
  "Lý do",
  "Số lần gửi",
  "Thời điểm (giờ Việt Nam)",
  "Địa chỉ email",
  "Đã tới người nhận (giờ Việt Nam)",
] as const;

const STATUS: Record<string, string> = {
  queued: "Đang chờ gửi",
  sent: "Đã gửi",
  failed: "Gửi lỗi",
  skipped: "Bỏ qua",
  cancelled: "Đã huỷ",
};

const REASON: Record<string, string> = {
  not_subscribed: "Chưa đăng ký nhận tin",
  unreachable: "Đã chặn bot hoặc không còn liên lạc được",
  no_push_channel: "Chỉ dùng trò chuyện trên web",
  channel_off: "Kênh chưa được cấu hình",
  outside_zalo_window: "Quá hạn tương tác Zalo",
  zalo_quota: "Đã dùng hết lượt tin truyền thông Zalo trong tháng",
  nothing_to_send: "Không có nội dung",
  bad_request: "Nền tảng từ chối tin nhắn",
  rate_limited: "Nền tảng giới hạn tốc độ",
  window_closed: "Quá hạn tương tác",
  token_invalid: "Mã truy cập của bot không hợp lệ",
  network: "Lỗi mạng",
  server: "Lỗi máy chủ nền tảng",
  no_email: "Danh bạ không có địa chỉ email",
  email_unsubscribed: "Đã huỷ nhận email",
  turned_off: "Người nhận đã tắt kênh này",
};

const ZALO_TYPE: Record<string, string> = {
  consultation: "tin tư vấn",
  transaction: "tin giao dịch",
  promotion: "tin truyền thông",
};

const ROLE: Record<string, string> = {
  subscriber: "Người theo dõi",
  it_lead: "Phụ trách CNTT",
  school_leader: "Lãnh đạo trường",
  office_staff: "Cán bộ Phòng GD",
  department_staff: "Cán bộ Sở",
};

const CHANNEL: Record<string, string> = { telegram: "Telegram", zalo: "Zalo", web: "Web", email: "Email", zns: "ZNS" };

/** "dd/MM/yyyy HH:mm" in Vietnam (UTC+7 all year). */
export function vietnamTime(ms: number | null): string {
  if (ms === null) return "";
  const d = new Date(ms + 7 * 3_600_000);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** One report row in the export's words (also the CSV's). */
export function exportCells(row: ReportRow, index: number): (string | number)[] {
  return [
    index + 1,
    row.name ?? "",
    row.units ?? "",
    row.role ? (ROLE[row.role] ?? row.role) : "",
    (CHANNEL[row.channel] ?? row.channel) + (row.zaloType ? ` (${ZALO_TYPE[row.zaloType] ?? row.zaloType})` : ""),
    STATUS[row.status] ?? row.status,
    row.reason ? (REASON[row.reason] ?? row.reason) : "",
    row.attempts,
    vietnamTime(row.doneAt),
    row.email ?? "",
    vietnamTime(row.deliveredAt),
  ];
}

/** Streams the workbook: a sheet of recipients under a title line naming the broadcast. */
export async function writeDeliveriesXlsx(out: Writable, broadcast: BroadcastView, rows: Iterable<ReportRow>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = workbook.addWorksheet("Người nhận");
  sheet.columns = [{ width: 6 }, { width: 28 }, { width: 36 }, { width: 18 }, { width: 10 }, { width: 16 }, { width: 34 }, { width: 10 }, { width: 22 }, { width: 30 }, { width: 22 }];
  const header = sheet.addRow([...EXPORT_HEADERS]);
  header.font = { bold: true };
  header.commit();
  let i = 0;
  for (const row of rows) sheet.addRow(exportCells(row, i++)).commit();
  sheet.commit();
  // The broadcast itself on a second sheet, so the file says what it reports on.
  const about = workbook.addWorksheet("Thông báo");
  about.addRow(["Tiêu đề", broadcast.title]).commit();
  about.addRow(["Gửi lúc (giờ Việt Nam)", vietnamTime(Date.parse(broadcast.sendAt))]).commit();
  about.addRow(["Đã gửi", broadcast.counts.sent]).commit();
  about.addRow(["Gửi lỗi", broadcast.counts.failed]).commit();
  about.addRow(["Bỏ qua", broadcast.counts.skipped]).commit();
  about.addRow(["Đang chờ gửi", broadcast.counts.queued]).commit();
  about.addRow(["Đã huỷ", broadcast.counts.cancelled]).commit();
  about.commit();
  await workbook.commit();
}
