import { AUDIENCES } from "../content";

export function Audiences() {
  return (
    <section aria-labelledby="audiences-title" className="mx-auto max-w-6xl px-4 py-14 sm:px-6">
      <h2 id="audiences-title" className="text-2xl font-bold tracking-tight text-slate-900">
        What Coffer does for you
      </h2>
      <ul className="mt-8 grid gap-6 md:grid-cols-3">
        {AUDIENCES.map((audience) => (
          <li key={audience.id} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h3 className="text-lg font-semibold text-slate-900">{audience.title}</h3>
            <p className="mt-2 text-slate-700">{audience.lead}</p>
            <ul className="mt-4 list-disc space-y-2 pl-5 text-sm text-slate-600">
              {audience.points.map((point) => (
                <li key={point}>{point}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
