/* Admin pages: sites, kiosks (keys shown once), staff accounts, canned replies — all through /console/api/admin. */
"use strict";

(() => {
  const section = document.body.dataset.section;
  const api = "/console/api/admin";
  const head = document.getElementById("admin-head");
  const body = document.getElementById("admin-body");
  const alertBox = document.getElementById("alert");
  const secret = document.getElementById("secret");
  const form = document.getElementById("add-form");
  let sites = [];

  function problem(e) {
    alertBox.textContent = Y.t("esc.error") + e.message;
    alertBox.hidden = false;
  }

  function showSecret(text, value) {
    secret.replaceChildren(Y.el("span", { text }), " ", Y.el("code", { id: "secret-value", text: value }));
    secret.hidden = false;
  }

  async function run(method, path, payload, after) {
    alertBox.hidden = true;
    try {
      const result = await Y.api(method, api + path, payload);
      if (after) after(result);
      Y.toast(Y.t("admin.done"));
      await refresh();
    } catch (e) {
      problem(e);
    }
  }

  function headings(...names) {
    head.replaceChildren(Y.el("tr", {}, names.map((n) => Y.el("th", { scope: "col", text: n }))));
  }

  function input(labelText, attrs) {
    return Y.el("input", { "aria-label": labelText, ...attrs });
  }

  function button(text, onclick, extra) {
    return Y.el("button", { type: "button", onclick, ...extra }, text);
  }

  function siteChecks(rowLabel, chosen) {
    return sites.map((s) => Y.el("label", { class: "check" },
      Y.el("input", { type: "checkbox", value: s.id, checked: chosen.includes(s.id), "aria-label": `${rowLabel} ${s.name}` }), ` ${s.name}`));
  }

  const renderers = {
    async sites() {
      headings(Y.t("admin.site_id"), Y.t("admin.name"), Y.t("admin.phone"), Y.t("admin.sla"), Y.t("admin.actions"));
      body.replaceChildren(...sites.map((s) => {
        const name = input(`${s.id} ${Y.t("admin.name")}`, { value: s.name, maxlength: 200 });
        const phone = input(`${s.id} ${Y.t("admin.phone")}`, { value: s.fallback_phone || "", maxlength: 40 });
        const sla = input(`${s.id} ${Y.t("admin.sla")}`, { type: "number", min: 1, max: 240, value: s.sla_minutes });
        const save = () => run("PUT", `/sites/${s.id}`,
          { name: name.value, fallback_phone: phone.value || null, sla_minutes: Number(sla.value) });
        return Y.el("tr", {}, Y.el("td", { text: s.id }), Y.el("td", {}, name), Y.el("td", {}, phone),
          Y.el("td", {}, sla), Y.el("td", {}, button(Y.t("admin.save"), save)));
      }));
    },
    async kiosks() {
      const { kiosks } = await Y.api("GET", `${api}/kiosks`);
      headings(Y.t("admin.kiosk_id"), Y.t("admin.site"), Y.t("queue.col_status"), Y.t("admin.last_seen"),
        Y.t("admin.version"), Y.t("admin.outbox"), Y.t("admin.voice"), Y.t("admin.actions"));
      body.replaceChildren(...kiosks.map((k) => {
        const status = k.revoked ? ["✕", Y.t("admin.revoked"), "revoked"] : k.online ? ["●", Y.t("admin.online"), "online"] : ["○", Y.t("admin.offline"), "offline"];
        const voice = k.voice_available === null || k.voice_available === undefined ? "—" : Y.t(k.voice_available ? "admin.voice_ok" : "admin.voice_off");
        const confirmRun = (path, after) => { if (window.confirm(`${k.id}: ${Y.t("admin.confirm")}`)) run("POST", path, undefined, after); };
        const site = sites.find((s) => s.id === k.site_id);
        return Y.el("tr", {}, Y.el("td", { text: k.name ? `${k.name}（${k.id}）` : k.id }), Y.el("td", { text: site ? site.name : k.site_id }),
          Y.el("td", { class: `kiosk-${status[2]}` }, Y.el("span", { "aria-hidden": "true", text: `${status[0]} ` }), status[1]),
          Y.el("td", { text: k.last_seen_at ? Y.dateTime(k.last_seen_at) : "—" }),
          Y.el("td", { text: k.kiosk_version || "—" }), Y.el("td", { text: k.outbox_length ?? "—" }), Y.el("td", { text: voice }),
          Y.el("td", {},
            button(Y.t("admin.rotate"), () => confirmRun(`/kiosks/${k.id}/rotate`, (r) => showSecret(`${k.id}: ${Y.t("admin.key_once")}`, r.key)), { "aria-label": `${k.id} ${Y.t("admin.rotate")}` }),
            " ",
            button(Y.t("admin.revoke"), () => confirmRun(`/kiosks/${k.id}/revoke`), { disabled: k.revoked, "aria-label": `${k.id} ${Y.t("admin.revoke")}` })));
      }));
    },
    async staff() {
      const { staff } = await Y.api("GET", `${api}/staff`);
      headings(Y.t("admin.login"), Y.t("admin.display_name"), Y.t("admin.role"), Y.t("admin.sites_of"), Y.t("admin.actions"));
      body.replaceChildren(...staff.map((m) => {
        const name = input(`${m.login} ${Y.t("admin.display_name")}`, { value: m.display_name, maxlength: 100 });
        const role = Y.el("select", { "aria-label": `${m.login} ${Y.t("admin.role")}` },
          ["staff", "trainer", "admin"].map((r) => Y.el("option", { value: r, selected: r === m.role, text: Y.label("role", r) })));
        const checks = Y.el("div", { class: "site-checks" }, siteChecks(m.login, m.site_ids));
        const save = () => run("PUT", `/staff/${encodeURIComponent(m.login)}`, { display_name: name.value, role: role.value,
          site_ids: [...checks.querySelectorAll("input:checked")].map((c) => c.value) });
        const reset = () => {
          if (window.confirm(`${m.login}: ${Y.t("admin.confirm")}`)) {
            run("POST", `/staff/${encodeURIComponent(m.login)}/reset-password`, undefined,
              (r) => showSecret(`${r.login}: ${Y.t("admin.password_once")}`, r.password));
          }
        };
        const disable = () => { if (window.confirm(`${m.login}: ${Y.t("admin.confirm")}`)) run("POST", `/staff/${encodeURIComponent(m.login)}/disable`); };
        return Y.el("tr", { class: m.disabled ? "disabled" : "" }, Y.el("td", { text: m.login }), Y.el("td", {}, name), Y.el("td", {}, role),
          Y.el("td", {}, checks),
          Y.el("td", {}, m.disabled ? Y.t("admin.disabled") : [button(Y.t("admin.save"), save, { "aria-label": `${m.login} ${Y.t("admin.save")}` }), " ",
            button(Y.t("admin.reset"), reset, { "aria-label": `${m.login} ${Y.t("admin.reset")}` }), " ",
            m.login === Y.login ? null : button(Y.t("admin.disable"), disable, { "aria-label": `${m.login} ${Y.t("admin.disable")}` })]));
      }));
    },
    async canned() {
      const { canned } = await Y.api("GET", `${api}/canned`);
      headings(Y.t("admin.language"), Y.t("admin.site"), Y.t("admin.text"), Y.t("admin.actions"));
      body.replaceChildren(...canned.map((c) => Y.el("tr", {}, Y.el("td", { text: Y.label("language", c.language) }),
        Y.el("td", { text: c.site_id ? (sites.find((s) => s.id === c.site_id) || { name: c.site_id }).name : Y.t("admin.all_sites") }), Y.el("td", { text: c.text, lang: c.language === "en" ? "en" : "ja" }),
        Y.el("td", {}, button(Y.t("admin.remove"), () => run("POST", `/canned/${c.id}/remove`), { "aria-label": `${Y.t("admin.remove")}: ${c.text}` })))));
    },
  };

  function fillSiteControls() {
    document.querySelectorAll(".site-select").forEach((select) => {
      const any = select.dataset.any ? [Y.el("option", { value: "", text: Y.t("admin.all_sites") })] : [];
      select.replaceChildren(...any, ...sites.map((s) => Y.el("option", { value: s.id, text: s.name })));
    });
    const checks = document.getElementById("f-sites");
    if (checks) checks.replaceChildren(checks.querySelector("legend") || "", ...siteChecks("", []));
  }

  async function refresh() {
    try {
      sites = (await Y.api("GET", `${api}/sites`)).sites;
      await renderers[section]();
      fillSiteControls();
    } catch (e) {
      problem(e);
    }
  }

  function formPayload() {
    const payload = {};
    for (const field of form.querySelectorAll("input[name], select[name]")) {
      payload[field.name] = field.type === "number" ? Number(field.value) : field.value;
    }
    if (section === "staff") payload.site_ids = [...form.querySelectorAll("#f-sites input:checked")].map((c) => c.value);
    if ("fallback_phone" in payload && !payload.fallback_phone) payload.fallback_phone = null;
    if (section === "canned" && !payload.site_id) payload.site_id = null;
    return payload;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const paths = { sites: "/sites", kiosks: "/kiosks", staff: "/staff", canned: "/canned" };
    run("POST", paths[section], formPayload(), (result) => {
      if (result.key) showSecret(`${result.kiosk_id}: ${Y.t("admin.key_once")}`, result.key);
      if (result.password) showSecret(`${result.login}: ${Y.t("admin.password_once")}`, result.password);
      form.reset();
    });
  });

  refresh();
})();
