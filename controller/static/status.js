// The status page's script (controller/status_page.cpp), served by the controller at
// /static/status.js. The page works without it; with it:
//  - it refreshes itself every data-refresh-seconds without a reload: the new page is
//    fetched, its <main> replaces the old one, and what the reader had (scroll position,
//    open groups, the selected cell, a filter being typed) is kept;
//  - a matrix cell shows its detail on tap or Enter, not only on hover.
// Plain script, no framework, no build step; only textContent is written (never HTML
// from a string), so nothing a report says can run here.
"use strict";

(function () {
  const live = () => document.getElementById("live");
  const detail = () => document.getElementById("detail");
  let selected = null;  // data-key of the selected cell (its row's first node and its check), kept across refreshes

  function select(cell) {
    for (const old of document.querySelectorAll("td.cell.selected")) old.classList.remove("selected");
    const panel = detail();
    if (!cell) {
      selected = null;
      panel.hidden = true;
      return;
    }
    cell.classList.add("selected");
    selected = cell.dataset.key;
    panel.textContent = cell.dataset.detail;
    panel.hidden = false;
  }

  document.addEventListener("click", (event) => {
    const cell = event.target.closest && event.target.closest("td.cell[data-detail]");
    if (cell) select(cell === document.querySelector("td.cell.selected") ? null : cell);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") return select(null);
    const cell = event.target.closest && event.target.closest("td.cell[data-detail]");
    if (cell && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      select(cell);
    }
  });

  // What the reader has that a fresh page would not.
  function remember() {
    const filter = document.getElementById("filter-q");
    return {
      scrollX: window.scrollX,
      scrollY: window.scrollY,
      open: Array.from(document.querySelectorAll("details[open][data-keep]"), (d) => d.dataset.keep),
      typing: filter && (document.activeElement === filter || filter.value !== filter.defaultValue),
    };
  }

  function restore(state) {
    for (const details of document.querySelectorAll("details[data-keep]")) {
      if (state.open.includes(details.dataset.keep)) details.open = true;
    }
    if (selected) {
      // By name, not by position: a refresh may reorder the rows (a node starts failing) or the columns.
      const cell = Array.from(document.querySelectorAll("td.cell[data-key]")).find((c) => c.dataset.key === selected);
      select(cell || null);
    }
    window.scrollTo(state.scrollX, state.scrollY);
  }

  async function refresh() {
    const state = remember();
    if (state.typing || document.hidden) {  // never take away what is being typed
      document.body.dataset.refreshesSkipped = String(Number(document.body.dataset.refreshesSkipped || 0) + 1);
      return;
    }
    try {
      const response = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("live");
      if (!fresh) return;
      live().replaceWith(document.adoptNode(fresh));
      restore(state);
      document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    } catch (error) {
      // The controller restarting or the network blinking: try again next time.
    }
  }

  const seconds = Number(live() && live().dataset.refreshSeconds);
  if (seconds > 0) window.setInterval(refresh, seconds * 1000);
})();
