"use client";

import "./globals.css";

/**
 * Replaces the whole document when the root layout itself fails, so it brings its own html/body and
 * imports the global styles (Next does not apply them to this page otherwise).
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <html lang="en">
      <body className="font-sans">
        <main className="mx-auto max-w-2xl px-4 py-20">
          <title>Something went wrong · Coffer</title>
          <h1 className="text-3xl font-bold text-slate-900">Something went wrong</h1>
          <p className="mt-4 text-lg text-slate-700">
            Coffer could not show this page. Try again; if it keeps failing, tell your administrator.
          </p>
          {digest ? (
            <p className="mt-3 text-sm text-slate-600">
              Reference for your administrator: <code className="font-mono">{digest}</code>
            </p>
          ) : null}
          <div className="mt-8 flex gap-3">
            <button
              type="button"
              onClick={() => retry()}
              className="rounded-md bg-brand-800 px-4 py-2 text-sm font-medium text-white hover:bg-brand-900"
            >
              Try again
            </button>
            <a
              href="/"
              className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-800"
            >
              Go to the overview
            </a>
          </div>
        </main>
      </body>
    </html>
  );
}
