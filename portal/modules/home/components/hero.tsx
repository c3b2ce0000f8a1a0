export function Hero() {
  return (
    <section aria-labelledby="hero-title" className="bg-brand-950 text-white">
      <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6 sm:py-20">
        <p className="text-sm font-semibold uppercase tracking-wider text-brand-100">
          Archive · Sync · Recover
        </p>
        <h1 id="hero-title" className="mt-3 text-4xl font-bold tracking-tight sm:text-5xl">
          Coffer
        </h1>
        <p className="mt-4 max-w-2xl text-lg text-slate-100 sm:text-xl">
          Your organisation&apos;s Microsoft 365 mailboxes, archived on servers you run. Every message,
          calendar, contact, task and note, kept for as long as your policies say and recoverable as it was at
          any point in time.
        </p>
      </div>
    </section>
  );
}
