// server/web/app.js — the HQ dashboard: sign-in, inbox, report view and
// review, charts, follow-up report, devices and the project registry.
//
// A single page routed by the URL hash (#/inbox?..., #/report/ID, ...). It
// talks only to this server's /api/v1/hq/ routes (docs/hq.md); every error
// the server answers is shown as its message, and a 401 (no session, or an
// expired one) brings back the sign-in form with the reason, then returns to
// where the person was. Text from the server is always inserted as text
// (the h() builder), never as HTML.
"use strict";

(function () {
  const SECTOR_COLORS = {
    health: "#c0392b", education: "#2471a3", agriculture: "#239b56", water: "#17a589",
    ict: "#7d3c98", trade: "#b9770e", finance: "#566573", environment: "#1e8449",
    energy: "#d4ac0d", governance: "#884ea0", unknown: "#95a5a6",
  };
  const GROUP_COLORS = { LDC: "#c0392b", LLDC: "#b9770e", SIDS: "#2471a3", other: "#7f8c8d" };
  const STATUS_TEXT = { received: "received", approved: "approved", returned: "returned", draft: "draft" };

  const state = { me: null, facets: null, lang: localStorage.getItem("fieldsync.lang") || "en", after: null };

  // ---------- DOM helpers ----------

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else if (k === "value") node.value = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const $ = (id) => document.getElementById(id);
  const main = () => $("main");

  function setPage(...nodes) {
    main().replaceChildren(...nodes);
    window.scrollTo(0, 0);
  }

  function banner(text, kind) {
    const b = $("banner");
    if (!text) { b.hidden = true; return; }
    b.textContent = text;
    b.className = "banner" + (kind === "info" ? " info" : "");
    b.hidden = false;
  }

  function fmtTime(ms) {
    if (!ms) return "—";
    const d = new Date(ms);
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
  function ago(ms) {
    if (!ms) return "never";
    const s = Math.max(0, (Date.now() - ms) / 1000);
    if (s < 90) return "just now";
    if (s < 5400) return Math.round(s / 60) + " min ago";
    if (s < 129600) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " days ago";
  }
  function num(v) {
    return Number.isInteger(v) ? v.toLocaleString("en") : Number(v).toLocaleString("en", { maximumFractionDigits: 2 });
  }
  function badge(status) { return h("span", { class: "badge " + status }, STATUS_TEXT[status] || status); }
  function sectorTag(sector) {
    if (!sector) return "—";
    const sw = h("i", { class: "swatch" });
    sw.style.background = SECTOR_COLORS[sector] || SECTOR_COLORS.unknown;
    return h("span", { class: "sector" }, sw, sector);
  }
  function shortId(id) { return id.length > 13 ? id.slice(0, 8) + "…" : id; }

  // ---------- the server ----------

  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(method, path, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, "unavailable", "The server cannot be reached. Check the connection and try again.");
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = data && data.error ? data.error : { code: "internal", message: "The server answered HTTP " + res.status + "." };
      if (res.status === 401 && !path.endsWith("/login")) {
        showLogin(err.message);
        throw new ApiError(401, err.code, err.message);
      }
      throw new ApiError(res.status, err.code, err.message);
    }
    return data;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    const s = q.toString();
    return s ? "?" + s : "";
  }

  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, "");
    const [path, qs] = raw.split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const params = Object.fromEntries(new URLSearchParams(qs || ""));
    return { page: parts[0] || "inbox", arg: parts[1] || "", params };
  }

  function go(page, params) { location.hash = "#/" + page + query(params || {}); }

  // ---------- sign-in ----------

  let returnTo = null;

  function showLogin(message) {
    state.me = null;
    state.facets = null;
    $("top").hidden = true;
    banner(null);
    if (!returnTo && !location.hash.startsWith("#/login")) returnTo = location.hash || "#/inbox";
    // A first visit (no session cookie at all) is not an error worth a red box.
    if (message === "sign in to use the dashboard") message = "";
    const error = h("p", { class: "error", role: "alert", id: "login-error" }, message || "");
    if (!message) error.hidden = true;
    const user = h("input", { type: "text", id: "user", name: "user", autocomplete: "username", required: true, autofocus: true });
    const pass = h("input", { type: "password", id: "password", name: "password", autocomplete: "current-password", required: true });
    const button = h("button", { class: "btn", type: "submit", id: "signin" }, "Sign in");
    const form = h("form", {
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        error.hidden = true;
        try {
          state.me = await api("POST", "/api/v1/hq/login", { user: user.value.trim(), password: pass.value });
          pass.value = "";
          const target = returnTo && !returnTo.startsWith("#/login") ? returnTo : "#/inbox";
          returnTo = null;
          await start(target);
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          pass.select();
        } finally {
          button.disabled = false;
        }
      },
    },
      error,
      h("label", { class: "field", for: "user" }, "User name", user),
      h("label", { class: "field", for: "password" }, "Password", pass),
      button);
    setPage(h("div", { class: "panel login" },
      h("h1", {}, h("img", { src: "/static/favicon.svg", alt: "", width: 28, height: 28 }), "fieldsync HQ"),
      h("p", { class: "muted" }, "Sign in to review the reports sent from the field."),
      form));
    user.focus();
  }

  async function logout() {
    try { await api("POST", "/api/v1/hq/logout", {}); } catch (e) { /* signed out anyway */ }
    returnTo = "#/inbox";
    showLogin("You are signed out.");
  }

  // ---------- chrome ----------

  function drawChrome() {
    const me = state.me;
    $("top").hidden = false;
    const links = [["inbox", "Inbox"], ["charts", "Charts"], ["followup", "Follow-up"], ["projects", "Projects"]];
    if (me.is_admin) links.push(["devices", "Devices"]);
    const current = parseHash().page;
    $("nav").replaceChildren(...links.map(([p, t]) =>
      h("a", { href: "#/" + p, class: (current === p || (current === "report" && p === "inbox")) ? "active" : "" }, t)));
    $("whoami").replaceChildren(me.user, h("span", { class: "role" }, me.role + (me.region ? " · " + me.region : "")));
    $("lang").value = state.lang;
  }

  async function facets() {
    if (!state.facets) state.facets = await api("GET", "/api/v1/hq/facets" + query({ lang: state.lang }));
    return state.facets;
  }

  // ---------- filters shared by inbox, charts, follow-up ----------

  function filterBar(params, onChange, which) {
    const f = state.facets;
    const controls = [];
    const sel = (name, label, options, all) => {
      const s = h("select", { name, "aria-label": label, onchange: () => onChange(collect()) },
        h("option", { value: "" }, all),
        ...options.map(([v, t]) => h("option", { value: v }, t)));
      s.value = params[name] || "";
      controls.push(h("label", { class: "field" }, label, s));
      return s;
    };
    const want = (k) => !which || which.includes(k);
    if (want("sector")) sel("sector", "Sector", f.sectors.map((s) => [s, s]), "All sectors");
    if (want("country")) sel("country", "Country", f.countries.map((c) => [c, c]), "All countries");
    if (want("project")) sel("project", "Project", f.projects.map((p) => [p.code, p.code + " — " + p.title]), "All projects");
    if (want("measure")) sel("measure", "Framework measure",
      f.measures.filter((m) => m.used).map((m) => [String(m.number), m.number + ". " + m.title]), "All measures");
    if (want("period")) {
      for (const [name, label] of [["from", "Period from"], ["to", "to"]]) {
        const i = h("input", { type: "month", name, "aria-label": label, value: params[name] || "", onchange: () => onChange(collect()) });
        controls.push(h("label", { class: "field" }, label, i));
      }
    }
    if (want("status")) sel("status", "Status", f.statuses.map((s) => [s, s]), which && which.includes("followup") ? "Received and approved" : "Any status");
    if (want("officer")) sel("officer", "Officer", f.officers.map((o) => [o, o]), "All officers");
    if (want("q")) {
      let timer = null;
      const i = h("input", { type: "search", name: "q", placeholder: "id, officer, project, text…", "aria-label": "Search", value: params.q || "",
        oninput: () => { clearTimeout(timer); timer = setTimeout(() => onChange(collect()), 350); } });
      controls.push(h("label", { class: "field" }, "Search", i));
    }
    const bar = h("form", { class: "filters panel", onsubmit: (e) => { e.preventDefault(); onChange(collect()); } }, ...controls,
      h("button", { type: "button", class: "btn secondary small", onclick: () => onChange({}) }, "Clear"));
    function collect() {
      const out = {};
      for (const c of bar.querySelectorAll("select, input")) if (c.name && c.value) out[c.name] = c.value;
      return out;
    }
    return bar;
  }

  function filterParams(params) {
    const keep = ["sector", "country", "project", "measure", "from", "to", "status", "officer", "q"];
    const out = {};
    for (const k of keep) if (params[k]) out[k] = params[k];
    return out;
  }

  // ---------- inbox ----------

  async function pageInbox(params) {
    await facets();
    const filters = filterParams(params);
    const head = h("div", { class: "pagehead" }, h("h1", {}, "Inbox"),
      h("span", { class: "muted", id: "inbox-count" }, ""),
      h("div", { class: "actions" },
        h("span", { class: "muted small" }, "Export this selection:"),
        ...[["csv", "CSV"], ["labels", "CSV labels"], ["json", "JSON"], ["geojson", "GeoJSON"]].map(([f, t]) =>
          h("a", { class: "btn secondary small", href: "/api/v1/hq/export" + query({ ...filters, format: f, lang: state.lang }), download: "" }, t))));
    const bar = filterBar(params, (p) => go("inbox", p));
    const tbody = h("tbody");
    const table = h("div", { class: "tablewrap" }, h("table", { class: "data", id: "inbox" },
      h("thead", {}, h("tr", {}, ...["Status", "Report", "Project", "Sector", "Countries", "Period", "Officer", "Received"].map((t) => h("th", {}, t)))),
      tbody));
    const pager = h("div", { class: "pager" });
    setPage(head, bar, table, pager);
    const t0 = performance.now();
    const data = await api("GET", "/api/v1/hq/reports" + query({ ...filters, after: params.after, limit: 50 }));
    const took = performance.now() - t0;
    if (!data.rows.length) {
      tbody.append(h("tr", {}, h("td", { colspan: 8, class: "empty" }, params.after ? "No more reports." : "No report matches this selection.")));
    }
    for (const r of data.rows) {
      const href = "#/report/" + encodeURIComponent(r.id);
      tbody.append(h("tr", { class: "click", "data-id": r.id, onclick: () => { location.hash = href; } },
        h("td", {}, badge(r.status)),
        h("td", {}, h("a", { href, class: "mono", title: r.id }, shortId(r.id))),
        h("td", {}, h("span", { title: r.project_title }, r.project), h("div", { class: "muted small" }, r.project_title)),
        h("td", {}, sectorTag(r.sector)),
        h("td", {}, (r.countries || []).join(", ")),
        h("td", {}, r.period || "—"),
        h("td", {}, r.author || "—"),
        h("td", { title: fmtTime(r.received_at_ms) }, ago(r.received_at_ms))));
    }
    const total = data.total_capped ? "more than " + num(data.total) : num(data.total);
    $("inbox-count").textContent = total + " report" + (data.total === 1 ? "" : "s") + " · " + Math.round(took) + " ms";
    const first = !!params.after;
    pager.append(h("span", { class: "count" }, data.rows.length ? `Showing ${data.rows.length} ${first ? "older " : ""}report${data.rows.length === 1 ? "" : "s"}, newest first` : ""));
    if (first) pager.append(h("button", { class: "btn secondary small", onclick: () => history.back() }, "← Newer"));
    if (first) pager.append(h("button", { class: "btn secondary small", onclick: () => go("inbox", filters) }, "First page"));
    if (data.next) pager.append(h("button", { class: "btn secondary small", id: "older", onclick: () => go("inbox", { ...filters, after: data.next }) }, "Older →"));
  }

  // ---------- one report ----------

  async function pageReport(id) {
    const v = await api("GET", "/api/v1/hq/reports/" + encodeURIComponent(id) + query({ lang: state.lang }));
    drawReport(v);
  }

  function drawReport(v) {
    const r = v.report;
    const latest = v.latest_review;
    const canReview = v.can_approve || v.can_return;
    const fieldComments = latest && latest.decision === "returned" ? latest.field_comments || {} : {};
    const commentInputs = {};

    const head = h("div", { class: "pagehead" },
      h("h1", {}, "Report ", h("span", { class: "mono" }, r.id)), badge(r.status),
      h("div", { class: "actions" }, h("a", { class: "btn secondary small", href: "#/inbox" }, "← Inbox")));

    const p = v.project || {};
    const meta = h("dl", { class: "meta" },
      h("dt", {}, "Project"), h("dd", {}, r.project + (p.title ? " — " + p.title : "")),
      h("dt", {}, "Sector"), h("dd", {}, sectorTag(p.sector)),
      h("dt", {}, "Framework measures"), h("dd", {}, (p.measures || []).join(", ") || "—"),
      h("dt", {}, "Countries"), h("dd", {}, ((p.providers || []).join(", ") || "—") + " → " + ((p.beneficiaries || []).join(", ") || "—"),
        ["ldc", "lldc", "sids"].filter((k) => p[k]).map((k) => h("span", { class: "badge draft" }, k.toUpperCase()))),
      h("dt", {}, "Form"), h("dd", {}, v.form ? `${v.form.title} (${v.form.id} v${v.form.version})` : r.form_id),
      h("dt", {}, "Period"), h("dd", {}, r.period || "—"),
      h("dt", {}, "Officer"), h("dd", {}, r.author || r.officer || "—"),
      h("dt", {}, "Device"), h("dd", {}, (r.device_name || "—") + " ", h("span", { class: "muted mono small" }, r.device_id)),
      h("dt", {}, "Last change at HQ"), h("dd", {}, fmtTime(r.received_at_ms) + " · version " + r.server_version));

    const rows = v.fields.map((f) => {
      const comment = fieldComments[f.name];
      const valueCell = h("td", { class: "value" }, f.type === "photo" ? "photo (below)" : f.text);
      if (comment) valueCell.append(h("span", { class: "fieldcomment" }, "HQ: " + comment));
      if (canReview) {
        const input = h("input", { type: "text", class: "fieldcomment-input", "data-field": f.name, placeholder: "comment on this field (optional)", "aria-label": "Comment on " + f.label });
        input.hidden = true;
        commentInputs[f.name] = input;
        valueCell.append(input);
      }
      const toggle = canReview ? h("button", { type: "button", class: "btn secondary small", title: "Comment on this field",
        onclick: () => { const i = commentInputs[f.name]; i.hidden = !i.hidden; if (!i.hidden) i.focus(); } }, "✎") : null;
      return h("tr", { class: comment ? "flagged" : "", "data-field": f.name },
        h("td", { class: "label" }, f.label, h("div", { class: "muted small mono" }, f.name)), valueCell, h("td", {}, toggle));
    });
    const values = h("div", { class: "panel" }, h("h2", {}, "Values"),
      h("div", { class: "tablewrap" }, h("table", { class: "data values" }, h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { class: "empty" }, "No answers."))))));

    let photos = null;
    if (v.photos.length) {
      photos = h("div", { class: "panel" }, h("h2", {}, "Photos"), h("div", { class: "photos" },
        v.photos.map((ph) => h("figure", {},
          ph.complete
            ? h("a", { href: `/api/v1/hq/reports/${encodeURIComponent(r.id)}/photos/${ph.sha256}`, target: "_blank", rel: "noopener" },
              h("img", { src: `/api/v1/hq/reports/${encodeURIComponent(r.id)}/photos/${ph.sha256}`, alt: ph.label, loading: "lazy" }))
            : h("p", { class: "muted" }, ph.total ? `Uploading: ${num(ph.received)} of ${num(ph.total)} bytes` : "Not uploaded yet; it comes with the device's next sync."),
          h("figcaption", {}, ph.label)))));
    }

    let reviewPanel = null;
    const parts = [];
    if (latest) {
      const fc = Object.entries(latest.field_comments || {});
      const resubmitted = latest.decision === "returned" && r.status === "received";
      parts.push(h("div", { class: "review-box " + latest.decision },
        h("strong", {}, latest.decision === "approved" ? "Approved" : "Returned to the officer"),
        resubmitted ? " — since corrected and sent again" : "",
        ` by ${latest.reviewer}, ${fmtTime(latest.at_ms)}`,
        latest.comment ? h("p", {}, latest.comment) : null,
        fc.length ? h("ul", {}, fc.map(([k, t]) => h("li", {}, h("span", { class: "mono" }, k), ": ", t))) : null));
    }
    if (canReview) {
      const comment = h("textarea", { id: "review-comment", placeholder: "Comment for the officer (needed to return the report)" });
      const approve = h("button", { class: "btn ok", id: "approve", disabled: !v.can_approve, onclick: () => send("approve") }, "Approve");
      const ret = h("button", { class: "btn bad", id: "return", disabled: !v.can_return, onclick: () => send("return") }, "Return to officer");
      const msg = h("p", { class: "muted small", role: "status", id: "review-status" },
        v.can_approve ? "Use ✎ next to a value to comment on that field." : r.status === "returned"
          ? "Waiting for the officer to correct and finalize the report again." : "");
      async function send(decision) {
        const fcs = {};
        for (const [k, i] of Object.entries(commentInputs)) if (i.value.trim()) fcs[k] = i.value.trim();
        approve.disabled = ret.disabled = true;
        try {
          const after = await api("POST", `/api/v1/hq/reports/${encodeURIComponent(r.id)}/review` + query({ lang: state.lang }),
            { decision, comment: comment.value, field_comments: fcs, server_version: r.server_version });
          banner(decision === "approve" ? `Report ${r.id} approved.` : `Report ${r.id} returned; the officer sees your comments after the device's next sync.`, "info");
          drawReport(after);
        } catch (e) {
          if (e.status !== 401) banner(e.message);
          approve.disabled = !v.can_approve;
          ret.disabled = !v.can_return;
        }
      }
      parts.push(h("label", { class: "field", for: "review-comment" }, "Review comment", comment), h("div", { class: "review-actions" }, approve, ret), msg);
    } else if (!state.me.can_review) {
      parts.push(h("p", { class: "muted small" }, "Your role (" + state.me.role + ") can read reports but not review them."));
    }
    reviewPanel = h("div", { class: "panel", id: "review" }, h("h2", {}, "Review"), parts.length ? parts : h("p", { class: "muted" }, "Not reviewed yet."));

    const history = h("div", { class: "panel" }, h("h2", {}, "History"),
      v.history.length ? h("ol", { class: "history" }, v.history.slice().reverse().map((e) => {
        const what = e.field === "status"
          ? ["status ", h("span", { class: "change-old" }, String(e.old ?? "—")), " → ", h("b", {}, String(e.new))]
          : e.field
            ? [e.field_label || e.field, ": ", e.old !== null ? h("span", { class: "change-old" }, fmtValue(e.old)) : null, e.old !== null ? " → " : "", h("b", {}, fmtValue(e.new))]
            : [e.note || "created"];
        return h("li", {}, h("span", { class: "when" }, `${fmtTime(e.at_ms)} · ${e.source} · ${e.author || "—"} · v${e.server_version}`),
          ...what, e.note && e.field ? h("div", { class: "muted small" }, e.note) : null);
      })) : h("p", { class: "muted" }, "No history."));

    setPage(head, h("div", { class: "row" },
      h("div", { class: "grow" }, h("div", { class: "panel" }, meta), values, photos),
      h("div", { class: "grow" }, reviewPanel, history)));
  }

  function fmtValue(v) {
    if (v === null || v === undefined) return "—";
    if (Array.isArray(v)) return v.join(", ");
    if (typeof v === "object") return "lat" in v ? `${v.lat}, ${v.lon}` : JSON.stringify(v);
    return String(v);
  }

  // ---------- charts ----------

  async function pageCharts(params) {
    await facets();
    const filters = filterParams(params);
    const bar = filterBar(params, (p) => go("charts", p), ["sector", "country", "measure", "period", "status"]);
    const box = (id, title, extra) => h("div", { class: "panel chart" }, h("h2", {}, title), extra || null, h("div", { id }));
    const indicatorSel = h("select", { id: "indicator", "aria-label": "Key indicator" });
    setPage(h("div", { class: "pagehead" }, h("h1", {}, "Charts"), h("span", { class: "muted", id: "chart-selection" })), bar,
      h("div", { class: "charts" },
        box("c-month", "Reports per month and sector"),
        box("c-indicator", "Key indicator per month and sector", h("p", {}, indicatorSel)),
        box("c-measure", "Reports per Framework measure"),
        box("c-group", "LDC, LLDC and SIDS beneficiaries"),
        box("c-points", "Report locations (longitude, latitude)")));
    const d = await api("GET", "/api/v1/hq/charts" + query({ ...filters, lang: state.lang }));
    $("chart-selection").textContent = num(d.total_reports) + " reports · " + d.selection;
    const sectors = [...new Set(d.by_month_sector.map((x) => x.sector))].sort();
    const months = d.months;
    const cell = (period, sector) => d.by_month_sector.find((x) => x.period === period && x.sector === sector);
    Charts.stackedBars($("c-month"), {
      label: "Reports per month and sector", unit: "reports", integer: true, categories: months,
      series: sectors.map((s) => ({ name: s, color: SECTOR_COLORS[s] || SECTOR_COLORS.unknown, values: months.map((m) => (cell(m, s) || {}).reports || 0) })),
    });
    const used = d.indicators.filter((k) => d.by_month_sector.some((x) => x.sums[k.field]));
    indicatorSel.replaceChildren(...(used.length ? used : d.indicators).map((k) => h("option", { value: k.field }, `${k.label} (${k.sector})`)));
    const drawIndicator = () => {
      const field = indicatorSel.value;
      Charts.lines($("c-indicator"), {
        label: "Key indicator per month", categories: months,
        series: sectors.map((s) => ({ name: s, color: SECTOR_COLORS[s] || SECTOR_COLORS.unknown, values: months.map((m) => ((cell(m, s) || {}).sums || {})[field] || 0) })),
      });
    };
    indicatorSel.addEventListener("change", drawIndicator);
    drawIndicator();
    Charts.hbars($("c-measure"), {
      label: "Reports per Framework measure", unit: "reports",
      rows: d.by_measure.map((m) => ({ label: `${m.measure}. ${m.title}`, value: m.reports, detail: `${m.projects} project(s)` })),
    });
    const groupBox = $("c-group");
    Charts.hbars(groupBox, {
      label: "Reports by beneficiary group", unit: "reports",
      rows: d.by_group.map((g) => ({ label: g.group === "other" ? "Other countries" : g.group, value: g.reports, color: GROUP_COLORS[g.group], detail: `${g.projects} project(s)` })),
    });
    const sumsTable = h("table", { class: "data small" },
      h("thead", {}, h("tr", {}, h("th", {}, "Key indicator"), ...d.by_group.map((g) => h("th", { class: "num" }, g.group)))),
      h("tbody", {}, used.map((k) => h("tr", {}, h("td", {}, k.label), ...d.by_group.map((g) => h("td", { class: "num" }, g.sums[k.field] ? num(g.sums[k.field]) : "—"))))));
    if (used.length) groupBox.append(h("h3", {}, "Sums of key indicators"), h("div", { class: "tablewrap" }, sumsTable));
    const pointSectors = [...new Set(d.points.map((p) => p.sector))].sort();
    Charts.scatter($("c-points"), {
      label: "Report locations", xLabel: "longitude", yLabel: "latitude",
      points: d.points.map((p) => ({ x: p.lon, y: p.lat, color: SECTOR_COLORS[p.sector] || SECTOR_COLORS.unknown,
        title: `${p.id} · ${p.project} · ${p.status} (${p.lat}, ${p.lon})`, href: "#/report/" + encodeURIComponent(p.id) })),
      series: pointSectors.map((s) => ({ name: s, color: SECTOR_COLORS[s] || SECTOR_COLORS.unknown })),
    });
  }

  // ---------- follow-up report ----------

  async function pageFollowup(params) {
    await facets();
    const filters = filterParams(params);
    const bar = filterBar(params, (p) => go("followup", p), ["sector", "country", "measure", "period", "status", "followup"]);
    const exp = (format) => "/api/v1/hq/export" + query({ ...filters, format, lang: state.lang });
    setPage(h("div", { class: "pagehead" }, h("h1", {}, "Follow-up by Framework measure"),
      h("div", { class: "actions" },
        h("a", { class: "btn secondary small", href: exp("followup-html"), target: "_blank", rel: "noopener" }, "Printable page"),
        h("a", { class: "btn secondary small", href: exp("followup-csv"), download: "" }, "CSV"))),
      bar, h("div", { id: "followup" }, h("p", { class: "loading" }, "Loading…")));
    const d = await api("GET", "/api/v1/hq/followup" + query({ ...filters, lang: state.lang }));
    const byMeasure = new Map();
    for (const r of d.rows) {
      if (!byMeasure.has(r.measure)) byMeasure.set(r.measure, []);
      byMeasure.get(r.measure).push(r);
    }
    const out = [h("p", { class: "muted" }, `${num(d.reports_counted)} reports counted · ${d.selection}. A project benefiting several groups counts in each.`)];
    if (!d.rows.length) out.push(h("p", { class: "panel empty" }, "No registered project matches this selection."));
    for (const [m, rows] of byMeasure) {
      out.push(h("div", { class: "panel" }, h("h2", {}, `Measure ${m}. ${rows[0].measure_title} `, h("span", { class: "muted small" }, rows[0].measure_area)),
        h("div", { class: "tablewrap" }, h("table", { class: "data" },
          h("thead", {}, h("tr", {}, h("th", {}, "Sector"), h("th", {}, "Beneficiaries"), h("th", { class: "num" }, "Projects"), h("th", { class: "num" }, "Reporting"), h("th", { class: "num" }, "Reports"), h("th", {}, "Key indicators (sums)"))),
          h("tbody", {}, rows.map((r) => h("tr", {},
            h("td", {}, sectorTag(r.sector)), h("td", {}, r.group), h("td", { class: "num" }, num(r.projects)), h("td", { class: "num" }, num(r.projects_reporting)), h("td", { class: "num" }, num(r.reports)),
            h("td", { class: "small" }, Object.keys(r.sums).length
              ? d.indicators.filter((k) => k.field in r.sums).map((k) => h("div", {}, k.label + ": ", h("b", {}, num(r.sums[k.field]))))
              : h("span", { class: "muted" }, "none reported")))))))));
    }
    $("followup").replaceChildren(...out);
  }

  // ---------- devices ----------

  async function pageDevices() {
    const officer = h("input", { type: "text", id: "enroll-officer", required: true, placeholder: "e.g. Amina Diallo" });
    const region = h("input", { type: "text", id: "enroll-region", placeholder: "e.g. west-africa (empty: all)" });
    const shown = h("div", { id: "enroll-result", "aria-live": "polite" });
    const enroll = h("form", { class: "filters", onsubmit: async (e) => {
      e.preventDefault();
      try {
        const c = await api("POST", "/api/v1/hq/devices/enroll", { officer: officer.value.trim(), region: region.value.trim() });
        shown.replaceChildren(h("p", {}, `One-time code for ${c.officer}${c.region ? " (" + c.region + ")" : ""}:`),
          h("div", { class: "code-shown", id: "enroll-code" }, c.code),
          h("p", { class: "muted small" }, `Valid until ${fmtTime(c.expires_at_ms)}, for one device. On the device: `,
            h("code", { class: "mono" }, `fieldsync-cli enroll --server ${location.origin} --code ${c.code}`)));
        await drawDeviceList();
      } catch (err) { if (err.status !== 401) banner(err.message); }
    } }, h("label", { class: "field" }, "Officer", officer), h("label", { class: "field" }, "Region", region), h("button", { class: "btn", type: "submit" }, "Make enrollment code"));
    const list = h("div", { id: "device-list" });
    setPage(h("div", { class: "pagehead" }, h("h1", {}, "Devices")),
      h("div", { class: "panel" }, h("h2", {}, "Enroll a device"), enroll, shown),
      h("div", { class: "panel" }, h("h2", {}, "Enrolled devices"), list));
    await drawDeviceList();
  }

  async function drawDeviceList() {
    const d = await api("GET", "/api/v1/hq/devices");
    const list = $("device-list");
    if (!d.devices.length) { list.replaceChildren(h("p", { class: "empty" }, "No device enrolled yet.")); return; }
    list.replaceChildren(h("div", { class: "tablewrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ...["Device", "Name", "Officer", "Region", "Enrolled", "Last sync", "State", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, d.devices.slice().reverse().map((dev) => h("tr", { "data-device": dev.id },
        h("td", { class: "mono" }, dev.id), h("td", {}, dev.name || "—"), h("td", {}, dev.officer), h("td", {}, dev.region || "all"),
        h("td", {}, fmtTime(dev.enrolled_at_ms)), h("td", { title: fmtTime(dev.last_seen_ms) }, ago(dev.last_seen_ms)),
        h("td", {}, dev.revoked ? h("span", { class: "badge revoked" }, "revoked " + fmtTime(dev.revoked_at_ms).slice(0, 10)) : h("span", { class: "badge active" }, "active")),
        h("td", {}, dev.revoked ? null : h("button", { class: "btn bad small", onclick: async () => {
          if (!confirm(`Revoke ${dev.id} (${dev.officer})? Its next sync will be refused.`)) return;
          try { await api("POST", `/api/v1/hq/devices/${encodeURIComponent(dev.id)}/revoke`, {}); banner(`Device ${dev.id} revoked.`, "info"); await drawDeviceList(); }
          catch (err) { if (err.status !== 401) banner(err.message); }
        } }, "Revoke"))))))));
  }

  // ---------- projects ----------

  async function pageProjects() {
    const d = await api("GET", "/api/v1/hq/projects");
    let importer = null;
    if (d.can_import) {
      const file = h("input", { type: "file", id: "projects-file", accept: ".csv,text/csv" });
      const result = h("p", { class: "small", role: "status" });
      importer = h("div", { class: "panel" }, h("h2", {}, "Import the registry (CSV)"),
        h("p", { class: "muted small" }, "Columns: code, title, sector, measures, modality, providers, beneficiaries, funding_partner, agency, region, ldc, lldc, sids (lists separated by ';'). All or nothing: one bad row refuses the file, naming the line."),
        h("form", { class: "filters", onsubmit: async (e) => {
          e.preventDefault();
          if (!file.files.length) { result.textContent = "Choose a CSV file first."; return; }
          const text = await file.files[0].text();
          try {
            const r = await api("POST", "/api/v1/hq/projects/import", { csv: text });
            banner(`Imported ${r.imported} project${r.imported === 1 ? "" : "s"}; devices receive them at their next sync.`, "info");
            state.facets = null;
            await pageProjects();
          } catch (err) { if (err.status !== 401) { result.textContent = err.message; result.className = "small error"; } }
        } }, file, h("button", { class: "btn", type: "submit" }, "Import")), result);
    }
    const rows = d.projects.map((p) => h("tr", {},
      h("td", { class: "mono" }, p.code), h("td", {}, p.title), h("td", {}, sectorTag(p.sector)),
      h("td", {}, (p.measures || []).join(", ")), h("td", {}, p.modality),
      h("td", {}, (p.providers || []).join(", ") + " → " + (p.beneficiaries || []).join(", ")),
      h("td", {}, ["ldc", "lldc", "sids"].filter((k) => p[k]).map((k) => k.toUpperCase()).join(", ") || "—"),
      h("td", {}, p.funding_partner || "—"), h("td", {}, p.region || "all")));
    setPage(h("div", { class: "pagehead" }, h("h1", {}, "Projects"), h("span", { class: "muted" }, `${d.projects.length} in the registry`)),
      importer,
      h("div", { class: "tablewrap" }, h("table", { class: "data", id: "projects" },
        h("thead", {}, h("tr", {}, ...["Code", "Title", "Sector", "Measures", "Modality", "Countries", "Groups", "Funding partner", "Region"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 9, class: "empty" }, "The registry is empty."))))));
  }

  // ---------- routing ----------

  async function route() {
    if (!state.me) return;
    const { page, arg, params } = parseHash();
    drawChrome();
    banner(null);
    try {
      if (page === "report" && arg) await pageReport(arg);
      else if (page === "charts") await pageCharts(params);
      else if (page === "followup") await pageFollowup(params);
      else if (page === "devices") await pageDevices();
      else if (page === "projects") await pageProjects();
      else await pageInbox(params);
    } catch (e) {
      if (e.status === 401) return;
      setPage(h("div", { class: "panel" }, h("h1", {}, e.status === 404 ? "Not found" : e.status === 403 ? "Not allowed" : "Something went wrong"),
        h("p", { id: "page-error" }, e.message), h("p", {}, h("a", { href: "#/inbox" }, "Back to the inbox"))));
    }
  }

  async function start(target) {
    drawChrome();
    if (target && location.hash !== target) location.hash = target;  // hashchange routes
    else await route();
  }

  async function boot() {
    $("logout").addEventListener("click", logout);
    $("lang").addEventListener("change", () => {
      state.lang = $("lang").value;
      localStorage.setItem("fieldsync.lang", state.lang);
      state.facets = null;
      route();
    });
    window.addEventListener("hashchange", route);
    try {
      state.me = await api("GET", "/api/v1/hq/me");
    } catch (e) {
      if (e.status !== 401) setPage(h("div", { class: "panel" }, h("h1", {}, "The dashboard cannot start"), h("p", {}, e.message)));
      return;
    }
    await start(null);
  }

  document.addEventListener("DOMContentLoaded", boot);
})();
