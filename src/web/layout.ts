import type { UserRow } from '../db/schema/users.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything that comes from users or files goes through this before it reaches a page. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#f7f8fa}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}header form{margin-left:auto}
main{max-width:72rem;margin:1.5rem auto;padding:0 1.2rem}
section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:1rem 1.2rem;margin-bottom:1.2rem}
table{border-collapse:collapse;font-size:.92rem}th,td{padding:.3rem .7rem;border-bottom:1px solid #eceef2;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#6b7280}.error{color:#b3261e}
input,button{font:inherit;padding:.4rem .6rem}button{cursor:pointer}
`;

export function page(title: string, body: string, user?: UserRow): string {
  const nav = user
    ? `<span class="muted">${escapeHtml(user.name)} (${user.role})</span><form method="post" action="/signout"><button>Sign out</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Quorum</title><style>${STYLE}</style></head>
<body><header><a href="/">Quorum</a>${nav}</header><main>${body}</main></body></html>`;
}
