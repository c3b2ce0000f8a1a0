import Link from "next/link";
import type { ReactNode } from "react";

function Card({ title, children, links }: { title: string; children: ReactNode; links: ReactNode }) {
  return (
    <li className="flex flex-col rounded-xl border border-slate-200 p-6">
      <h3 className="text-lg font-semibold text-slate-900">{title}</h3>
      <div className="mt-2 flex-1 text-slate-700">{children}</div>
      <div className="mt-4 flex flex-wrap gap-3">{links}</div>
    </li>
  );
}

const primary =
  "inline-flex items-center rounded-md bg-brand-800 px-4 py-2 text-sm font-medium text-white hover:bg-brand-900";
const secondary =
  "inline-flex items-center rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50";

/** Links to what this installation serves today. */
export function OnThisServer() {
  return (
    <section aria-labelledby="server-title" className="mx-auto max-w-6xl px-4 py-14 sm:px-6">
      <h2 id="server-title" className="text-2xl font-bold tracking-tight text-slate-900">
        On this server
      </h2>
      <ul className="mt-8 grid gap-6 md:grid-cols-2">
        <Card
          title="System status"
          links={
            <>
              <Link className={primary} href="/status">
                View system status
              </Link>
              <a className={secondary} href="/api/health">
                Health check (JSON)
              </a>
            </>
          }
        >
          <p>
            Whether this portal can reach its PostgreSQL database and whether the database schema is current.
          </p>
        </Card>
        <Card
          title="Outlook add-in"
          links={
            <>
              <a className={primary} href="/addin/taskpane.html">
                Open the task pane
              </a>
              <a className={secondary} href="/addin/manifest.xml" download>
                Download manifest.xml
              </a>
            </>
          }
        >
          <p>
            The Coffer pane opens next to a message in Outlook. Opened in a browser, it explains that it needs
            Outlook. Administrators install the add-in from its manifest.
          </p>
        </Card>
      </ul>
    </section>
  );
}
