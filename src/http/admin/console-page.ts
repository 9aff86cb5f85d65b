import { Router } from "express";

/**
 * The staff console served at GET /admin: a static page and a separate script (GET /admin/console.js) that
 * talk to the admin JSON API with the token the staff member pastes. The token lives in sessionStorage only
 * and goes out as `Authorization: Bearer`. Every value from the API is inserted with textContent or
 * createElement (never innerHTML), and the CSP forbids inline scripts, so there are no inline handlers.
 */

export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** [value, Vietnamese label, English label]; the values are the API's enums. */
type Option = readonly [string, string, string];

const ROLE_OPTIONS: readonly Option[] = [
  ["subscriber", "Người đăng ký", "subscriber"],
  ["it_lead", "Phụ trách CNTT", "IT lead"],
  ["school_leader", "Lãnh đạo trường", "school leader"],
  ["office_staff", "Cán bộ Phòng GD", "office staff"],
  ["department_staff", "Cán bộ Sở", "Department staff"],
];
const LEVEL_OPTIONS: readonly Option[] = [
  ["mam_non", "Mầm non", "pre-school"],
  ["tieu_hoc", "Tiểu học", "primary"],
  ["thcs", "THCS", "lower secondary"],
  ["thpt", "THPT", "upper secondary"],
  ["gdtx", "GDTX", "continuing ed."],
];
const CHANNEL_OPTIONS: readonly Option[] = [
  ["telegram", "Telegram", ""],
  ["zalo", "Zalo", ""],
  ["web", "Web chat", ""],
];
const LOCALE_OPTIONS: readonly Option[] = [
  ["vi", "Tiếng Việt", "Vietnamese"],
  ["en", "Tiếng Anh", "English"],
];

/** Checkboxes from constant options (no request data reaches this HTML). */
function checkboxes(name: string, options: readonly Option[]): string {
  return options
    .map(
      ([value, vi, en]) =>
        `<label class="check"><input type="checkbox" name="${name}" value="${value}"> ${vi}${en ? ` <small>${en}</small>` : ""}</label>`,
    )
    .join("\n        ");
}

const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Bảng điều khiển Sở GDĐT · Department console</title>
<style>
  :root { --blue: #0b5cad; --bg: #f3f6fa; --line: #dde3ea; --red: #a61b1b; --green: #1d6b33; }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  body { margin: 0; font: 15px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; background: var(--bg); color: #1b2430; }
  header { background: var(--blue); color: #fff; padding: 12px 18px; display: flex; align-items: center; gap: 12px; }
  header h1 { margin: 0; font-size: 1.1rem; flex: 1; }
  header h1 small { display: block; font-weight: normal; font-size: .8rem; opacity: .9; }
  header button { background: transparent; color: #fff; border: 1px solid #fff; }
  main { max-width: 1040px; margin: 0 auto; padding: 16px; }
  small, .en { color: #5b6776; font-size: .8em; font-weight: normal; }
  header small, button.primary small, nav button[aria-selected=true] small { color: inherit; opacity: .85; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-bottom: 16px; }
  .card h2 { margin: 0 0 10px; font-size: 1.05rem; }
  label.field { display: block; margin: 8px 0 4px; font-weight: 600; }
  input[type=text], input[type=password], input[type=date], input[type=datetime-local], textarea, select {
    font: inherit; padding: 7px 9px; border: 1px solid #c5cfdb; border-radius: 7px; width: 100%; background: #fff; }
  textarea { min-height: 110px; resize: vertical; }
  fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; padding: 8px 12px; }
  legend { font-weight: 600; padding: 0 4px; }
  .row { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; margin: 4px 0; }
  .row > .label { min-width: 150px; font-weight: 600; }
  .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  @media (max-width: 760px) { .grid2 { grid-template-columns: 1fr; } }
  label.check { white-space: nowrap; cursor: pointer; }
  button { font: inherit; padding: 7px 14px; border: 1px solid var(--blue); border-radius: 7px; background: #fff; color: var(--blue); cursor: pointer; }
  button.primary { background: var(--blue); color: #fff; }
  button.danger { border-color: var(--red); color: var(--red); }
  button.small { padding: 3px 9px; font-size: .85rem; }
  button:disabled { opacity: .55; cursor: default; }
  .actions { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 12px; }
  #alert { position: sticky; top: 0; z-index: 5; padding: 10px 14px; border-radius: 8px; margin-bottom: 14px; white-space: pre-wrap; display: flex; gap: 10px; }
  #alert span { flex: 1; }
  #alert.error { background: #fde8e8; border: 1px solid #f2b8b8; color: var(--red); }
  #alert.ok { background: #e6f4ea; border: 1px solid #b7dcc2; color: var(--green); }
  #alert button { padding: 0 8px; border: 0; background: transparent; color: inherit; font-size: 1.1rem; }
  nav { display: flex; gap: 4px; border-bottom: 2px solid var(--blue); margin-bottom: 16px; }
  nav button { border: 1px solid var(--line); border-bottom: 0; border-radius: 8px 8px 0 0; background: #e9eef5; color: #1b2430; }
  nav button[aria-selected=true] { background: var(--blue); color: #fff; border-color: var(--blue); }
  table { width: 100%; border-collapse: collapse; font-size: .92rem; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { background: #f7f9fc; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.clickable { cursor: pointer; }
  tr.clickable:hover, tr.selected { background: #eef4fb; }
  .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .82rem; background: #eef1f5; }
  .status.sending { background: #fff3cd; }
  .status.scheduled { background: #e3eefb; }
  .status.done { background: #e6f4ea; }
  .status.cancelled { background: #f1e4e4; }
  .late { color: var(--red); font-weight: 600; }
  pre { background: #f7f9fc; border: 1px solid var(--line); border-radius: 7px; padding: 10px; white-space: pre-wrap; word-wrap: break-word; font: 14px/1.45 ui-monospace, Consolas, monospace; margin: 4px 0 10px; }
  .code { font: 700 2.6rem/1.2 ui-monospace, Consolas, monospace; letter-spacing: .18em; margin: 8px 0; color: var(--blue); user-select: all; }
  .muted { color: #5b6776; }
  #login { max-width: 520px; margin: 40px auto; }
</style>
</head>
<body>
<header>
  <h1>Bảng điều khiển Sở GDĐT <small>Department of Education console</small></h1>
  <button id="logout" type="button" hidden>Đăng xuất <small>Sign out</small></button>
</header>
<main>
  <div id="alert" role="alert" aria-live="assertive" hidden><span id="alert-text"></span><button id="alert-close" type="button" aria-label="Đóng / Close">×</button></div>

  <section id="login" class="card" hidden>
    <h2>Đăng nhập <small>Sign in</small></h2>
    <p class="muted">Dán mã truy cập quản trị (admin token) được cấp bằng <code>npm run admin -- token create</code>.
      Mã chỉ được giữ trong tab này (sessionStorage). <small>Paste your admin token; it is kept in this tab only.</small></p>
    <form id="login-form" autocomplete="off">
      <label class="field" for="token">Mã truy cập <small>Admin token</small></label>
      <input id="token" type="password" required spellcheck="false" autocomplete="off">
      <div class="actions"><button class="primary" type="submit">Tiếp tục <small>Continue</small></button></div>
    </form>
  </section>

  <div id="app" hidden>
    <nav role="tablist">
      <button type="button" role="tab" id="tab-broadcasts" data-panel="panel-broadcasts" aria-selected="true">Thông báo <small>Broadcasts</small></button>
      <button type="button" role="tab" id="tab-tasks" data-panel="panel-tasks" aria-selected="false">Nhiệm vụ <small>Tasks</small></button>
      <button type="button" role="tab" id="tab-links" data-panel="panel-links" aria-selected="false">Liên kết <small>Link codes</small></button>
    </nav>

    <section id="panel-broadcasts" role="tabpanel">
      <div class="card">
        <h2>Soạn thông báo <small>Compose a broadcast</small></h2>
        <form id="compose" autocomplete="off">
          <label class="field" for="b-title">Tiêu đề <small>Title</small></label>
          <input id="b-title" type="text" maxlength="200" required>
          <div class="grid2">
            <div>
              <label class="field" for="b-vi">Nội dung tiếng Việt <small>Text (vi), required</small></label>
              <textarea id="b-vi" required placeholder="**đậm**, *nghiêng*, [liên kết](https://…), - danh sách"></textarea>
            </div>
            <div>
              <label class="field" for="b-en">Nội dung tiếng Anh <small>Text (en), optional: falls back to vi</small></label>
              <textarea id="b-en"></textarea>
            </div>
          </div>
          <fieldset>
            <legend>Người nhận <small>Audience (empty = everyone in your scope)</small></legend>
            <div class="row"><span class="label">Vai trò <small>Roles</small></span>
        ${checkboxes("roles", ROLE_OPTIONS)}
            </div>
            <div class="row"><span class="label"><label for="b-units">Mã đơn vị <small>Unit codes</small></label></span>
              <input id="b-units" type="text" placeholder="PGD-VT, THPT-NguyenDu (cách nhau bởi dấu phẩy / comma-separated)" style="flex:1; width:auto">
            </div>
            <div class="row"><span class="label">Cấp học <small>Levels</small></span>
        ${checkboxes("levels", LEVEL_OPTIONS)}
            </div>
            <div class="row"><span class="label">Kênh <small>Channels</small></span>
        ${checkboxes("channels", CHANNEL_OPTIONS)}
            </div>
            <div class="row"><span class="label">Ngôn ngữ <small>Languages</small></span>
        ${checkboxes("locales", LOCALE_OPTIONS)}
            </div>
          </fieldset>
          <div class="grid2">
            <div>
              <label class="field" for="b-at">Thời điểm gửi (giờ Việt Nam) <small>Send at, Vietnam time; empty = now</small></label>
              <input id="b-at" type="datetime-local">
            </div>
            <div>
              <label class="field">&nbsp;</label>
              <label class="check"><input id="b-urgent" type="checkbox"> Khẩn — gửi cả trong giờ yên lặng <small>Urgent: ignores quiet hours</small></label>
            </div>
          </div>
          <div class="actions">
            <button id="b-preview" type="button">Xem trước <small>Preview</small></button>
            <button id="b-send" class="primary" type="button">Gửi <small>Send</small></button>
          </div>
        </form>
        <div id="preview" hidden>
          <h2 style="margin-top:16px">Xem trước <small>Preview</small></h2>
          <div id="preview-counts"></div>
          <div class="grid2">
            <div><strong>Tiếng Việt</strong> <small>Zalo / plain text</small><div id="preview-vi"></div></div>
            <div><strong>English</strong> <small>Zalo / plain text</small><div id="preview-en"></div></div>
          </div>
        </div>
      </div>

      <div class="card">
        <h2>Thông báo gần đây <small>Recent broadcasts</small></h2>
        <div class="actions" style="margin:0 0 8px"><button id="b-refresh" type="button" class="small">Làm mới <small>Refresh</small></button>
          <span id="b-auto" class="muted" hidden>Đang tự làm mới mỗi 5 giây <small>auto-refreshing every 5 s</small></span></div>
        <table>
          <thead><tr>
            <th>#</th><th>Tiêu đề <small>Title</small></th><th>Trạng thái <small>Status</small></th><th>Gửi lúc <small>Send at</small></th>
            <th class="num">Đã gửi <small>Sent</small></th><th class="num">Lỗi <small>Failed</small></th>
            <th class="num">Bỏ qua <small>Skipped</small></th><th class="num">Chờ <small>Queued</small></th><th></th>
          </tr></thead>
          <tbody id="b-list"></tbody>
        </table>
        <p id="b-empty" class="muted" hidden>Chưa có thông báo nào. <small>No broadcasts yet.</small></p>
      </div>
    </section>

    <section id="panel-tasks" role="tabpanel" hidden>
      <div class="card">
        <h2>Nhiệm vụ năm học <span id="t-year"></span> <small>School year tasks — click a late task to see who is late</small></h2>
        <div class="actions" style="margin:0 0 8px"><button id="t-refresh" type="button" class="small">Làm mới <small>Refresh</small></button></div>
        <table>
          <thead><tr>
            <th>Mục <small>Section</small></th><th>Nhiệm vụ <small>Task</small></th><th>Hạn <small>Due</small></th>
            <th class="num">Chưa xong <small>To do</small></th><th class="num">Đã xong <small>Done</small></th><th class="num">Không áp dụng <small>N/A</small></th>
          </tr></thead>
          <tbody id="t-list"></tbody>
        </table>
      </div>
      <div id="late" class="card" hidden>
        <h2 id="late-title"></h2>
        <p id="late-summary" class="muted"></p>
        <table id="late-table">
          <thead><tr><th>Mã đơn vị <small>Unit code</small></th><th>Tên đơn vị <small>Name</small></th><th>Phòng GD <small>Office</small></th></tr></thead>
          <tbody id="late-list"></tbody>
        </table>
      </div>
      <div class="card">
        <h2>Đổi hạn nộp <small>Change a due date</small></h2>
        <form id="due-form" autocomplete="off">
          <div class="grid2">
            <div>
              <label class="field" for="due-task">Nhiệm vụ <small>Task</small></label>
              <select id="due-task" required></select>
            </div>
            <div>
              <label class="field" for="due-date">Hạn mới <small>New due date</small></label>
              <input id="due-date" type="date">
            </div>
          </div>
          <div class="actions">
            <button class="primary" type="submit">Lưu hạn <small>Save date</small></button>
            <button id="due-clear" class="danger" type="button">Bỏ hạn <small>Remove the date</small></button>
          </div>
        </form>
      </div>
    </section>

    <section id="panel-links" role="tabpanel" hidden>
      <div class="card">
        <h2>Mã liên kết tài khoản chat <small>Link a person's chat</small></h2>
        <form id="link-form" autocomplete="off">
          <label class="field" for="link-ref">Mã cán bộ <small>Person's ref (from the people import)</small></label>
          <input id="link-ref" type="text" required maxlength="100" spellcheck="false">
          <div class="actions"><button class="primary" type="submit">Tạo mã <small>Create a code</small></button></div>
        </form>
        <div id="link-result" hidden>
          <p class="muted">Mã dùng một lần cho <strong id="link-who"></strong>, hết hạn <span id="link-expires"></span>
            <small>One-time code, valid 7 days</small></p>
          <div id="link-code" class="code"></div>
          <div class="actions" style="margin-top:0"><button id="link-copy" type="button" class="small">Sao chép <small>Copy</small></button></div>
          <p>Người nhận gửi <code id="link-command"></code> cho bot trên Telegram hoặc Zalo, hoặc mở liên kết:
            <small>The person sends this command to the bot, or opens the link:</small></p>
          <p id="link-telegram"></p>
        </div>
      </div>
    </section>
  </div>
</main>
<script src="/admin/console.js"></script>
</body>
</html>`;

// Plain ES5-style browser script; no template literals inside, and every backslash doubled for this string.
const script = `"use strict";
(function () {
  var TOKEN_KEY = "sogd-admin-token";
  var TZ = "Asia/Ho_Chi_Minh";
  var HANDLED = { handled: true };

  function byId(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  /** A Vietnamese label followed by its English in small text. */
  function bilingual(vi, en) {
    var span = el("span", "", vi);
    if (en) { span.appendChild(document.createTextNode(" ")); span.appendChild(el("small", "", en)); }
    return span;
  }

  // ---- alert area ----
  var alertBox = byId("alert");
  var alertText = byId("alert-text");
  function showAlert(kind, message) {
    alertBox.className = kind;
    alertText.textContent = message;
    alertBox.hidden = false;
  }
  function showError(message) { showAlert("error", message); }
  function showOk(message) { showAlert("ok", message); }
  function hideAlert() { alertBox.hidden = true; alertText.textContent = ""; }
  byId("alert-close").addEventListener("click", hideAlert);

  // ---- token and API ----
  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

  function api(method, path, body, wantBlob) {
    var headers = { "Authorization": "Bearer " + token(), "Accept": wantBlob ? "*/*" : "application/json" };
    var init = { method: method, headers: headers, cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      if (res.status === 401) {
        signOut("Mã truy cập không hợp lệ hoặc đã bị thu hồi. Vui lòng nhập lại. / The token is missing, invalid or revoked: paste it again.");
        throw HANDLED;
      }
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (b) {
          var message = b && typeof b.error === "string" ? b.error : "HTTP " + res.status;
          if (res.status === 403) message = "Không có quyền / Not allowed: " + message;
          throw new Error(message);
        });
      }
      return wantBlob ? res.blob() : res.json();
    }, function () {
      throw new Error("Không kết nối được máy chủ. / Could not reach the server.");
    });
  }
  function report(error) {
    if (error === HANDLED) return;
    showError(error && error.message ? error.message : String(error));
  }

  // ---- formatting ----
  var timeFormat = new Intl.DateTimeFormat("vi-VN", {
    timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false
  });
  function fmtTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : timeFormat.format(d);
  }
  function fmtDate(isoDate) {
    if (!isoDate) return "";
    var p = String(isoDate).split("-");
    return p.length === 3 ? p[2] + "/" + p[1] + "/" + p[0] : String(isoDate);
  }
  function todayVietnam() {
    var parts = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
    var get = function (type) {
      for (var i = 0; i < parts.length; i++) if (parts[i].type === type) return parts[i].value;
      return "";
    };
    return get("year") + "-" + get("month") + "-" + get("day");
  }
  function num(n) { return typeof n === "number" ? n.toLocaleString("vi-VN") : "0"; }

  var STATUS_LABELS = {
    scheduled: ["Đã lên lịch", "scheduled"],
    sending: ["Đang gửi", "sending"],
    done: ["Hoàn tất", "done"],
    cancelled: ["Đã huỷ", "cancelled"]
  };
  var REASON_LABELS = {
    not_subscribed: "chưa đăng ký nhận tin / not subscribed",
    unreachable: "không liên lạc được (đã chặn bot) / unreachable",
    no_push_channel: "web chat, không gửi chủ động được / web chat cannot be pushed to",
    outside_zalo_window: "ngoài thời hạn tư vấn Zalo / outside the Zalo window"
  };

  // ---- sign in / out ----
  var loginSection = byId("login");
  var appSection = byId("app");
  var logoutButton = byId("logout");
  var refreshTimer = null;
  var tasksLoaded = false;

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (refreshTimer) { clearTimeout(refreshTimer); refreshTimer = null; }
    tasksLoaded = false;
    clear(byId("b-list"));
    clear(byId("t-list"));
    byId("link-result").hidden = true;
    byId("late").hidden = true;
    appSection.hidden = true;
    logoutButton.hidden = true;
    loginSection.hidden = false;
    byId("token").value = "";
    byId("token").focus();
    if (message) showError(message); else hideAlert();
  }
  function signedIn() {
    loginSection.hidden = true;
    appSection.hidden = false;
    logoutButton.hidden = false;
    selectTab("panel-broadcasts");
    loadBroadcasts();
  }
  byId("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var value = byId("token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    byId("token").value = "";
    hideAlert();
    signedIn();
  });
  logoutButton.addEventListener("click", function () { signOut(null); });

  // ---- tabs ----
  var tabs = Array.prototype.slice.call(document.querySelectorAll("nav [role=tab]"));
  function selectTab(panelId) {
    tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-panel") === panelId;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      byId(tab.getAttribute("data-panel")).hidden = !on;
    });
    if (panelId === "panel-tasks" && !tasksLoaded) loadTasks();
    if (panelId === "panel-links") byId("link-ref").focus();
  }
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () { selectTab(tab.getAttribute("data-panel")); });
  });

  // ---- broadcasts: compose ----
  function checkedValues(name) {
    var boxes = document.querySelectorAll("#compose input[name=" + name + "]:checked");
    return Array.prototype.map.call(boxes, function (b) { return b.value; });
  }
  function composeInput() {
    var title = byId("b-title").value.trim();
    var vi = byId("b-vi").value.trim();
    var en = byId("b-en").value.trim();
    if (!title) throw new Error("Tiêu đề không được để trống. / The title is required.");
    if (!vi) throw new Error("Nội dung tiếng Việt không được để trống. / The Vietnamese text is required.");
    var audience = {};
    ["roles", "levels", "channels", "locales"].forEach(function (name) {
      var values = checkedValues(name);
      if (values.length) audience[name] = values;
    });
    var units = byId("b-units").value.split(/[,;]/).map(function (s) { return s.trim(); }).filter(function (s) { return s; });
    if (units.length) audience.units = units;
    var body = { title: title, text: { vi: vi }, audience: audience, urgent: byId("b-urgent").checked };
    if (en) body.text.en = en;
    // datetime-local gives "YYYY-MM-DDTHH:mm" with no offset; the API reads that as Vietnam time.
    var at = byId("b-at").value;
    if (at) body.sendAt = at;
    return body;
  }
  function renderedBlock(container, parts) {
    clear(container);
    if (!parts || !parts.length) { container.appendChild(el("p", "muted", "—")); return; }
    if (parts.length > 1) container.appendChild(el("small", "", parts.length + " tin nhắn / messages"));
    parts.forEach(function (text) { container.appendChild(el("pre", "", text)); });
  }
  function showPreview(p) {
    var box = byId("preview-counts");
    clear(box);
    var r = p.recipients || { total: 0, queued: 0, skipped: {} };
    var summary = el("p");
    summary.appendChild(el("strong", "", num(r.queued)));
    summary.appendChild(bilingual(" địa chỉ sẽ nhận", "addresses will receive it"));
    summary.appendChild(document.createTextNode(" · "));
    summary.appendChild(bilingual("khớp tổng cộng " + num(r.total), "matched in total"));
    box.appendChild(summary);
    var reasons = Object.keys(r.skipped || {});
    if (reasons.length) {
      box.appendChild(bilingual("Bỏ qua:", "skipped"));
      var ul = el("ul");
      reasons.forEach(function (reason) {
        ul.appendChild(el("li", "", num(r.skipped[reason]) + " — " + (REASON_LABELS[reason] || reason)));
      });
      box.appendChild(ul);
    }
    if (p.sendAt) {
      var when = el("p");
      when.appendChild(bilingual("Gửi lúc (giờ Việt Nam): ", "sends at, Vietnam time"));
      when.appendChild(document.createTextNode(" " + fmtTime(p.sendAt)));
      box.appendChild(when);
    }
    var zalo = (p.rendered && p.rendered.zalo) || {};
    renderedBlock(byId("preview-vi"), zalo.vi);
    renderedBlock(byId("preview-en"), zalo.en);
    byId("preview").hidden = false;
  }
  var previewButton = byId("b-preview");
  var sendButton = byId("b-send");
  previewButton.addEventListener("click", function () {
    var body;
    try { body = composeInput(); } catch (e) { report(e); return; }
    previewButton.disabled = true;
    api("POST", "/api/admin/broadcasts/preview", body).then(function (p) {
      hideAlert();
      showPreview(p);
    }).catch(report).then(function () { previewButton.disabled = false; });
  });
  sendButton.addEventListener("click", function () {
    var body;
    try { body = composeInput(); } catch (e) { report(e); return; }
    var when = body.sendAt ? body.sendAt.replace("T", " ") + " (giờ Việt Nam)" : "ngay bây giờ / now";
    if (!confirm("Gửi thông báo \\u201C" + body.title + "\\u201D?\\nThời điểm / When: " + when +
        (body.urgent ? "\\nKHẨN / URGENT" : "") + "\\n\\nXác nhận gửi? / Send it?")) return;
    sendButton.disabled = true;
    api("POST", "/api/admin/broadcasts", body).then(function (created) {
      showOk("Đã tạo thông báo #" + created.id + ": " + num(created.recipients) + " người nhận, trạng thái " +
        created.status + ". / Broadcast created.");
      byId("compose").reset();
      byId("preview").hidden = true;
      loadBroadcasts();
    }).catch(report).then(function () { sendButton.disabled = false; });
  });
  byId("compose").addEventListener("submit", function (e) { e.preventDefault(); });

  // ---- broadcasts: list ----
  function downloadCsv(id, button) {
    button.disabled = true;
    api("GET", "/api/admin/broadcasts/" + encodeURIComponent(id) + "/deliveries.csv", undefined, true).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = document.createElement("a");
      a.href = url;
      a.download = "broadcast-" + id + "-deliveries.csv";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }).catch(report).then(function () { button.disabled = false; });
  }
  function cancelBroadcast(b, button) {
    if (!confirm("Huỷ thông báo #" + b.id + " \\u201C" + b.title + "\\u201D? Những tin chưa gửi sẽ không được gửi. / Cancel what has not gone out?")) return;
    button.disabled = true;
    api("POST", "/api/admin/broadcasts/" + encodeURIComponent(b.id) + "/cancel", {}).then(function () {
      showOk("Đã huỷ thông báo #" + b.id + ". / Cancelled.");
      loadBroadcasts();
    }).catch(function (e) { button.disabled = false; report(e); });
  }
  function renderBroadcasts(list) {
    var tbody = byId("b-list");
    clear(tbody);
    byId("b-empty").hidden = list.length > 0;
    list.forEach(function (b) {
      var c = b.counts || {};
      var tr = el("tr");
      tr.appendChild(el("td", "", b.id));
      var title = el("td", "", b.title);
      if (b.urgent) { title.appendChild(document.createTextNode(" ")); title.appendChild(el("span", "status sending", "khẩn / urgent")); }
      title.appendChild(el("div", "muted", num(b.recipients) + " người nhận / recipients"));
      tr.appendChild(title);
      var st = el("td");
      var label = STATUS_LABELS[b.status] || [b.status, ""];
      var badge = el("span", "status " + b.status);
      badge.appendChild(bilingual(label[0], label[1]));
      st.appendChild(badge);
      tr.appendChild(st);
      tr.appendChild(el("td", "", fmtTime(b.sendAt)));
      tr.appendChild(el("td", "num", num(c.sent)));
      tr.appendChild(el("td", "num", num(c.failed)));
      var skipped = el("td", "num", num(c.skipped));
      var reasons = c.reasons ? Object.keys(c.reasons) : [];
      if (reasons.length) {
        skipped.title = reasons.map(function (k) { return (REASON_LABELS[k] || k) + ": " + c.reasons[k]; }).join("; ");
      }
      tr.appendChild(skipped);
      tr.appendChild(el("td", "num", num(c.queued)));
      var actions = el("td");
      if (b.status === "scheduled" || b.status === "sending") {
        var cancel = el("button", "small danger", "Huỷ / Cancel");
        cancel.type = "button";
        cancel.addEventListener("click", function () { cancelBroadcast(b, cancel); });
        actions.appendChild(cancel);
        actions.appendChild(document.createTextNode(" "));
      }
      var csv = el("button", "small", "deliveries.csv");
      csv.type = "button";
      csv.title = "Tải danh sách gửi / Download the per-recipient report";
      csv.addEventListener("click", function () { downloadCsv(b.id, csv); });
      actions.appendChild(csv);
      tr.appendChild(actions);
      tbody.appendChild(tr);
    });
  }
  function loadBroadcasts() {
    if (refreshTimer) { clearTimeout(refreshTimer); refreshTimer = null; }
    return api("GET", "/api/admin/broadcasts").then(function (r) {
      var list = (r && r.broadcasts) || [];
      renderBroadcasts(list);
      var sending = list.some(function (b) { return b.status === "sending"; });
      byId("b-auto").hidden = !sending;
      if (sending && token()) refreshTimer = setTimeout(loadBroadcasts, 5000);
    }).catch(report);
  }
  byId("b-refresh").addEventListener("click", function () { hideAlert(); loadBroadcasts(); });

  // ---- tasks ----
  var taskList = [];
  var selectedTaskId = null;
  function taskTitle(t) { return (t.section ? t.section + " · " : "") + ((t.title && t.title.vi) || t.key); }
  function renderTasks(year, list) {
    taskList = list;
    byId("t-year").textContent = year || "";
    var today = todayVietnam();
    var tbody = byId("t-list");
    clear(tbody);
    var select = byId("due-task");
    clear(select);
    list.forEach(function (t) {
      var s = t.statuses || {};
      var past = !!t.dueOn && t.dueOn < today;
      var tr = el("tr", past ? "clickable" : "");
      if (t.id === selectedTaskId) tr.className += " selected";
      tr.appendChild(el("td", "", t.section || ""));
      var name = el("td", "", (t.title && t.title.vi) || t.key);
      if (t.title && t.title.en) { name.appendChild(el("div", "en", t.title.en)); }
      tr.appendChild(name);
      var due = el("td", past ? "late" : "", t.dueOn ? fmtDate(t.dueOn) : "");
      if (!t.dueOn) due.appendChild(bilingual("chưa có hạn", "no date"));
      if (past) { due.appendChild(el("div", "", "quá hạn / past due")); }
      tr.appendChild(due);
      tr.appendChild(el("td", "num", num(s.todo)));
      tr.appendChild(el("td", "num", num(s.done)));
      tr.appendChild(el("td", "num", num(s.not_applicable)));
      tr.addEventListener("click", function () { pickTask(t, tr); if (past) loadLate(t); });
      if (past) {
        tr.tabIndex = 0;
        tr.title = "Xem đơn vị chưa hoàn thành / Show late units";
        tr.addEventListener("keydown", function (e) { if (e.key === "Enter") { pickTask(t, tr); loadLate(t); } });
      }
      tbody.appendChild(tr);
      var option = el("option", "", taskTitle(t) + (t.dueOn ? " — " + fmtDate(t.dueOn) : ""));
      option.value = String(t.id);
      select.appendChild(option);
    });
    if (selectedTaskId !== null) select.value = String(selectedTaskId);
    syncDueDate();
  }
  function pickTask(t, tr) {
    selectedTaskId = t.id;
    Array.prototype.forEach.call(byId("t-list").querySelectorAll("tr.selected"), function (row) { row.classList.remove("selected"); });
    tr.classList.add("selected");
    byId("due-task").value = String(t.id);
    syncDueDate();
  }
  function syncDueDate() {
    var id = Number(byId("due-task").value);
    var t = taskList.filter(function (x) { return x.id === id; })[0];
    byId("due-date").value = t && t.dueOn ? t.dueOn : "";
  }
  byId("due-task").addEventListener("change", function () { selectedTaskId = Number(byId("due-task").value); syncDueDate(); });
  function loadTasks() {
    return api("GET", "/api/admin/tasks").then(function (r) {
      tasksLoaded = true;
      renderTasks(r.year, r.tasks || []);
    }).catch(report);
  }
  function loadLate(t) {
    api("GET", "/api/admin/tasks/" + encodeURIComponent(t.id) + "/late").then(function (r) {
      var late = r.late || [];
      byId("late-title").textContent = "Đơn vị chưa hoàn thành / Units not done: " + taskTitle(t);
      byId("late-summary").textContent = "Hạn / Due " + fmtDate(r.dueOn) +
        (typeof r.daysLate === "number" ? " · trễ " + r.daysLate + " ngày / " + r.daysLate + " days late" : "") +
        " · " + late.length + " đơn vị / units";
      var tbody = byId("late-list");
      clear(tbody);
      late.forEach(function (u) {
        var tr = el("tr");
        tr.appendChild(el("td", "", u.code));
        tr.appendChild(el("td", "", u.name));
        tr.appendChild(el("td", "", u.office || ""));
        tbody.appendChild(tr);
      });
      byId("late-table").hidden = late.length === 0;
      if (!late.length) byId("late-summary").textContent += " — không có đơn vị nào trễ hạn / nobody is late";
      byId("late").hidden = false;
      byId("late").scrollIntoView({ behavior: "smooth", block: "start" });
    }).catch(report);
  }
  function saveDue(dueOn) {
    var id = byId("due-task").value;
    if (!id) { showError("Chọn một nhiệm vụ. / Choose a task."); return; }
    api("PATCH", "/api/admin/tasks/" + encodeURIComponent(id), { dueOn: dueOn }).then(function () {
      showOk(dueOn ? "Đã đổi hạn thành " + fmtDate(dueOn) + ". / Due date changed." : "Đã bỏ hạn. / Due date removed.");
      byId("late").hidden = true;
      return loadTasks();
    }).catch(report);
  }
  byId("due-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var value = byId("due-date").value;
    if (!value) { showError("Chọn ngày hạn mới. / Choose the new date."); return; }
    saveDue(value);
  });
  byId("due-clear").addEventListener("click", function () {
    if (confirm("Bỏ hạn của nhiệm vụ này? Nhắc nhở sẽ dừng. / Remove this task's date? Its reminders stop.")) saveDue(null);
  });
  byId("t-refresh").addEventListener("click", function () { hideAlert(); loadTasks(); });

  // ---- link codes ----
  byId("link-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var ref = byId("link-ref").value.trim();
    if (!ref) return;
    api("POST", "/api/admin/people/" + encodeURIComponent(ref) + "/link-code", {}).then(function (r) {
      hideAlert();
      byId("link-who").textContent = ref;
      byId("link-expires").textContent = fmtTime(r.expiresAt);
      byId("link-code").textContent = r.code;
      byId("link-command").textContent = "/link " + r.code;
      var p = byId("link-telegram");
      clear(p);
      if (typeof r.telegramLink === "string" && r.telegramLink.indexOf("https://t.me/") === 0) {
        var a = el("a", "", r.telegramLink);
        a.href = r.telegramLink;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        p.appendChild(a);
      } else {
        p.appendChild(bilingual("Chưa có liên kết Telegram (chưa biết tên bot).", "No Telegram link: the bot's username is not known yet."));
      }
      byId("link-result").hidden = false;
    }).catch(report);
  });
  byId("link-copy").addEventListener("click", function () {
    var code = byId("link-code").textContent;
    if (navigator.clipboard && code) {
      navigator.clipboard.writeText(code).then(function () { showOk("Đã sao chép mã. / Code copied."); }, function () {});
    }
  });

  // ---- start ----
  if (token()) signedIn(); else signOut(null);
})();
`;

export const consolePage = { html, script, csp: CONSOLE_CSP };

/** GET /admin (the page) and GET /admin/console.js (its script); the data comes from the admin API. */
export function consoleRoutes(): Router {
  const router = Router();
  const common = {
    "Content-Security-Policy": CONSOLE_CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  };
  router.get("/admin", (_req, res) => {
    res.type("html").set(common).send(html);
  });
  router.get("/admin/console.js", (_req, res) => {
    res.type("application/javascript").set(common).send(script);
  });
  return router;
}
