import type { TDefinitionVersionView } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime } from "../lib/format";
import { adminPaths } from "../lib/paths";
import { LINK } from "./ui";

/** Beside the definition form: the tasks that use it and its versions (each save is one). */
export function DefinitionDetails({
  definition,
}: {
  definition: { versions: TDefinitionVersionView[]; tasks: Array<{ id: string; name: string }> };
}) {
  return (
    <aside aria-labelledby="definition-facts" className="space-y-4 text-sm">
      <h2 id="definition-facts" className="text-lg font-semibold text-slate-900">
        About this definition
      </h2>
      <div>
        <h3 className="font-medium text-slate-700">Used by</h3>
        {definition.tasks.length ? (
          <ul className="mt-1 list-disc pl-5">
            {definition.tasks.map((t) => (
              <li key={t.id}>
                <Link href={adminPaths.task(t.id)} className={LINK}>
                  {t.name}
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-1 text-slate-700">No task.</p>
        )}
      </div>
      <div>
        <h3 className="font-medium text-slate-700">Versions</h3>
        <ol className="mt-1 space-y-1">
          {[...definition.versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <li key={v.version} className="text-slate-900">
                Version {v.version}: {formatDateTime(v.createdAt)}
                {v.createdBy ? <span className="text-slate-600"> by {v.createdBy}</span> : null}
              </li>
            ))}
        </ol>
      </div>
    </aside>
  );
}
