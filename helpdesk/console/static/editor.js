/* Content editor: drafts, step texts side by side, graph, length meter, inline lint, preview, publish, diff. */
"use strict";

(() => {
  const base = "/console/api/content";
  const langs = ["ja", "ja-easy", "en"];
  const state = { draft: null, outline: null, procedure: null, step: null, report: null };
  const $ = (id) => document.getElementById(id);

  function problem(e) {
    $("alert").textContent = Y.t("esc.error") + e.message;
    $("alert").hidden = false;
  }

  async function guarded(work) {
    $("alert").hidden = true;
    try { await work(); } catch (e) { problem(e); }
  }

  function renderGraph() {
    const p = state.outline.procedures.find((x) => x.id === state.procedure);
    const edges = (state.report && state.report.graph) ? state.report.graph.edges : [];
    $("graph").replaceChildren(...p.steps.map((s) => {
      const out = edges.filter((e) => e.from === s.id).map((e) =>
        Y.el("span", { class: e.known ? "edge" : "edge broken", text: ` → ${e.to}` }));
      return Y.el("li", {}, Y.el("button", { type: "button", class: s.id === state.step ? "link current" : "link",
        onclick: () => guarded(() => openStep(s.id)) }, s.title), ...out);
    }));
  }

  function renderReport() {
    const r = state.report;
    for (const lang of langs) {
      for (const field of ["title", "instruction", "caution"]) {
        $(`${field}-${lang}`).value = (r.texts[field] || {})[lang] || "";
      }
      const m = r.meter[lang];
      if (m) {
        $(`meter-${lang}`).value = Math.min(1, m.needed / m.available);
        $(`meter-text-${lang}`).textContent = `${m.needed} / ${m.available}px ${m.fits ? "" : Y.t("ed.too_long")}`;
        $(`meter-text-${lang}`).className = m.fits ? "hint" : "hint over";
      }
    }
    $("problems").replaceChildren(...(r.problems.length ? r.problems.map((p) => Y.el("li", { class: p.startsWith("ERROR") ? "error" : "", text: p }))
      : [Y.el("li", { class: "ok", text: Y.t("ed.no_problems") })]));
    renderPreview();
    renderGraph();
  }

  function renderPreview() {
    const s = state.report.preview[$("preview-lang").value];
    if (!s) { $("preview").replaceChildren(); return; }
    $("preview").replaceChildren(...[
      Y.el("p", { class: "screen-title", text: s.title }),
      s.picture_url ? Y.el("img", { src: s.picture_url, alt: "", class: "screen-picture" }) : null,
      Y.el("p", { class: "screen-text", text: s.instruction }),
      s.caution ? Y.el("p", { class: "screen-caution", text: s.caution }) : null,
      s.question ? Y.el("p", { class: "screen-question", text: s.question }) : null,
      s.choices.length ? Y.el("ul", { class: "screen-choices" }, s.choices.map((c) => Y.el("li", { text: c }))) : null,
      s.end ? Y.el("p", { class: "screen-end", text: s.end }) : null].filter(Boolean));
  }

  async function openStep(stepId) {
    state.step = stepId;
    const asked = `${state.procedure}/${stepId}`;
    const report = await Y.api("GET", `${base}/drafts/${state.draft}/steps/${asked}`);
    if (asked !== `${state.procedure}/${state.step}`) return;  // another step was chosen meanwhile
    state.report = report;
    $("step-name").textContent = stepId;
    renderReport();
  }

  async function openDraft(id) {
    state.draft = id;
    state.outline = await Y.api("GET", `${base}/drafts/${id}`);
    $("draft-name").textContent = `${Y.t("ed.draft")} #${id}`;
    $("procedure-select").replaceChildren(...state.outline.procedures.map((p) => Y.el("option", { value: p.id, text: p.title })));
    $("editor").hidden = false;
    state.procedure = state.outline.procedures[0].id;
    await openStep(state.outline.procedures[0].steps[0].id);
  }

  async function save() {
    const texts = { title: {}, instruction: {}, caution: {} };
    for (const lang of langs) {
      for (const field of Object.keys(texts)) texts[field][lang] = $(`${field}-${lang}`).value;
    }
    state.report = await Y.api("PUT", `${base}/drafts/${state.draft}/steps/${state.procedure}/${state.step}`, { texts });
    renderReport();
    Y.toast(Y.t("admin.done"));
  }

  async function init() {
    const { versions } = await Y.api("GET", `${base}/versions`);
    $("base-select").replaceChildren(Y.el("option", { value: "", text: Y.t("ed.shipped") }),
      ...versions.map((v) => Y.el("option", { value: v.version, text: `${v.version.slice(0, 12)} ${v.note}` })));
    const role = document.body.dataset.role;
    const sites = JSON.parse(document.body.dataset.sites || "[]");
    $("publish-site").replaceChildren(...(role === "admin" ? [Y.el("option", { value: "", text: Y.t("admin.all_sites") })] : []),
      ...sites.map((s) => Y.el("option", { value: s.id, text: s.name })));
    const wanted = new URLSearchParams(window.location.search).get("draft");
    if (wanted) await openDraft(Number(wanted));
  }

  $("draft-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(async () => {
      const { id } = await Y.api("POST", `${base}/drafts`, { base_version: $("base-select").value || null });
      history.replaceState(null, "", `?draft=${id}`);
      await openDraft(id);
    });
  });
  $("procedure-select").addEventListener("change", () => guarded(async () => {
    state.procedure = $("procedure-select").value;
    const p = state.outline.procedures.find((x) => x.id === state.procedure);
    await openStep(p.steps[0].id);
  }));
  $("save-step").addEventListener("click", () => guarded(save));
  $("preview-lang").addEventListener("change", renderPreview);
  $("preview-size").addEventListener("change", () => { $("preview").dataset.size = $("preview-size").value; });
  $("picture-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(async () => {
      const file = $("picture-file").files[0];
      if (!file) return;
      const response = await fetch(`${base}/drafts/${state.draft}/pictures?name=${encodeURIComponent(file.name.toLowerCase())}`, {
        method: "POST", credentials: "same-origin", body: await file.arrayBuffer(),
        headers: { "X-CSRF-Token": decodeURIComponent((document.cookie.match(/(?:^|; )yorisoi_csrf=([^;]*)/) || ["", ""])[1]) } });
      const body = await response.json();
      if (!response.ok) throw new Error(body.message || response.statusText);
      Y.toast(`${body.name}: ${Y.t("admin.done")}`);
    });
  });
  $("publish-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(async () => {
      const result = await Y.api("POST", `${base}/drafts/${state.draft}/publish`,
        { note: $("publish-note").value, site_id: $("publish-site").value || null });
      $("published").textContent = `${Y.t("ed.published")} ${result.version.slice(0, 12)}`;
    });
  });
  $("diff-btn").addEventListener("click", () => guarded(async () => {
    const { changes } = await Y.api("GET", `${base}/drafts/${state.draft}/diff`);
    $("diff-body").replaceChildren(...changes.map((c) => Y.el("tr", {},
      Y.el("td", { text: `${c.procedure} / ${c.step}` }), Y.el("td", { text: `${c.field} (${c.language})` }),
      Y.el("td", { class: "before", text: c.before || "—" }), Y.el("td", { class: "after", text: c.after || "—" }))));
  }));

  guarded(init);
})();
