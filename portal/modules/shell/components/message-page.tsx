import type { ReactNode } from "react";

/** The layout of not-found and error pages: a heading, a sentence, and ways forward. */
export function MessagePage({
  code,
  title,
  children,
  actions,
}: {
  code: string;
  title: string;
  children: ReactNode;
  actions: ReactNode;
}) {
  return (
    <div className="mx-auto flex max-w-2xl flex-col items-start px-4 py-20 sm:px-6">
      <p className="text-sm font-semibold uppercase tracking-wider text-brand-700">{code}</p>
      <h1 className="mt-2 text-3xl font-bold tracking-tight text-slate-900">{title}</h1>
      <div className="mt-4 text-lg text-slate-700">{children}</div>
      <div className="mt-8 flex flex-wrap gap-3">{actions}</div>
    </div>
  );
}

export const ACTION_PRIMARY =
  "inline-flex items-center rounded-md bg-brand-800 px-4 py-2 text-sm font-medium text-white hover:bg-brand-900";
export const ACTION_SECONDARY =
  "inline-flex items-center rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50";
