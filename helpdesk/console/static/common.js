/* Shared helpers for every console page: words, the JSON API with CSRF, DOM building, shortcuts guard. */
"use strict";

const Y = (() => {
  const data = JSON.parse(document.body.dataset.strings || "{}");

  function t(key) {
    return (data.t && data.t[key]) || key;
  }

  function label(group, code) {
    return (data.labels && data.labels[group] && data.labels[group][code]) || code;
  }

  function csrf() {
    const match = document.cookie.match(/(?:^|; )yorisoi_csrf=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") options.headers["X-CSRF-Token"] = csrf();
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    let json = null;
    if (response.status !== 204) {
      try { json = await response.json(); } catch (_e) { json = null; }
    }
    if (response.status === 401 && !path.endsWith("/auth/login")) {
      window.location.assign("/console/login");
    }
    if (!response.ok) {
      const error = new Error((json && json.message) || response.statusText);
      error.status = response.status;
      error.code = json && json.code;
      throw error;
    }
    return json;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  const timeZone = document.body.dataset.timezone || "Asia/Tokyo";
  const locale = document.documentElement.lang === "en" ? "en-GB" : "ja-JP";

  function clock(iso) {
    return new Date(iso).toLocaleTimeString(locale, { timeZone });
  }

  function dateTime(iso) {
    return new Date(iso).toLocaleString(locale, { timeZone });
  }

  let toastTimer = null;
  function toast(message) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.classList.add("shown");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => box.classList.remove("shown"), 4000);
  }

  function typing(event) {
    const target = event.target;
    return Boolean(target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)));
  }

  // Single-key shortcuts can be turned off (WCAG 2.1.4), remembered per staff member in this browser.
  const shortcutToggle = document.getElementById("shortcut-toggle");
  const shortcutKey = `yorisoi:${document.body.dataset.login}:shortcuts`;
  if (shortcutToggle) {
    shortcutToggle.checked = localStorage.getItem(shortcutKey) !== "0";
    shortcutToggle.addEventListener("change", () => localStorage.setItem(shortcutKey, shortcutToggle.checked ? "1" : "0"));
  }

  function shortcut(event) {
    const on = !shortcutToggle || shortcutToggle.checked;
    return on && !typing(event) && !event.ctrlKey && !event.metaKey && !event.altKey;
  }

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      try { await api("POST", "/api/v1/auth/logout"); } finally { window.location.assign("/console/login"); }
    });
  }

  // Why the kiosk offered help, in words; a signal this console does not know yet is still not shown as a code.
  function offer(signal) {
    return (data.labels && data.labels.offer && data.labels.offer[signal]) || t("esc.offer_other");
  }

  // A kiosk as staff know it: its name with its id ("入口の左（north-1）"), or the id when it has no name.
  const kioskNames = JSON.parse(document.body.dataset.kiosks || "{}");
  function kiosk(id) {
    return kioskNames[id] ? `${kioskNames[id]}（${id}）` : id;
  }

  return { t, label, offer, kiosk, api, el, duration, clock, dateTime, toast, shortcut, login: document.body.dataset.login, name: document.body.dataset.name };
})();
