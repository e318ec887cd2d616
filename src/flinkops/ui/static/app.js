// flinkops console: the little behaviour the pages need, no library.
// - overview: refresh the cards and tables from the server every N seconds
// - job page: tabs (by #hash)
// - lineage: click a column to highlight everything downstream
// - data curves: the value under the pointer
"use strict";
document.documentElement.classList.add("js");

function refreshOverview() {
  const box = document.getElementById("overview");
  if (!box) return;
  const seconds = parseFloat(box.dataset.refresh || "5");
  async function tick() {
    const url = new URL(window.location.href);
    url.searchParams.set("partial", "1");
    try {
      const resp = await fetch(url, { credentials: "same-origin" });
      if (resp.ok) box.innerHTML = await resp.text();  // server-rendered, escaped HTML
    } catch (e) { /* the next tick retries */ }
    setTimeout(tick, seconds * 1000);
  }
  setTimeout(tick, seconds * 1000);
}

function tabs() {
  const nav = document.getElementById("tabs");
  if (!nav) return;
  const links = Array.from(nav.querySelectorAll("a[data-tab]"));
  function show() {
    const want = (window.location.hash || "#overview").slice(1);
    const known = links.some((a) => a.dataset.tab === want) ? want : "overview";
    links.forEach((a) => a.classList.toggle("on", a.dataset.tab === known));
    document.querySelectorAll("section.tab").forEach((s) => s.classList.toggle("on", s.id === known));
  }
  window.addEventListener("hashchange", show);
  show();
}

function impact() {
  document.querySelectorAll("svg.lineage").forEach((svg) => {
    const data = document.querySelector(`script.impact-data[data-for="${svg.id}"]`);
    const downstream = data ? JSON.parse(data.textContent) : {};  // from flinkops's lineage
    svg.addEventListener("click", (ev) => {
      const col = ev.target.closest(".col");
      if (!col) return;
      const key = col.dataset.col;
      const wasPicked = col.classList.contains("picked");
      svg.querySelectorAll(".col").forEach((c) => c.classList.remove("picked", "hit"));
      svg.querySelectorAll(".ledge").forEach((e) => e.classList.remove("hit"));
      svg.classList.remove("dim");
      const note = document.getElementById("impact-note");
      if (wasPicked) { if (note) note.textContent = "Select a column."; return; }
      const hits = new Set(downstream[key] || []);
      col.classList.add("picked");
      svg.classList.add("dim");
      svg.querySelectorAll(".col").forEach((c) => { if (hits.has(c.dataset.col)) c.classList.add("hit"); });
      svg.querySelectorAll(".ledge").forEach((e) => {
        const from = e.dataset.from, to = e.dataset.to;
        if ((from === key || hits.has(from)) && hits.has(to)) e.classList.add("hit");
      });
      if (note) note.textContent = hits.size ? `${key} flows into ${hits.size} column(s): ${Array.from(hits).join(", ")}` : `Nothing downstream of ${key}.`;
    });
  });
}

// data curves: the value under the pointer (the points and labels come from the server)
function charts() {
  document.querySelectorAll("svg.chart-svg").forEach((svg) => {
    const points = JSON.parse(svg.dataset.readout || "[]");  // [[x, time, value with unit]]
    const cursor = svg.querySelector("line.cursor");
    const out = svg.parentElement.querySelector(".readout");
    if (!points.length || !cursor || !out) return;
    svg.addEventListener("mousemove", (ev) => {
      const box = svg.getBoundingClientRect();
      const x = (ev.clientX - box.left) / box.width * svg.viewBox.baseVal.width;
      let best = points[0];
      for (const p of points) if (Math.abs(p[0] - x) < Math.abs(best[0] - x)) best = p;
      cursor.setAttribute("x1", best[0]); cursor.setAttribute("x2", best[0]);
      cursor.setAttribute("visibility", "visible");
      out.textContent = `${best[1]} UTC · ${best[2]}`;
    });
    svg.addEventListener("mouseleave", () => { cursor.setAttribute("visibility", "hidden"); });
  });
}

document.addEventListener("DOMContentLoaded", () => { refreshOverview(); tabs(); impact(); charts(); });
