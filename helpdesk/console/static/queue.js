/* Live queue: snapshot from /api/v1/queue; each Server-Sent Event carries the changed row, which is drawn, moved or
   removed on its own (a refetch only when the server's order is needed: a release, or a reset); waiting time ticks
   locally. */
"use strict";

(() => {
  const body = document.getElementById("queue-body");
  const empty = document.getElementById("queue-empty");
  const live = document.getElementById("live");
  const filter = document.getElementById("site-filter");
  const soundToggle = document.getElementById("sound-toggle");
  const notifyToggle = document.getElementById("notify-toggle");
  const prefix = `yorisoi:${Y.login}:`;
  const sites = {};
  for (const option of filter.options) {
    if (option.value) sites[option.value] = { name: option.textContent, sla: Number(option.dataset.sla) };
  }
  // offset: the server's clock minus this browser's (from the snapshot), to age rows that arrive in events.
  const state = { items: [], base: Date.now(), offset: 0, selected: 0, titles: {}, loading: false, again: false };
  let audio = null;

  function waited(item) {
    return item.waited_s + (Date.now() - state.base) / 1000;
  }

  function breached(item) {
    const site = sites[item.site_id];
    return item.status === "waiting" && (item.sla_breached || (site && waited(item) > site.sla * 60));
  }

  function reasonCell(reason) {
    if (reason.startsWith("offer:")) {
      return Y.el("td", {}, Y.el("span", { class: "badge offer", text: Y.t("esc.offered") }), " ", Y.offer(reason.slice(6)));
    }
    return Y.el("td", { text: Y.label("reason", reason) });
  }

  function holder(name) {
    const mine = name === Y.name;  // display names are what the queue carries; yours is marked
    return Y.el("span", { class: mine ? "holder mine" : "holder", text: mine ? ` ${name}（${Y.t("esc.you")}）` : ` ${name}` });
  }

  function row(item, index) {
    const procedure = state.titles[item.procedure_id] || { title: item.procedure_id, steps: {} };
    const late = breached(item);
    const statusCell = Y.el("td", {},
      late ? Y.el("span", { class: "icon-late", "aria-hidden": "true", text: "⚠ " }) : null,
      Y.el("span", { class: `status ${item.status}`, text: Y.label("status", item.status) }),
      late ? Y.el("span", { class: "visually-hidden", text: ` (${Y.t("queue.count_breached")})` }) : null,
      item.claimed_by ? holder(item.claimed_by) : null);
    const link = Y.el("a", { href: `/console/escalations/${item.id}`, class: "open" }, Y.t("queue.open"),
      Y.el("span", { class: "visually-hidden", text: ` ${item.kiosk_id} ${procedure.title}` }));
    return Y.el("tr", { "data-id": item.id, class: [late ? "late" : "", index === state.selected ? "selected" : ""].join(" ") },
      statusCell,
      Y.el("td", { class: "wait", text: Y.duration(waited(item)) }),
      Y.el("td", { text: (sites[item.site_id] || { name: item.site_id }).name }),
      Y.el("td", { text: Y.kiosk(item.kiosk_id) }),
      Y.el("td", { text: procedure.title }),
      Y.el("td", { text: procedure.steps[item.step_id] || item.step_id }),
      reasonCell(item.reason),
      Y.el("td", {}, link));
  }

  function render() {
    const hadFocus = body.contains(document.activeElement);
    body.replaceChildren(...state.items.map(row));
    if (hadFocus && body.children[state.selected]) body.children[state.selected].querySelector("a").focus();
    empty.hidden = state.items.length > 0;
    counts();
  }

  function counts() {
    const count = (test) => state.items.filter(test).length;
    document.getElementById("count-waiting").textContent = count((i) => i.status === "waiting");
    document.getElementById("count-claimed").textContent = count((i) => i.status === "claimed");
    document.getElementById("count-breached").textContent = count(breached);
  }

  function tick() {
    const rows = body.querySelectorAll("tr");
    state.items.forEach((item, index) => {
      const tr = rows[index];
      if (!tr) return;
      tr.querySelector(".wait").textContent = Y.duration(waited(item));
      if (breached(item) && !tr.classList.contains("late")) render();
    });
  }

  async function load() {
    if (state.loading) { state.again = true; return; }
    state.loading = true;
    try {
      const query = new URLSearchParams([["status", "waiting"], ["status", "claimed"]]);
      if (filter.value) query.append("site", filter.value);
      const view = await Y.api("GET", `/api/v1/queue?${query}`);
      state.items = view.items;
      state.base = Date.now();
      state.offset = Date.parse(view.generated_at) - state.base;
      state.selected = Math.min(state.selected, Math.max(0, state.items.length - 1));
      render();
    } catch (e) {
      Y.toast(Y.t("esc.error") + e.message);
    } finally {
      state.loading = false;
      if (state.again) { state.again = false; load(); }
    }
  }

  // A change from the stream, applied to its one row. False when only a refetch can place it.
  function apply(change) {
    const index = state.items.findIndex((item) => item.id === change.escalation_id);
    if (change.status !== "waiting" && change.status !== "claimed") {
      if (index >= 0) {
        state.items.splice(index, 1);
        body.children[index].remove();
      }
      return settle();
    }
    if (!change.row || change.action === "release") return false; // back in line: its place is the server's call
    const item = index >= 0
      ? { ...state.items[index], status: change.row.status, claimed_by: change.row.claimed_by }
      : fromEvent(change.row);
    if (index >= 0) {
      state.items.splice(index, 1);
      body.children[index].remove();
    }
    const at = place(item);
    state.items.splice(at, 0, item);
    body.insertBefore(row(item, at), body.children[at] || null);
    return settle();
  }

  function fromEvent(shown) {
    const waited = (state.base + state.offset - Date.parse(shown.created_at)) / 1000;
    return { ...shown, waited_s: waited, sla_breached: false };
  }

  // Where the server's order puts it: a new waiting row is the youngest in line; claimed rows go newest first.
  function place(item) {
    const created = Date.parse(item.created_at);
    const at = item.status === "waiting"
      ? state.items.findIndex((other) => other.status !== "waiting")
      : state.items.findIndex((other) => other.status !== "waiting" && Date.parse(other.created_at) < created);
    return at < 0 ? state.items.length : at;
  }

  function settle() {
    state.selected = Math.min(state.selected, Math.max(0, state.items.length - 1));
    [...body.children].forEach((tr, index) => tr.classList.toggle("selected", index === state.selected));
    empty.hidden = state.items.length > 0;
    counts();
    return true;
  }

  function beep() {
    if (!soundToggle.checked) return;
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  }

  function announce() {
    beep();
    if (notifyToggle.checked && "Notification" in window && Notification.permission === "granted") {
      const note = new Notification(Y.t("app.name"), { body: Y.t("queue.new"), tag: "yorisoi-new" });
      note.onclick = () => window.focus();
    }
  }

  function connect() {
    const stream = new EventSource("/api/v1/queue/stream");
    stream.addEventListener("open", () => { live.textContent = Y.t("queue.live"); live.className = "live on"; load(); });
    stream.addEventListener("error", () => {
      live.textContent = Y.t("queue.offline");
      live.className = "live off";
      Y.api("GET", "/api/v1/auth/me").catch(() => {}); // an ended session goes back to the login page
    });
    // The server could not replay what this page missed (away too long, or it fell behind): refetch everything.
    stream.addEventListener("reset", () => load());
    // The session ended, or the account was disabled or given another role or sites: start over (the login page).
    stream.addEventListener("ended", () => { stream.close(); window.location.reload(); });
    stream.addEventListener("queue", (event) => {
      const change = JSON.parse(event.data);
      if (filter.value && change.site_id !== filter.value) return;
      if (change.action === "message") return; // a message changes nothing the queue shows
      if (change.action === "create") announce();
      if (state.loading) state.again = true; // the snapshot on its way may predate this change: fetch once more
      if (!apply(change)) load();
    });
  }

  function setting(toggle, name) {
    toggle.checked = localStorage.getItem(prefix + name) === "1";
    toggle.addEventListener("change", () => {
      localStorage.setItem(prefix + name, toggle.checked ? "1" : "0");
      if (name === "notify" && toggle.checked && "Notification" in window) Notification.requestPermission();
      if (name === "sound" && toggle.checked) audio = audio || new AudioContext();
    });
  }

  function select(index) {
    if (!state.items.length) return;
    state.selected = (index + state.items.length) % state.items.length;
    render();
    body.children[state.selected].querySelector("a").focus();
  }

  async function claimSelected() {
    const item = state.items[state.selected];
    if (!item) return;
    try {
      await Y.api("POST", `/api/v1/escalations/${item.id}/claim`);
      window.location.assign(`/console/escalations/${item.id}`);
    } catch (e) {
      if (e.code === "already-claimed") {
        const now = await Y.api("GET", `/api/v1/escalations/${item.id}`).catch(() => ({}));
        Y.toast(Y.t("esc.lost_race") + (now.claimed_by || ""));
      } else {
        Y.toast(Y.t("esc.error") + e.message);
      }
      load();
    }
  }

  document.addEventListener("keydown", (event) => {
    if (!Y.shortcut(event)) return;
    const keys = { j: () => select(state.selected + 1), ArrowDown: () => select(state.selected + 1),
      k: () => select(state.selected - 1), ArrowUp: () => select(state.selected - 1),
      c: claimSelected, "/": () => filter.focus(), "?": () => Y.toast(Y.t("queue.shortcuts")) };
    const action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });
  body.addEventListener("focusin", (event) => {
    const tr = event.target.closest("tr");
    if (tr) state.selected = [...body.children].indexOf(tr);
  });

  filter.addEventListener("change", load);
  setting(soundToggle, "sound");
  setting(notifyToggle, "notify");
  Y.api("GET", "/console/api/titles").then((titles) => { state.titles = titles; render(); }).catch(() => {});
  load();
  connect();
  setInterval(tick, 500);
})();
