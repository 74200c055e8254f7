// Live dashboard: polls the API every 2 s and follows the alert stream over SSE. All text from
// the API goes in with textContent, never as HTML (and the CSP forbids inline scripts anyway).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#3b6fd8", "#d8703b", "#2e9e5b", "#a13bd8", "#c9a227", "#777"];
let lastHealth = null;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(path + ": " + response.status);
  return response.json();
}

function lineChart(target, series, yMin, yMax) {
  // series: [{name, points: [[x, y], ...]}], x in [0, 1]
  const width = 600, height = 180, pad = 24;
  const y = (v) => height - pad - ((v - yMin) / Math.max(yMax - yMin, 1e-9)) * (height - 2 * pad);
  const x = (v) => pad + v * (width - 2 * pad);
  const nodes = [svg("line", { x1: pad, y1: y(0), x2: width - pad, y2: y(0), stroke: "#ccc" })];
  nodes.push(svg("text", { x: 2, y: pad, "font-size": 10 }, yMax.toFixed(1)));
  nodes.push(svg("text", { x: 2, y: height - pad, "font-size": 10 }, yMin.toFixed(1)));
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const d = s.points.map(([px, py], j) => (j ? "L" : "M") + x(px).toFixed(1) + " " + y(py).toFixed(1)).join(" ");
    nodes.push(svg("path", { d, fill: "none", stroke: COLOURS[i % COLOURS.length], "stroke-width": 2 }));
    nodes.push(svg("text", { x: pad + 4 + i * 110, y: 12, "font-size": 11, fill: COLOURS[i % COLOURS.length], class: "legend" }, s.name));
  });
  target.replaceChildren(...nodes);
}

function renderTopics(data) {
  const list = document.getElementById("topic-counts");
  list.replaceChildren(...Object.entries(data.counts).map(([t, n]) => el("li", t + ": " + n)));
  const top = Object.keys(data.counts).slice(0, 5);
  const rows = data.series;
  const max = Math.max(1, ...rows.flatMap((r) => top.map((t) => r.counts[t] || 0)));
  const series = top.map((t) => ({
    name: t,
    points: rows.map((r, i) => [rows.length > 1 ? i / (rows.length - 1) : 0, r.counts[t] || 0]),
  }));
  lineChart(document.getElementById("topic-chart"), series, 0, max);
}

function renderArticles(articles) {
  const body = document.getElementById("articles");
  body.replaceChildren(...articles.map((a) => {
    const row = el("tr");
    row.append(el("td", (a.published || "").slice(0, 10)));
    const title = el("td");
    if (a.url && /^https?:\/\//.test(a.url)) {
      const link = el("a", a.title || "(untitled)");
      link.href = a.url;
      link.rel = "noopener noreferrer";
      title.append(link);
    } else {
      title.textContent = a.title || "(untitled)";
    }
    row.append(title, el("td", a.source));
    const topics = el("td");
    for (const t of a.top_topics || []) topics.append(el("span", t, "topic"));
    row.append(topics);
    return row;
  }));
}

function renderSignals(signals) {
  const list = document.getElementById("signal-list");
  list.replaceChildren(...signals.map((s) => {
    const item = el("li");
    item.append(el("strong", s.signal_type + " " + s.pair.join("-") + (s.third_party ? " (" + s.third_party + ")" : "")));
    item.append(el("span", " " + s.summary + " · confidence " + s.confidence + " · " + s.independent_sources + " source(s) · v" + s.version));
    for (const e of (s.evidence || []).slice(0, 2)) item.append(el("div", "“" + e.sentence + "”", "evidence"));
    return item;
  }));
}

function renderHealth(health) {
  const s = health.stats;
  const rows = [
    ["articles processed", s.processed || 0],
    ["dead-lettered", s.deadlettered || 0],
    ["events coded", s.events || 0],
    ["signal versions", s.signals || 0],
    ["alerts", s.alerts || 0],
    ["webhooks to deliver", health.webhooks_outstanding],
  ];
  if (lastHealth) {
    const seconds = Math.max(health.time - lastHealth.time, 1e-3);
    const rate = ((s.handled || 0) - (lastHealth.stats.handled || 0)) / seconds;
    rows.splice(1, 0, ["throughput (records/s)", rate.toFixed(2)]);
  }
  for (const [topic, lag] of Object.entries(health.lag)) rows.push(["lag " + topic, lag]);
  lastHealth = health;
  document.getElementById("stats").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", k), el("dd", String(v))]));
}

async function showPair(event) {
  if (event) event.preventDefault();
  const a = document.getElementById("pair-a").value.trim().toUpperCase();
  const b = document.getElementById("pair-b").value.trim().toUpperCase();
  const note = document.getElementById("pair-note");
  try {
    const data = await getJson("/api/pairs/" + encodeURIComponent(a) + "/" + encodeURIComponent(b));
    const points = data.index;
    if (!points.length) { note.textContent = "No events for " + a + "-" + b + " yet."; return; }
    const t0 = points[0].t, t1 = points[points.length - 1].t;
    const scale = (t) => (t1 > t0 ? (t - t0) / (t1 - t0) : 0);
    lineChart(document.getElementById("pair-chart"), [
      { name: "index", points: points.map((p) => [scale(p.t), p.index]) },
      { name: "baseline", points: points.map((p) => [scale(p.t), p.baseline]) },
    ], -10, 10);
    note.textContent = points.length + " points, " + data.events.length + " recent events, " + data.signals.length + " signal(s).";
  } catch (error) {
    note.textContent = "Pair unavailable: " + error.message;
  }
}

let alertSource = null;

async function followAlerts(event) {
  if (event) event.preventDefault();
  const status = document.getElementById("alert-status");
  const key = document.getElementById("api-key").value.trim();
  const response = await fetch("/api/session", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key }),
  });
  if (!response.ok) { status.textContent = "That key was refused (" + response.status + ")."; return; }
  document.getElementById("api-key").value = "";
  if (alertSource) alertSource.close();
  alertSource = new EventSource("/api/alerts/stream?after=0-0");
  status.textContent = "Following alerts.";
  alertSource.addEventListener("alert", (message) => {
    const alert = JSON.parse(message.data);
    const item = el("li");
    item.append(el("strong", alert.subscription_name + ": "), el("span", alert.summary));
    for (const e of (alert.evidence || []).slice(0, 1)) item.append(el("div", "“" + e.sentence + "”", "evidence"));
    document.getElementById("alert-list").prepend(item);
  });
  alertSource.onerror = () => { status.textContent = "Alert stream interrupted; the browser reconnects and resumes."; };
}

async function refresh() {
  try {
    const [articles, topics, health, signals] = await Promise.all([
      getJson("/api/articles?limit=25"), getJson("/api/topics?minutes=60"),
      getJson("/api/health"), getJson("/api/signals?limit=20"),
    ]);
    renderArticles(articles.articles);
    renderTopics(topics);
    renderHealth(health);
    renderSignals(signals.signals);
    document.getElementById("health").textContent = "live, updated " + new Date().toLocaleTimeString();
  } catch (error) {
    document.getElementById("health").textContent = "API unreachable: " + error.message;
  }
}

document.getElementById("pair-form").addEventListener("submit", showPair);
document.getElementById("key-form").addEventListener("submit", followAlerts);
refresh();
showPair();
setInterval(refresh, 2000);
