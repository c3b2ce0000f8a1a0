import { DEMO_PASSWORD } from "../model/tenant";
import type { Simulator } from "../sim";

/**
 * The simulator's sign-in page. One form (Entra's real page is two-step); field names follow
 * Entra's (`login`/`loginfmt`, `passwd`) and the submit button has Entra's id `idSIButton9`, so
 * browser tests read naturally: fill "Email address" and "Password", click "Sign in".
 */

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

const STYLE = `body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:48px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}label{display:block;margin:12px 0 4px}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:6px 0;border:0;border-bottom:1px solid #666;font-size:15px}
button{margin-top:24px;background:#0067b8;color:#fff;border:0;padding:8px 24px;font-size:15px;cursor:pointer}
.error{color:#c00;margin:8px 0}.hint{color:#555;font-size:13px}ul{padding-left:18px;max-height:220px;overflow:auto}
.tenant{color:#555;font-size:13px;margin-bottom:20px}`;

export function messagePage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main><h1>${esc(title)}</h1><p>${message}</p></main></body></html>`;
}

export function loginPage(
  sim: Simulator,
  params: URLSearchParams,
  login: string,
  error: string | undefined,
): string {
  const hidden = [...params.entries()]
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("");
  const users = [...sim.tenant.users.values()].filter((u) => u.accountEnabled).slice(0, 200);
  const options = users
    .map((u) => `<option value="${esc(u.userPrincipalName)}">${esc(u.displayName)}</option>`)
    .join("");
  const list = users
    .slice(0, 30)
    .map((u) => `<li>${esc(u.displayName)} — <code>${esc(u.userPrincipalName)}</code></li>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title><style>${STYLE}</style></head>
<body><main>
<h1>Sign in</h1>
<p class="tenant">Microsoft 365 simulator · tenant ${esc(sim.tenant.domain)}</p>
${error ? `<p class="error" role="alert" id="passwordError">${esc(error)}</p>` : ""}
<form method="post" id="signin" autocomplete="off">
${hidden}
<label for="i0116">Email address</label>
<input type="email" id="i0116" name="login" value="${esc(login)}" list="tenant-users" required autofocus aria-label="Email address">
<datalist id="tenant-users">${options}</datalist>
<label for="i0118">Password</label>
<input type="password" id="i0118" name="passwd" required aria-label="Password">
<button type="submit" id="idSIButton9">Sign in</button>
</form>
<p class="hint">Demo password: <code>${esc(DEMO_PASSWORD)}</code> (unless the user was created with another one).</p>
<details><summary>Users in this tenant</summary><ul>${list}</ul></details>
</main></body></html>`;
}
