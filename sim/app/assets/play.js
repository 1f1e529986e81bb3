// teamsim, the room plays: the join page, a player's seat and the facilitator's page.
// Everything shown comes from the server's JSON and is written with textContent (never as markup).
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function table(node, head, rows) {
  // head: column titles; rows: arrays of cells (a cell is text, or {text, cls, data} for a class and data-*).
  node.replaceChildren();
  if (head) {
    const tr = el("tr");
    head.forEach((h) => tr.appendChild(el("th", h)));
    node.appendChild(el("thead")).appendChild(tr);
  }
  const body = node.appendChild(el("tbody"));
  rows.forEach((row) => {
    const tr = body.appendChild(el("tr", null, row.cls || ""));
    (row.cells || row).forEach((c) => {
      const cell = typeof c === "object" && c !== null ? c : {text: c};
      const td = tr.appendChild(el("td", cell.text, cell.cls || ""));
      Object.entries(cell.data || {}).forEach(([k, v]) => { td.dataset[k] = String(v); });
    });
  });
}

async function call(path, body, headers) {
  const opts = {headers: Object.assign({"Content-Type": "application/json"}, headers || {}),
                credentials: "same-origin"};
  if (body !== undefined) { opts.method = "POST"; opts.body = JSON.stringify(body); }
  let resp;
  try { resp = await fetch(path, opts); } catch (e) { throw new Error("the server cannot be reached"); }
  let data = {};
  try { data = await resp.json(); } catch (e) { data = {error: resp.statusText}; }
  if (!resp.ok) { const err = new Error(data.error || resp.statusText); err.status = resp.status; throw err; }
  return data;
}

function poll(fn, ms) {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try { await fn(); if ($("gone")) $("gone").hidden = true; }
    catch (e) { if (e.status === undefined && $("gone")) $("gone").hidden = false; }
    finally { busy = false; }
  };
  tick();
  return setInterval(tick, ms);
}

// ---------------------------------------------------------------------------------------- join
async function joinPage() {
  const info = await call("/api/room");
  Object.entries(info.roles).forEach(([v, t]) => { const o = el("option", t); o.value = v; $("role").appendChild(o); });
  for (let p = 1; p <= info.pods; p++) {
    const free = info.free[String(p)];
    const o = el("option", `Pod ${p} (free: ${free.recruiter} recruiter, ${free.account_manager} account manager seats)`);
    o.value = String(p);
    $("pod").appendChild(o);
  }
  $("limits").textContent = `Up to ${info.per_pod} players a pod; the model plays every other seat.`;
  $("join").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("join-error").textContent = "";
    try {
      await call("/api/join", {code: $("code").value, name: $("name").value, role: $("role").value,
                               pod: Number($("pod").value)});
      window.location.assign("/seat");
    } catch (e) { $("join-error").textContent = e.message; }
  });
}

// ---------------------------------------------------------------------------------------- seat
let openMonth = null;   // "round/month" the form was last set up for

function statement(last) {
  if (!last) return;
  $("statement-title").textContent = `${last.plan}, month ${last.month}: chosen by ${last.chosen_by}`;
  if (last.vacant) {
    table($("statement"), null, []);
    $("statement-note").textContent = last.note;
    return;
  }
  const rows = last.lines.map((ln) => ({cls: "line", cells: [ln.label, {text: ln.amount, cls: "num", data: {cents: ln.cents}}]}));
  rows.push({cls: "total", cells: ["Pay this month", {text: last.pay, cls: "num pay", data: {cents: last.pay_cents}}]});
  table($("statement"), null, rows);
  const model = last.model_effort === null ? "" :
    ` The model's person would have chosen effort ${last.model_effort.toFixed(2)}, cooperation ${Math.round(100 * last.model_cooperation)}%.`;
  $("statement-note").textContent = `Effort ${last.effort.toFixed(2)}, cooperation ${Math.round(100 * last.cooperation)}%, `
    + `${last.placements} placements, credited gross profit ${last.credited_gp}; your role's median pay ${last.peer_median}.`
    + model + (last.note ? " " + last.note : "");
  const pod = last.pod;
  table($("pod"), null, [["Pod", pod.pod], ["People", pod.people], ["Placements", pod.placements],
    ["Credited gross profit", pod.credited_gp], ["Pay", pod.pay], ["Mean effort", pod.mean_effort.toFixed(2)],
    ["Mean cooperation", `${Math.round(100 * pod.mean_cooperation)}%`], ["Left this month", pod.left]]);
}

const num = (x) => (x === null || x === undefined ? "" : x.toFixed(2));
const pct = (x) => (x === null || x === undefined ? "" : `${Math.round(100 * x)}%`);

function rounds(node, summary) {
  // Effort and cooperation: every seat's mean, then the players' seats' and the model's seats' apart.
  table(node, ["Round", "Months", "Placements", "Credited GP", "Pay", "Mean effort (players / model)",
               "Mean cooperation (players / model)", "Left"],
    summary.map((r) => ({cls: "round", cells: [r.plan, r.months, r.placements, r.credited_gp, r.pay,
      `${num(r.mean_effort)} (${num(r.players_effort)} / ${num(r.model_effort)})`,
      `${pct(r.mean_cooperation)} (${pct(r.players_cooperation)} / ${pct(r.model_cooperation)})`, r.left]})));
}

async function seatPage() {
  let view;
  try { view = await call("/api/me"); } catch (e) { if (e.status === 403) { window.location.assign("/"); return; } throw e; }
  const eff = $("effort");
  eff.min = view.effort.min; eff.max = view.effort.max; eff.step = view.effort.step; eff.value = 1;
  const show = () => { $("effort-out").textContent = Number(eff.value).toFixed(2); };
  eff.addEventListener("input", show);
  show();
  $("choose").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("choose-error").textContent = "";
    if (!view.choosing) return;
    try {
      await call("/api/choice", {round: view.choosing.round, month: view.choosing.month,
                                 effort: Number(eff.value), share: $("share").checked});
      await refresh();
    } catch (e) { $("choose-error").textContent = e.message; }
  });
  const refresh = async () => {
    view = await call("/api/me");
    $("who").textContent = `${view.you.name}: ${view.you.role}, pod ${view.you.pod}`;
    $("plan").textContent = `${view.plan} (round ${view.round} of ${view.rounds}, ${view.months} months)`;
    $("terms").textContent = view.terms;
    const key = view.choosing ? `${view.choosing.round}/${view.choosing.month}` : view.state;
    if (key !== openMonth) {   // a new month to choose: the form starts afresh (never reset while typing)
      openMonth = key;
      $("choose-error").textContent = "";
    }
    $("submit").disabled = !view.choosing;
    $("choose-title").textContent = view.choosing ? `Your choices for month ${view.choosing.month}`
      : (view.state === "finished" ? "The game is over: thank you" : "Round over: wait for the next round");
    $("chosen").textContent = view.chosen
      ? `Submitted: effort ${view.chosen.effort.toFixed(2)}, ${view.chosen.share ? "sharing" : "not sharing"}. `
        + "You can change it until the facilitator plays the month." : (view.choosing ? "Not submitted yet." : "");
    statement(view.history[0]);
    rounds($("rounds"), view.rounds_summary);
    table($("history"), ["Round", "Month", "Chosen by", "Effort", "Cooperation", "Placements", "Pay"],
      view.history.map((h) => ({cls: "month", cells: [h.round, h.month, h.chosen_by,
        h.vacant ? "" : h.effort.toFixed(2), h.vacant ? "" : `${Math.round(100 * h.cooperation)}%`,
        h.vacant ? "" : h.placements, h.vacant ? "vacant" : {text: h.pay, cls: "num", data: {cents: h.pay_cents}}]})));
  };
  poll(refresh, 1000);
}

// ---------------------------------------------------------------------------------------- host
async function hostPage() {
  const key = new URLSearchParams(window.location.search).get("key") || "";
  $("join-url").textContent = `${window.location.origin}/`;
  const refresh = async () => {
    let v;
    try { v = await call("/api/host", undefined, {"X-Teamsim-Key": key}); }
    catch (e) { if (e.status) { $("host-error").textContent = e.message; return; } throw e; }
    $("code").textContent = v.code;
    $("plan").textContent = `${v.plan} (round ${v.round} of ${v.rounds}, ${v.months} months)`;
    $("terms").textContent = v.terms;
    $("limits").textContent = `Up to ${v.per_pod} players in each of ${v.pods} pods of ${v.seats_per_pod} seats; `
      + "the model plays every other seat, and the seat of anyone who has not chosen when a month is played.";
    const adv = $("advance");
    adv.disabled = v.state === "finished";
    adv.textContent = v.state === "playing" ? `Play month ${v.choosing.month}`
      : (v.state === "between" ? `Start round ${v.round + 1}: ${v.next_round}` : "Game over");
    $("status").textContent = v.state === "playing"
      ? `${v.chosen} of ${v.players.length} players have chosen for month ${v.choosing.month}.`
      : (v.state === "between" ? "Round over." : "Every round has been played.");
    $("players-title").textContent = `Players (${v.players.length})`;
    table($("players"), ["Name", "Role", "Pod", "Chosen this month"],
      v.players.map((p) => ({cls: "player", cells: [p.name, p.role, p.pod, p.chosen ? "yes" : "not yet"]})));
    rounds($("rounds"), v.rounds_summary);
    const rows = [];
    v.months_played.forEach((m) => {
      rows.push({cls: "firm-month", cells: [`Month ${m.month}: firm`, m.placements, m.credited_gp, m.pay,
        m.mean_effort.toFixed(2), `${Math.round(100 * m.mean_cooperation)}%`, m.left]});
      m.pods.forEach((p) => rows.push([`  pod ${p.pod}`, p.placements, p.credited_gp, p.pay,
        p.mean_effort.toFixed(2), `${Math.round(100 * p.mean_cooperation)}%`, p.left]));
    });
    table($("months"), ["", "Placements", "Credited GP", "Pay", "Mean effort", "Mean cooperation", "Left"], rows);
  };
  $("advance").addEventListener("click", async () => {
    $("host-error").textContent = "";
    $("advance").disabled = true;
    try { await call("/api/host/advance", {key}); } catch (e) { $("host-error").textContent = e.message; }
    await refresh().catch(() => {});
  });
  poll(refresh, 1000);
}

const pages = {join: joinPage, seat: seatPage, host: hostPage};
window.addEventListener("DOMContentLoaded", () => {
  const run = pages[document.body.dataset.page];
  if (run) run().catch((e) => { const n = $("join-error") || $("choose-error") || $("host-error"); if (n) n.textContent = e.message; });
});
