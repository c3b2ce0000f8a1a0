import type { TArchiveFolder } from "@coffer/db/archive/read-folders";
import Link from "next/link";
import { formatCount } from "../lib/format";

/**
 * The folder tree at the chosen time, as nested lists (screen readers announce the nesting level). In
 * Full View, folders deleted by then are listed too, marked. Following a folder link drops the search,
 * as the seed describes ("search strings are not retained when switching folders").
 */
export function FolderTree({
  folders,
  selected,
  hrefFor,
}: {
  folders: TArchiveFolder[];
  selected: string | undefined;
  hrefFor: (graphId: string) => string;
}) {
  const children = new Map<string | null, TArchiveFolder[]>();
  const ids = new Set(folders.map((f) => f.graphId));
  for (const f of folders) {
    const parent = f.parentGraphId && ids.has(f.parentGraphId) ? f.parentGraphId : null;
    children.set(parent, [...(children.get(parent) ?? []), f]);
  }
  const render = (parent: string | null, depth: number) => {
    const list = children.get(parent);
    if (!list?.length || depth > 32) return null;
    return (
      <ul className={depth === 0 ? "space-y-0.5" : "ml-3 space-y-0.5 border-l border-slate-200 pl-2"}>
        {list.map((f) => {
          const isSelected = f.graphId === selected;
          return (
            <li key={f.graphId}>
              <Link
                href={hrefFor(f.graphId)}
                aria-current={isSelected ? "page" : undefined}
                className={`flex items-center justify-between gap-2 rounded-md px-2 py-1 text-sm ${
                  isSelected
                    ? "bg-brand-50 font-semibold text-brand-900"
                    : "text-slate-800 hover:bg-slate-100"
                }`}
              >
                <span className={`truncate ${f.isDeleted ? "line-through decoration-slate-500" : ""}`}>
                  {f.displayName}
                  {f.isDeleted ? <span className="sr-only"> (deleted folder)</span> : null}
                  {f.isHidden ? <span className="text-slate-600"> (hidden)</span> : null}
                </span>
                {f.itemCount !== undefined ? (
                  <span className="shrink-0 text-xs tabular-nums text-slate-600">
                    {formatCount(f.itemCount)}
                    <span className="sr-only"> messages</span>
                  </span>
                ) : null}
              </Link>
              {render(f.graphId, depth + 1)}
            </li>
          );
        })}
      </ul>
    );
  };
  return (
    <nav aria-label="Folders" className="text-sm">
      {folders.length ? render(null, 0) : <p className="px-2 text-slate-600">No folders at this time.</p>}
    </nav>
  );
}
