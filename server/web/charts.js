// server/web/charts.js — small SVG charts for the HQ dashboard, drawn with
// the DOM (no library): stacked bars, line series, horizontal bars and a
// scatter plot of points. Every mark carries a <title> (its tooltip).
"use strict";

(function () {
  const NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function title(text) { return el("title", {}, text); }

  // A step of 1, 2 or 5 × 10^n giving about `count` ticks up to max.
  function niceStep(max, count) {
    if (!(max > 0)) return 1;
    const raw = max / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    const step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
    return step * mag;
  }

  function fmt(v) {
    if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(v % 1e6 === 0 ? 0 : 1) + "M";
    if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(v % 1e3 === 0 ? 0 : 1) + "k";
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  function full(v) {
    return Number.isInteger(v) ? v.toLocaleString("en") : v.toLocaleString("en", { maximumFractionDigits: 2 });
  }

  function noData(container, text) {
    const p = document.createElement("p");
    p.className = "nodata";
    p.textContent = text || "Nothing to show for this selection.";
    container.replaceChildren(p);
  }

  function legend(series) {
    const div = document.createElement("div");
    div.className = "legend";
    for (const s of series) {
      const span = document.createElement("span");
      const sw = document.createElement("i");
      sw.className = "swatch";
      sw.style.background = s.color;
      span.append(sw, s.name);
      div.append(span);
    }
    return div;
  }

  // Vertical axis with grid lines; returns the y scale.
  function yAxis(svg, m, w, h, max, integer) {
    const step = integer ? Math.max(1, niceStep(max, 5)) : niceStep(max, 5);
    const top = Math.max(step, Math.ceil(max / step) * step);
    const y = (v) => m.top + h - (v / top) * h;
    const grid = el("g", { class: "grid" });
    const axis = el("g", { class: "axis" });
    for (let v = 0; v <= top + step / 2; v += step) {
      grid.append(el("line", { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v) }));
      axis.append(el("text", { x: m.left - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
    }
    axis.append(el("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + h }));
    axis.append(el("line", { x1: m.left, x2: m.left + w, y1: m.top + h, y2: m.top + h }));
    svg.append(grid, axis);
    return y;
  }

  function categoryLabels(svg, m, h, categories, x, band) {
    const every = Math.max(1, Math.ceil(categories.length / 14));
    const g = el("g", { class: "axis" });
    categories.forEach((c, i) => {
      if (i % every !== 0) return;
      g.append(el("text", { x: x(i) + band / 2, y: m.top + h + 16, "text-anchor": "middle" }, c));
    });
    svg.append(g);
  }

  // options: {categories: [..], series: [{name, color, values: [..]}], unit, integer}
  function stackedBars(container, o) {
    const totals = o.categories.map((_, i) => o.series.reduce((s, x) => s + (x.values[i] || 0), 0));
    const max = Math.max(0, ...totals);
    if (!o.categories.length || max === 0) return noData(container);
    const W = 640, H = 280, m = { top: 12, right: 12, bottom: 28, left: 48 };
    const w = W - m.left - m.right, h = H - m.top - m.bottom;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": o.label || "bar chart" });
    const y = yAxis(svg, m, w, h, max, o.integer);
    const band = w / o.categories.length;
    const x = (i) => m.left + i * band;
    const barW = Math.min(56, Math.max(2, band * 0.7));
    o.categories.forEach((c, i) => {
      let base = 0;
      for (const s of o.series) {
        const v = s.values[i] || 0;
        if (!v) continue;
        const y0 = y(base), y1 = y(base + v);
        svg.append(el("rect", {
          class: "bar", x: x(i) + (band - barW) / 2, y: y1, width: barW, height: Math.max(0.5, y0 - y1),
          fill: s.color,
        }, title(`${c} · ${s.name}: ${full(v)}${o.unit ? " " + o.unit : ""}`)));
        base += v;
      }
    });
    categoryLabels(svg, m, h, o.categories, x, band);
    container.replaceChildren(svg, legend(o.series.filter((s) => s.values.some((v) => v))));
  }

  // options: {categories, series: [{name, color, values}], unit}
  function lines(container, o) {
    const max = Math.max(0, ...o.series.flatMap((s) => s.values.map((v) => v || 0)));
    if (!o.categories.length || max === 0) return noData(container);
    const W = 640, H = 280, m = { top: 12, right: 12, bottom: 28, left: 52 };
    const w = W - m.left - m.right, h = H - m.top - m.bottom;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": o.label || "line chart" });
    const y = yAxis(svg, m, w, h, max);
    const band = w / o.categories.length;
    const x = (i) => m.left + i * band;
    for (const s of o.series) {
      if (!s.values.some((v) => v)) continue;
      const pts = s.values.map((v, i) => `${x(i) + band / 2},${y(v || 0)}`).join(" ");
      svg.append(el("polyline", { points: pts, fill: "none", stroke: s.color, "stroke-width": 2 }));
      s.values.forEach((v, i) => {
        svg.append(el("circle", { class: "dot", cx: x(i) + band / 2, cy: y(v || 0), r: 3.2, fill: s.color },
          title(`${o.categories[i]} · ${s.name}: ${full(v || 0)}${o.unit ? " " + o.unit : ""}`)));
      });
    }
    categoryLabels(svg, m, h, o.categories, x, band);
    container.replaceChildren(svg, legend(o.series.filter((s) => s.values.some((v) => v))));
  }

  // options: {rows: [{label, value, detail, color}], unit}
  function hbars(container, o) {
    const max = Math.max(0, ...o.rows.map((r) => r.value));
    if (!o.rows.length || max === 0) return noData(container);
    const rowH = 24, W = 640, m = { top: 6, right: 60, bottom: 6, left: 230 };
    const H = m.top + m.bottom + rowH * o.rows.length;
    const w = W - m.left - m.right;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": o.label || "bar chart" });
    o.rows.forEach((r, i) => {
      const y = m.top + i * rowH;
      const len = (r.value / max) * w;
      const label = r.label.length > 38 ? r.label.slice(0, 37) + "…" : r.label;
      svg.append(el("text", { x: m.left - 8, y: y + rowH / 2 + 4, "text-anchor": "end" }, label, title(r.label)));
      svg.append(el("rect", { class: "bar", x: m.left, y: y + 4, width: Math.max(1, len), height: rowH - 8, fill: r.color || "#1f5f8b" },
        title(`${r.label}: ${full(r.value)}${o.unit ? " " + o.unit : ""}${r.detail ? " — " + r.detail : ""}`)));
      svg.append(el("text", { x: m.left + len + 6, y: y + rowH / 2 + 4 }, full(r.value)));
    });
    container.replaceChildren(svg);
  }

  // options: {points: [{x, y, color, title, href}], xLabel, yLabel, series (legend)}
  function scatter(container, o) {
    if (!o.points.length) return noData(container, "No report in this selection has a location.");
    const W = 640, H = 360, m = { top: 12, right: 16, bottom: 40, left: 52 };
    const w = W - m.left - m.right, h = H - m.top - m.bottom;
    let x0 = Math.min(...o.points.map((p) => p.x)), x1 = Math.max(...o.points.map((p) => p.x));
    let y0 = Math.min(...o.points.map((p) => p.y)), y1 = Math.max(...o.points.map((p) => p.y));
    const padX = Math.max(1, (x1 - x0) * 0.08), padY = Math.max(1, (y1 - y0) * 0.08);
    x0 -= padX; x1 += padX; y0 -= padY; y1 += padY;
    const sx = (v) => m.left + ((v - x0) / (x1 - x0)) * w;
    const sy = (v) => m.top + h - ((v - y0) / (y1 - y0)) * h;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": o.label || "scatter plot" });
    const grid = el("g", { class: "grid" }), axis = el("g", { class: "axis" });
    const stepX = niceStep(x1 - x0, 6), stepY = niceStep(y1 - y0, 5);
    for (let v = Math.ceil(x0 / stepX) * stepX; v <= x1; v += stepX) {
      grid.append(el("line", { x1: sx(v), x2: sx(v), y1: m.top, y2: m.top + h }));
      axis.append(el("text", { x: sx(v), y: m.top + h + 15, "text-anchor": "middle" }, fmt(Math.round(v * 100) / 100) + "°"));
    }
    for (let v = Math.ceil(y0 / stepY) * stepY; v <= y1; v += stepY) {
      grid.append(el("line", { x1: m.left, x2: m.left + w, y1: sy(v), y2: sy(v) }));
      axis.append(el("text", { x: m.left - 6, y: sy(v) + 4, "text-anchor": "end" }, fmt(Math.round(v * 100) / 100) + "°"));
    }
    axis.append(el("rect", { x: m.left, y: m.top, width: w, height: h, fill: "none", stroke: "#b8c3ce" }));
    axis.append(el("text", { x: m.left + w / 2, y: H - 4, "text-anchor": "middle" }, o.xLabel || ""));
    axis.append(el("text", { x: 12, y: m.top + h / 2, transform: `rotate(-90 12 ${m.top + h / 2})`, "text-anchor": "middle" }, o.yLabel || ""));
    svg.append(grid, axis);
    for (const p of o.points) {
      const dot = el("circle", { class: "dot", cx: sx(p.x), cy: sy(p.y), r: 4.5, fill: p.color, "fill-opacity": 0.75, stroke: "#fff", "stroke-width": 1 }, title(p.title));
      if (p.href) {
        const a = el("a", { href: p.href });
        a.append(dot);
        svg.append(a);
      } else {
        svg.append(dot);
      }
    }
    container.replaceChildren(svg, o.series ? legend(o.series) : document.createTextNode(""));
  }

  window.Charts = { stackedBars, lines, hbars, scatter, niceStep };
})();
