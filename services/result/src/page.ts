import { VoteOptions } from "../../shared/src/common-config";
import { Tally } from "./tally";
import { escapeHtml } from "../../shared/src/html";


const SCRIPT = `
const el = (id) => document.getElementById(id);
function show(t) {
  const pa = t.total ? Math.round((100 * t.a) / t.total) : 50;
  el("count-a").textContent = t.a; el("count-b").textContent = t.b;
  el("pct-a").textContent = pa + "%"; el("pct-b").textContent = (100 - pa) + "%";
  el("bar-a").style.width = pa + "%";
  el("total").textContent = t.total === 1 ? "1 vote" : t.total + " votes";
}
new EventSource("/events").onmessage = (e) => show(JSON.parse(e.data));`;

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f4f8;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;padding:2rem 3rem;box-shadow:0 2px 12px #0002;text-align:center;min-width:22rem}
.row{display:flex;justify-content:space-between;font-size:1.4rem}
.bar{background:#c84;height:1rem;border-radius:4px;margin:1rem 0;overflow:hidden}
#bar-a{background:#446;height:100%}`;

/** The result page with the tally known when it was asked for; the page then follows /events. */
export function renderResultPage(options: VoteOptions, tally: Tally): string {
  const total = tally.a + tally.b;
  const pa = total ? Math.round((100 * tally.a) / total) : 50;
  const a = escapeHtml(options.a);
  const b = escapeHtml(options.b);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${a} vs ${b}: results</title><style>${STYLE}</style></head>
<body><main><h1>${a} vs ${b}</h1>
<div class="row"><span>${a}: <b id="count-a">${tally.a}</b> (<span id="pct-a">${pa}%</span>)</span>
<span>${b}: <b id="count-b">${tally.b}</b> (<span id="pct-b">${100 - pa}%</span>)</span></div>
<div class="bar"><div id="bar-a" style="width:${pa}%"></div></div>
<p id="total">${total === 1 ? "1 vote" : `${total} votes`}</p>
<script>${SCRIPT}</script></main></body></html>
`;
}
