import type { THighlightedText } from "@coffer/db/archive/search";
import type { ReactNode } from "react";

/** Text with the search matches marked (`<mark>`: announced as highlighted by screen readers). */
export function Highlighted({ value }: { value: THighlightedText }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of value.highlights) {
    if (start < at) continue;
    if (start > at) parts.push(value.text.slice(at, start));
    parts.push(
      <mark key={start} className="rounded-sm bg-yellow-200 px-0.5 text-slate-900">
        {value.text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  if (at < value.text.length) parts.push(value.text.slice(at));
  return <>{parts}</>;
}
