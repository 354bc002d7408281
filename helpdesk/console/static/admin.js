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
      const result = await Y.api(method, path.startsWith("/console/") ? path : api + path, payload);
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
      const contentCell = (c) => Y.el("td", { class: "kiosk-content" },
        Y.el("code", { text: c.running ? c.running.slice(0, 12) : "—" }),
        c.behind ? Y.el("span", { class: "badge older", text: ` ${Y.t("admin.content_behind")} → ${c.desired.slice(0, 12)}` }) : null,
        ...(c.refused || []).map((r) => Y.el("div", { class: "badge offer", text: `${Y.t("admin.content_refused")} ${r.version.slice(0, 12)}: ${r.code}` })));
      const { kiosks } = await Y.api("GET", `${api}/kiosks`);
      headings(Y.t("admin.kiosk_id"), Y.t("admin.site"), Y.t("queue.col_status"), Y.t("admin.last_seen"),
        Y.t("admin.version"), Y.t("admin.content"), Y.t("admin.outbox"), Y.t("admin.voice"), Y.t("admin.actions"));
      body.replaceChildren(...kiosks.map((k) => {
        const status = k.revoked ? ["✕", Y.t("admin.revoked"), "revoked"] : k.online ? ["●", Y.t("admin.online"), "online"] : ["○", Y.t("admin.offline"), "offline"];
        const voice = k.voice_available === null || k.voice_available === undefined ? "—" : Y.t(k.voice_available ? "admin.voice_ok" : "admin.voice_off");
        const confirmRun = (path, after) => { if (window.confirm(`${k.id}: ${Y.t("admin.confirm")}`)) run("POST", path, undefined, after); };
        const site = sites.find((s) => s.id === k.site_id);
        return Y.el("tr", {}, Y.el("td", { text: k.name ? `${k.name}（${k.id}）` : k.id }), Y.el("td", { text: site ? site.name : k.site_id }),
          Y.el("td", { class: `kiosk-${status[2]}` }, Y.el("span", { "aria-hidden": "true", text: `${status[0]} ` }), status[1]),
          Y.el("td", { text: k.last_seen_at ? Y.dateTime(k.last_seen_at) : "—" }),
          Y.el("td", { text: k.kiosk_version || "—" }), contentCell(k.content),
          Y.el("td", { text: k.outbox_length ?? "—" }), Y.el("td", { text: voice }),
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
          ["staff", "trainer", "admin", "editor"].map((r) => Y.el("option", { value: r, selected: r === m.role, text: Y.label("role", r) })));
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

  renderers.settings = async () => {
    const select = document.getElementById("f-settings-site");
    if (!select.options.length) select.replaceChildren(...sites.map((s) => Y.el("option", { value: s.id, text: s.name })));
    const siteId = select.value;
    const found = await Y.api("GET", `/console/api/content/sites/${siteId}/settings`);
    document.getElementById("settings-empty").textContent = `${Y.t("admin.empty_count")}${found.empty}`;
    headings(Y.t("admin.setting"), Y.t("admin.description"), Y.t("admin.needed_by"), Y.t("admin.value"), Y.t("admin.actions"));
    body.replaceChildren(...found.settings.map((r) => {
      const value = input(`${r.name} ${Y.t("admin.value")}`, { value: r.value, maxlength: 500, placeholder: r.example || "", class: "wide" });
      const save = () => run("PUT", `/console/api/content/sites/${siteId}/settings`, { values: { [r.name]: value.value } });
      return Y.el("tr", { class: r.empty ? "setting-empty" : "" },
        Y.el("td", {}, Y.el("code", { text: r.name }), r.empty ? Y.el("span", { class: "badge older", text: ` ${Y.t("admin.empty")}` }) : null),
        Y.el("td", { text: r.description }), Y.el("td", { text: r.procedures.join(", ") }), Y.el("td", {}, value),
        Y.el("td", {}, button(Y.t("admin.save"), save, { "aria-label": `${r.name} ${Y.t("admin.save")}` })));
    }));
  };

  renderers.versions = async () => {
    const { versions } = await Y.api("GET", "/console/api/content/versions");
    headings(Y.t("admin.version"), Y.t("admin.published_at"), Y.t("admin.published_by"), Y.t("admin.note"),
      Y.t("admin.warnings"), Y.t("admin.running_at"), Y.t("admin.actions"));
    body.replaceChildren(...versions.map((v) => {
      const short = v.version.slice(0, 12);
      const where = Y.el("select", { "aria-label": `${short} ${Y.t("admin.site")}` },
        Y.el("option", { value: "", text: Y.t("admin.all_sites") }), ...sites.map((s) => Y.el("option", { value: s.id, text: s.name })));
      const go = () => {
        if (window.confirm(`${short}: ${Y.t("admin.confirm")}`)) {
          run("POST", "/console/api/content/rollout", { version: v.version, site_id: where.value || null, note: "admin page" });
        }
      };
      const running = v.sites.map((id) => (sites.find((s) => s.id === id) || { name: id }).name).join(", ");
      return Y.el("tr", { "data-version": v.version }, Y.el("td", {}, Y.el("code", { text: short })),
        Y.el("td", { text: Y.dateTime(v.published_at) }), Y.el("td", { text: v.published_by }), Y.el("td", { text: v.note }),
        Y.el("td", { text: String((v.lint.warnings || []).length) }), Y.el("td", { class: "running", text: running || "—" }),
        Y.el("td", {}, where, " ", button(Y.t("admin.rollout"), go, { "aria-label": `${short} ${Y.t("admin.rollout")}` })));
    }));
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
    if (section === "settings") {
      refresh();
      return;
    }
    const paths = { sites: "/sites", kiosks: "/kiosks", staff: "/staff", canned: "/canned" };
    run("POST", paths[section], formPayload(), (result) => {
      if (result.key) showSecret(`${result.kiosk_id}: ${Y.t("admin.key_once")}`, result.key);
      if (result.password) showSecret(`${result.login}: ${Y.t("admin.password_once")}`, result.password);
      form.reset();
    });
  });

  refresh();
})();
