/**
 * The web chat page served at GET /. Static and self-contained: every reply is inserted with textContent
 * (never innerHTML), URLs become links through DOM nodes, and a strict CSP forbids inline scripts.
 */

const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trợ lý Sở GDĐT · Education Department Assistant</title>
<style>
  :root { --blue: #0b5cad; --bg: #f3f6fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; background: var(--bg); color: #1b2430; }
  header { background: var(--blue); color: #fff; padding: 14px 18px; }
  header h1 { margin: 0; font-size: 1.15rem; }
  header p { margin: 2px 0 0; font-size: .88rem; opacity: .9; }
  main { max-width: 760px; margin: 0 auto; display: flex; flex-direction: column; height: calc(100vh - 64px); }
  #log { flex: 1; overflow-y: auto; padding: 16px; }
  .msg { max-width: 85%; margin: 8px 0; padding: 10px 13px; border-radius: 14px; white-space: pre-wrap; word-wrap: break-word; }
  .me { margin-left: auto; width: fit-content; background: var(--blue); color: #fff; border-bottom-right-radius: 4px; }
  .bot { background: #fff; border: 1px solid #dde3ea; border-bottom-left-radius: 4px; }
  .bot a { color: var(--blue); }
  .buttons { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 10px; }
  .buttons button { border: 1px solid var(--blue); background: #fff; color: var(--blue); border-radius: 16px; padding: 5px 12px; font-size: .9rem; cursor: pointer; }
  .buttons button:hover { background: #e8f1fb; }
  form { display: flex; gap: 8px; padding: 12px 16px; background: #fff; border-top: 1px solid #dde3ea; }
  input { flex: 1; font: inherit; padding: 10px 12px; border: 1px solid #c5cfdb; border-radius: 10px; }
  form button { font: inherit; padding: 10px 18px; border: 0; border-radius: 10px; background: var(--blue); color: #fff; cursor: pointer; }
  .error { color: #a61b1b; font-size: .9rem; padding: 0 16px; }
</style>
</head>
<body>
<header><h1>Trợ lý Sở Giáo dục và Đào tạo</h1><p>Hỏi đáp dịch vụ công trực tuyến, VnEdu, tra cứu điểm thi, văn bằng · Ask in Vietnamese or English</p></header>
<main>
  <div id="log" aria-live="polite"></div>
  <div id="error" class="error" role="alert"></div>
  <form id="form" autocomplete="off">
    <input id="text" maxlength="2000" placeholder="Nhập câu hỏi… / Type your question…" aria-label="Câu hỏi" required>
    <button type="submit">Gửi</button>
  </form>
</main>
<script src="/chat.js"></script>
</body>
</html>`;

const script = `"use strict";
(function () {
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var errorBox = document.getElementById("error");
  var user = localStorage.getItem("chat-user");
  if (!user) {
    user = "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem("chat-user", user);
  }
  function appendText(el, text) {
    var parts = text.split(/(https?:\\/\\/[^\\s]+)/g);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener noreferrer";
        el.appendChild(a);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
  }
  function bubble(text, who) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    appendText(div, text);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function buttons(list) {
    if (!list || !list.length) return;
    var row = document.createElement("div");
    row.className = "buttons";
    list.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.label;
      btn.addEventListener("click", function () { send(b.payload, b.label); });
      row.appendChild(btn);
    });
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }
  function send(text, shown) {
    errorBox.textContent = "";
    if (shown !== null) bubble(shown || text, "me");
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: user, text: text })
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      if (!r.ok) { errorBox.textContent = r.body.error || "Error"; return; }
      r.body.replies.forEach(function (reply) { bubble(reply.text, "bot"); buttons(reply.buttons); });
    }).catch(function () {
      errorBox.textContent = "Không gửi được tin nhắn. Vui lòng thử lại. / The message could not be sent.";
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  // The greeting opens the conversation; the person did not type it, so it shows no bubble of theirs.
  send("/start", null);
})();
`;

export const chatPage = {
  html,
  script,
  csp: "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};
