/* Escalation view: context from /console/api, conversation by long-poll, actions through the public API. */
"use strict";

(() => {
  const id = document.body.dataset.escalation;
  const base = `/api/v1/escalations/${id}`;
  const alertBox = document.getElementById("alert");
  const replyText = document.getElementById("reply-text");
  const ENDED = ["resolved", "cancelled", "abandoned"];
  const state = { ctx: null, lastId: 0, base: Date.now(), filled: false };

  function showAlert(message) {
    alertBox.textContent = message;
    alertBox.hidden = !message;
  }

  function residentLang(language) {
    return language === "en" ? "en" : "ja";
  }

  // Elements carry the ids the kiosk gives them (data-element): clicking one rings it on the kiosk (the pointer).
  function pointable(element, tag, attrs, ...children) {
    return Y.el(tag, { ...attrs, "data-element": element, tabindex: "0", role: "button" }, ...children);
  }

  function renderScreen(ctx) {
    const box = document.getElementById("kiosk-screen");
    box.setAttribute("lang", residentLang(ctx.language));
    const s = ctx.screen;
    if (!s) {  // before a procedure was chosen, or a procedure this helpdesk's content does not have
      box.replaceChildren(Y.el("p", { class: "screen-title", lang: document.documentElement.lang,
        text: `${ctx.procedure_title} — ${ctx.step_title}` }));
      return;
    }
    const choices = s.choices.map((c, i) => Y.el("li", {}, pointable(s.choice_ids[i], "span", { class: "element", text: c })));
    const bar = s.bar.map((b) => pointable(b, "span", { class: "element bar", lang: document.documentElement.lang,
      text: Y.label("element", b) }));
    box.replaceChildren(...[
      Y.el("p", { class: "screen-where", lang: document.documentElement.lang, text: Y.label("where", s.where) }),
      Y.el("p", { class: "screen-title", text: s.title }),
      s.picture_url ? pointable("picture", "img", { src: s.picture_url, alt: "", class: "screen-picture element" }) : null,
      pointable("instruction", "p", { class: "screen-text element", text: s.instruction }),
      s.caution ? Y.el("p", { class: "screen-caution", text: `${Y.t("esc.caution")}: ${s.caution}` }) : null,
      s.question ? Y.el("p", { class: "screen-question", text: s.question }) : null,
      s.choices.length ? Y.el("ul", { class: "screen-choices" }, choices) : null,
      s.qr ? pointable("qr", "p", { class: "screen-qr element", text: `QR: ${s.qr}` }) : null,
      s.end ? Y.el("p", { class: "screen-end", text: s.end }) : null,
      s.action ? pointable(s.action, "p", { class: "element action", lang: document.documentElement.lang,
        text: Y.label("element", s.action) }) : null,
      Y.el("p", { class: "screen-bar" }, ...bar)].filter(Boolean));
  }

  async function point(target) {
    const element = target && target.closest("[data-element]");
    const ctx = state.ctx;
    if (!element || !ctx || !(ctx.holder && ctx.holder.me) || ctx.status !== "claimed") return;
    if (await act("/pointer", { element: element.dataset.element }, false)) {
      Y.toast(Y.t("esc.pointed") + element.textContent.trim());
    }
  }

  function fact(term, ...value) {
    return Y.el("div", { class: "fact" }, Y.el("dt", { text: term }), Y.el("dd", {}, ...value));
  }

  function holderText(ctx) {
    if (!ctx.holder) return Y.t("esc.nobody");
    return ctx.holder.me ? `${ctx.holder.name}（${Y.t("esc.you")}）` : ctx.holder.name;
  }

  function renderFacts(ctx) {
    const reason = ctx.offered
      ? [Y.el("span", { class: "badge offer", text: Y.t("esc.offered") }), ` ${Y.offer(ctx.offer_signal)}`]
      : [Y.label("reason", ctx.reason)];
    document.getElementById("facts").replaceChildren(
      fact(Y.t("queue.col_status"), Y.el("span", { class: `status ${ctx.status}`, text: Y.label("status", ctx.status) }),
        ctx.outcome ? ` — ${Y.label("outcome", ctx.outcome)}` : ""),
      fact(Y.t("esc.holder"), Y.el("strong", { id: "holder", text: holderText(ctx) })),
      fact(Y.t("esc.reason"), ...reason),
      fact(Y.t("esc.waited"), Y.el("span", { id: "waited", text: Y.duration(ctx.waited_s) })),
      fact(`${Y.t("queue.col_site")} / ${Y.t("queue.col_kiosk")}`, `${ctx.site_name} / ${Y.kiosk(ctx.kiosk_id)}`),
      fact(Y.t("queue.col_procedure"), `${ctx.procedure_title} — ${ctx.step_title}`),
      fact(Y.t("esc.language"), Y.label("language", ctx.language)),
      ...[contentFact(ctx.content)].filter(Boolean));
  }

  function contentFact(c) {
    if (!c || !c.version) return null;
    const notes = [];
    if (c.older) notes.push(Y.el("span", { class: "badge older", id: "content-older", text: Y.t("esc.content_older") }));
    if (!c.exact) notes.push(Y.el("span", { class: "badge", text: Y.t("esc.content_not_exact") }));
    return fact(Y.t("esc.content"), Y.el("code", { id: "content-version", text: c.version }), " ", ...notes);
  }

  function renderPath(ctx) {
    const steps = ctx.path.map((p) =>
      Y.el("li", {}, Y.el("span", { text: p.title }), " ", Y.el("span", { class: "secs", text: Y.duration(p.seconds) })));
    // No steps: help was asked before the first step of a procedure (on the start screen or the catalog).
    document.getElementById("path").replaceChildren(...(steps.length ? steps : [Y.el("li", { class: "none", text: Y.t("esc.path_empty") })]));
  }

  function fillChoices(ctx) {
    if (state.filled) return;
    state.filled = true;
    document.getElementById("step-select").replaceChildren(...ctx.steps.map((s) =>
      Y.el("option", { value: s.id, selected: s.id === ctx.step_id, text: s.title })));
    document.getElementById("transfer-select").replaceChildren(...ctx.colleagues.map((c) =>
      Y.el("option", { value: c.login, text: c.display_name })));
    document.getElementById("canned-list").replaceChildren(...ctx.canned.map((c) =>
      Y.el("button", { type: "button", class: "canned-reply", lang: residentLang(c.language),
        "data-language": c.language, onclick: () => { replyText.value = c.text; replyText.focus(); } },
      Y.el("span", { class: "tag", text: Y.label("language", c.language) }), ` ${c.text}`)));
  }

  function enableActions(ctx) {
    const mine = Boolean(ctx.holder && ctx.holder.me) && ctx.status === "claimed";
    const set = (selector, on) => document.querySelectorAll(selector).forEach((n) => { n.disabled = !on; });
    set("#claim-btn", ctx.status === "waiting");
    set("#coming-btn, #release-btn, #reply-form button, #reply-form textarea, #reply-form input, #step-form button, #resolve-form button", mine);
    document.getElementById("kiosk-screen").classList.toggle("pointing", mine);
    set("#transfer-form button", mine && ctx.colleagues.length > 0);
    if (ENDED.includes(ctx.status)) showAlert(Y.t("esc.ended"));
  }

  async function loadContext() {
    try {
      const ctx = await Y.api("GET", `/console/api/escalations/${id}`);
      state.ctx = ctx;
      state.base = Date.now();
      document.getElementById("esc-heading").textContent = `${Y.t("esc.title")}: ${ctx.procedure_title}`;
      renderScreen(ctx);
      renderFacts(ctx);
      renderPath(ctx);
      fillChoices(ctx);
      enableActions(ctx);
      window.dispatchEvent(new CustomEvent("yorisoi-context", { detail: ctx }));
      return ctx;
    } catch (e) {
      if (e.status === 404) showAlert(Y.t("esc.not_found"));
      return null;
    }
  }

  function messageText(m) {
    if (m.answer) {
      const to = m.answers ? `（${Y.t("esc.answers_to")}）` : "";
      return `${Y.t("esc.answered")}: ${Y.label("answer", m.answer)}${to}`;
    }
    if (m.question) return `${Y.t("esc.question")}: ${m.text}`;
    if (m.kind === "system") return Y.label("system", m.text);
    if (m.kind === "send-step") {
      const step = state.ctx && state.ctx.steps.find((s) => s.id === m.step_id);
      return `${Y.label("kind", "send-step")}: ${step ? step.title : m.step_id}`;
    }
    if (m.kind === "coming") return Y.label("kind", "coming");
    return m.text;
  }

  function addMessages(messages) {
    const list = document.getElementById("messages");
    for (const m of messages) {
      list.append(Y.el("li", { class: `msg ${m.sender}${m.answer ? " answer" : ""}` },
        Y.el("span", { class: "meta", text: `${Y.label("sender", m.sender)} ${Y.clock(m.created_at)}` }),
        Y.el("span", { class: "text", text: messageText(m) })));
    }
    list.scrollTop = list.scrollHeight;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function pollMessages() {
    for (;;) {
      try {
        const result = await Y.api("GET", `${base}/messages?after=${state.lastId}&wait=20`);
        for (const s of result.signals || []) window.dispatchEvent(new CustomEvent("yorisoi-signal", { detail: s }));
        state.lastId = Math.max(state.lastId, result.last_id);
        if (result.messages.length) {
          addMessages(result.messages);
          await loadContext();
        }
        if (ENDED.includes(result.status) && !result.messages.length) await sleep(10000);
      } catch (e) {
        if (e.status === 404) { showAlert(Y.t("esc.not_found")); return; }
        await sleep(2000);
      }
    }
  }

  async function act(path, body, reload = true) {
    showAlert("");
    try {
      await Y.api("POST", `${base}${path}`, body);
      if (reload) await loadContext();
      return true;
    } catch (e) {
      const ctx = await loadContext();
      if (e.code === "already-claimed") showAlert(Y.t("esc.lost_race") + (ctx && ctx.holder ? ctx.holder.name : ""));
      else if (e.code === "active-limit-reached") showAlert(Y.t("esc.limit"));
      else showAlert(Y.t("esc.error") + e.message);
      return false;
    }
  }

  const claim = () => act("/claim");
  const coming = () => act("/messages", { kind: "coming" });
  const release = () => act("/release");

  document.getElementById("claim-btn").addEventListener("click", claim);
  document.getElementById("coming-btn").addEventListener("click", coming);
  document.getElementById("release-btn").addEventListener("click", release);
  document.getElementById("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!replyText.value.trim()) return;
    const kind = document.getElementById("ask-yes-no").checked ? "question" : "text";
    if (await act("/messages", { kind, text: replyText.value })) {
      replyText.value = "";
      document.getElementById("ask-yes-no").checked = false;
    }
  });
  document.getElementById("step-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act("/messages", { kind: "send-step", step_id: document.getElementById("step-select").value });
  });
  document.getElementById("transfer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act("/transfer", { to_login: document.getElementById("transfer-select").value });
  });
  document.getElementById("resolve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act("/resolve", { outcome: document.getElementById("outcome-select").value });
  });

  const screenBox = document.getElementById("kiosk-screen");
  screenBox.addEventListener("click", (event) => point(event.target));
  screenBox.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); point(event.target); }
  });

  document.addEventListener("keydown", (event) => {
    if (!Y.shortcut(event)) return;
    const keys = { c: claim, m: coming, l: release, r: () => replyText.focus(),
      s: () => document.getElementById("step-select").focus(), t: () => document.getElementById("transfer-select").focus(),
      d: () => document.getElementById("outcome-select").focus(), q: () => window.location.assign("/console/queue"),
      "?": () => Y.toast(Y.t("esc.shortcuts")) };
    const action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  setInterval(() => {
    const waited = document.getElementById("waited");
    if (waited && state.ctx && !ENDED.includes(state.ctx.status)) {
      waited.textContent = Y.duration(state.ctx.waited_s + (Date.now() - state.base) / 1000);
    }
  }, 1000);
  loadContext().then((ctx) => { if (ctx) pollMessages(); });
})();
