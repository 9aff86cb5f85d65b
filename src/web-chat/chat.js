// The web chat page's script. Replies are inserted with textContent and DOM nodes only, never as markup.
// The identity is a secret the server issues (POST /api/chat/session), kept in localStorage and sent as
// `user`; when the server no longer knows it (401: forgotten or purged), the page asks for a new one.
// The page's own words come from GET /api/chat/strings (locales/<lng>/translation.json, `web.*`) and follow
// the `locale` of the latest reply, so a conversation switched to English gets an English page.
// Staff answers to a hand-off cannot be pushed to a browser: the page asks GET /api/chat/messages at load
// (a returning browser gets what came while it was away) and every 5 s while it is shown.
"use strict";
(function () {
  var KEY = "chat-session";
  var AFTER_KEY = "chat-staff-after"; // the last staff answer shown
  var POLL_MS = 5000;
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var errorBox = document.getElementById("error");
  // Used only when even the strings could not be fetched (the network is down from the start).
  var OFFLINE = "Dạ, không gửi được tin nhắn. Anh/chị vui lòng thử lại ạ. / The message could not be sent, please try again.";
  var strings = null;
  var locale = document.documentElement.lang || "vi";
  localStorage.removeItem("chat-user"); // the old client-chosen identity is no longer accepted

  function say(key) {
    return strings && strings[locale] && strings[locale][key] ? strings[locale][key] : OFFLINE;
  }
  function setText(id, key) {
    var el = document.getElementById(id);
    if (el && strings && strings[locale] && strings[locale][key]) el.textContent = strings[locale][key];
  }
  function applyLocale(next) {
    if (next !== "vi" && next !== "en") return;
    locale = next;
    document.documentElement.lang = next;
    if (!strings || !strings[locale]) return;
    setText("title", "title");
    setText("subtitle", "subtitle");
    setText("text-label", "label");
    setText("send", "send");
    input.placeholder = strings[locale].placeholder;
  }

  // A link stops before punctuation that ends the sentence: "http://vnedu.vn." links http://vnedu.vn.
  // A closing bracket stays when the address opened one, as in a Wikipedia title.
  var URL_PATTERN = /https?:\/\/[^\s<>"'“”‘’]+/g;
  var TRAILING = /[.,;:!?…)\]]$/;
  function count(text, ch) {
    return text.split(ch).length - 1;
  }
  function trimUrl(url) {
    while (TRAILING.test(url)) {
      var last = url.charAt(url.length - 1);
      if (last === ")" && count(url, "(") >= count(url, ")")) break;
      url = url.slice(0, -1);
    }
    return url;
  }
  function appendText(el, text) {
    var at = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var url = trimUrl(match[0]);
      if (!/^https?:\/\/[^/?#]+/.test(url)) continue;
      if (match.index > at) el.appendChild(document.createTextNode(text.slice(at, match.index)));
      var a = document.createElement("a");
      a.href = url; a.textContent = url; a.target = "_blank"; a.rel = "noopener noreferrer";
      el.appendChild(a);
      at = match.index + url.length;
      URL_PATTERN.lastIndex = at;
    }
    if (at < text.length) el.appendChild(document.createTextNode(text.slice(at)));
  }
  // The log stays at its end while the person is there, also when it shrinks (an error line, the phone's
  // keyboard); once they scroll up to read, it leaves them where they are.
  var atEnd = true;
  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }
  log.addEventListener("scroll", function () {
    atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  });
  if (window.ResizeObserver) new ResizeObserver(function () { if (atEnd) scrollToEnd(); }).observe(log);
  // An answer taller than the screen is shown from its beginning, as a person reads it.
  function showFromStart(el) {
    scrollToEnd();
    var above = el.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    if (above < 0) log.scrollTop += above;
  }
  function bubble(text, who) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    appendText(div, text);
    log.appendChild(div);
    scrollToEnd();
    return div;
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
    scrollToEnd();
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
  function loadStrings() {
    return fetch("/api/chat/strings").then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (json) {
      strings = json;
      applyLocale(locale);
    }, function () { /* the page keeps its Vietnamese markup */ });
  }
  function session(renew) {
    var user = renew ? null : localStorage.getItem(KEY);
    if (user) return Promise.resolve(user);
    return postJson("/api/chat/session", {}).then(function (r) {
      if (r.status !== 201) throw r;
      localStorage.setItem(KEY, r.body.user);
      localStorage.removeItem(AFTER_KEY);
      return r.body.user;
    });
  }
  function post(text, renew) {
    return session(renew).then(function (user) {
      return postJson("/api/chat", { user: user, text: text });
    }).then(function (r) {
      if (r.status === 401 && !renew) {
        return post(text, true).then(function (again) { again.renewed = true; return again; });
      }
      return r;
    });
  }
  function send(text, shown) {
    errorBox.textContent = "";
    if (shown !== null) bubble(shown || text, "me");
    return post(text, false).then(function (r) {
      if (r.status !== 200) throw r;
      applyLocale(r.body.locale);
      var first = r.renewed ? bubble(say("session_renewed"), "bot") : null;
      r.body.replies.forEach(function (reply) {
        var shownReply = bubble(reply.text, "bot");
        first = first || shownReply;
        buttons(reply.buttons);
      });
      if (first) showFromStart(first);
    }).catch(function (r) {
      errorBox.textContent = say(r && r.status === 429 ? "rate_limited" : "error");
      // What the person typed comes back into the box, so "send it again" is one tap.
      if (shown === undefined && !input.value) input.value = text;
      scrollToEnd();
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  function staffBubble(text) {
    var div = bubble("", "staff");
    var who = document.createElement("div");
    who.className = "who";
    who.textContent = say("staff");
    div.insertBefore(who, div.firstChild);
    appendText(div, text);
    scrollToEnd();
  }
  var polling = false;
  function poll() {
    var user = localStorage.getItem(KEY);
    if (!user || polling) return Promise.resolve();
    polling = true;
    var after = localStorage.getItem(AFTER_KEY) || "0";
    return fetch("/api/chat/messages?user=" + encodeURIComponent(user) + "&after=" + encodeURIComponent(after))
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (!body || localStorage.getItem(KEY) !== user) return;
        body.messages.forEach(function (m) { staffBubble(m.text); });
        localStorage.setItem(AFTER_KEY, String(body.cursor));
      }, function () { /* offline: the next round asks again */ })
      .then(function () { polling = false; });
  }
  // The greeting opens the conversation; the person did not type it, so it shows no bubble of theirs.
  loadStrings().then(function () { send("/start", null); }).then(poll);
  setInterval(function () { if (!document.hidden) poll(); }, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
})();
