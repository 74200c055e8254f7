// Live dashboard: polls the API every 2 s. All article text goes in with textContent, never
// innerHTML, so nothing a feed sends can run here (and the CSP forbids inline scripts anyway).
"use strict";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(path + ": " + response.status);
  return response.json();
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

function renderTopics(counts) {
  const list = document.getElementById("topic-counts");
  list.replaceChildren(...Object.entries(counts).map(([t, n]) => el("li", t + ": " + n)));
}

function renderStats(stats) {
  const list = document.getElementById("stats");
  list.replaceChildren(...Object.entries(stats).flatMap(([k, v]) => [el("dt", k), el("dd", String(v))]));
}

function renderSignals(signals) {
  const list = document.getElementById("signal-list");
  list.replaceChildren(...signals.map((s) => {
    const item = el("li");
    const head = el("strong", s.signal_type + " " + s.pair.join("-") +
      (s.third_party ? " (" + s.third_party + ")" : ""));
    item.append(head, el("span", " " + s.summary + " · confidence " + s.confidence +
      " · " + s.independent_sources + " source(s) · v" + s.version));
    for (const e of (s.evidence || []).slice(0, 2)) item.append(el("div", "“" + e.sentence + "”", "evidence"));
    return item;
  }));
}

async function refresh() {
  try {
    const [articles, topics, stats, signals] = await Promise.all([
      getJson("/api/articles?limit=25"), getJson("/api/topics?minutes=60"), getJson("/api/stats"),
      getJson("/api/signals?limit=20"),
    ]);
    renderSignals(signals.signals);
    renderArticles(articles.articles);
    renderTopics(topics.counts);
    renderStats(stats);
    document.getElementById("health").textContent = "live, updated " + new Date().toLocaleTimeString();
  } catch (error) {
    document.getElementById("health").textContent = "API unreachable: " + error.message;
  }
}

refresh();
setInterval(refresh, 2000);
