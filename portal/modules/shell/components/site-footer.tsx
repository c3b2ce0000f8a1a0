export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-slate-50">
      <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-6 text-sm text-slate-600 sm:flex-row sm:justify-between sm:px-6">
        <p>Coffer: self-hosted archive, sync &amp; recover for Microsoft 365 mailboxes.</p>
        <p>
          <a className="underline hover:text-slate-900" href="/api/health">
            Health (JSON)
          </a>
        </p>
      </div>
    </footer>
  );
}
