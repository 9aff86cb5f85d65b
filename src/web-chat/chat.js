// The web chat page's script. Replies are inserted with textContent and DOM nodes only, never as markup.
// The identity is a secret the server issues (POST /api/chat/session), kept in localStorage and sent as
// `user`; when the server no longer knows it (401: forgotten or purged), the page asks for a new one.
"use strict";
(function () {
  var KEY = "chat-session";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var errorBox = document.getElementById("error");
  var SEND_FAILED = "Dạ, không gửi được tin nhắn. Anh/chị vui lòng thử lại. / The message could not be sent, please try again.";
  var TOO_MANY = "Dạ, có quá nhiều tin nhắn trong thời gian ngắn. Anh/chị vui lòng đợi một phút rồi thử lại. / Too many messages, please wait a minute.";
  localStorage.removeItem("chat-user"); // the old client-chosen identity is no longer accepted

  function appendText(el, text) {
    var parts = text.split(/(https?:\/\/[^\s]+)/g);
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
  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (json) { return { status: res.status, body: json }; });
    });
  }
  function session(renew) {
    var user = renew ? null : localStorage.getItem(KEY);
    if (user) return Promise.resolve(user);
    return postJson("/api/chat/session", {}).then(function (r) {
      if (r.status !== 201) throw r;
      localStorage.setItem(KEY, r.body.user);
      return r.body.user;
    });
  }
  function post(text, renew) {
    return session(renew).then(function (user) {
      return postJson("/api/chat", { user: user, text: text });
    }).then(function (r) {
      if (r.status === 401 && !renew) return post(text, true);
      return r;
    });
  }
  function send(text, shown) {
    errorBox.textContent = "";
    if (shown !== null) bubble(shown || text, "me");
    post(text, false).then(function (r) {
      if (r.status !== 200) throw r;
      r.body.replies.forEach(function (reply) { bubble(reply.text, "bot"); buttons(reply.buttons); });
    }).catch(function (r) {
      errorBox.textContent = r && r.status === 429 ? TOO_MANY : SEND_FAILED;
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
