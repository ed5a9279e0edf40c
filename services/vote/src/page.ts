import { VoteOptions } from "../../shared/src/common-config";
import { OptionKey } from "./voter-cookie";
import { escapeHtml } from "../../shared/src/html";

/** The vote page, rendered once at start for each possible current choice: no templating per request. */
export interface VotePages {
  byChoice: Record<OptionKey | "none", Buffer>;
  unavailable: Buffer;
  injectedFault: Buffer;
}


const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f4f8;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;padding:2rem 3rem;box-shadow:0 2px 12px #0002;text-align:center}
form{display:flex;gap:1rem;justify-content:center}
button{font-size:1.4rem;padding:1rem 2.5rem;border-radius:8px;border:2px solid #446;background:#fff;cursor:pointer}
button.chosen{background:#446;color:#fff}
p.note{color:#555}
p.error{color:#a00}`;

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${STYLE}</style></head>
<body><main>${content}</main></body></html>
`;
}

function votePage(options: VoteOptions, choice: OptionKey | "none"): string {
  const a = escapeHtml(options.a);
  const b = escapeHtml(options.b);
  const button = (key: OptionKey, label: string): string =>
    `<button type="submit" name="vote" value="${key}"${choice === key ? ' class="chosen" aria-pressed="true"' : ""}>${label}</button>`;
  const note =
    choice === "none"
      ? `<p class="note">Pick one. You can change your mind; only your last vote counts.</p>`
      : `<p class="note" id="current-choice">Your current vote: <strong>${choice === "a" ? a : b}</strong></p>`;
  return layout(`${a} vs ${b}!`, `<h1>${a} vs ${b}!</h1>
<form method="POST" action="/">${button("a", a)}${button("b", b)}</form>
${note}`);
}

export function renderVotePages(options: VoteOptions): VotePages {
  return {
    byChoice: {
      none: Buffer.from(votePage(options, "none")),
      a: Buffer.from(votePage(options, "a")),
      b: Buffer.from(votePage(options, "b")),
    },
    unavailable: Buffer.from(
      layout("Vote not recorded", `<h1>Your vote was not recorded</h1>
<p class="error">The vote queue is unavailable right now. Nothing was saved; please try again in a moment.</p>
<p><a href="/">Back to the vote</a></p>`),
    ),
    injectedFault: Buffer.from(
      layout("Error", `<h1>Something went wrong</h1>
<p class="error">This error was injected on purpose (fault injection demo). Nothing was saved.</p>
<p><a href="/">Back to the vote</a></p>`),
    ),
  };
}
