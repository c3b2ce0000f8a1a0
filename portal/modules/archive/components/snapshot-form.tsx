/**
 * The snapshot date and time picker with "Load mailbox" (seed 000). A GET form: loading a snapshot is a
 * URL. The time is read as UTC (the label says so); empty means now. Loading starts at the default folder.
 */
export function SnapshotForm({
  action,
  atValue,
  maxValue,
  fullView,
  type,
}: {
  action: string;
  atValue: string;
  maxValue: string;
  fullView: boolean;
  type: string;
}) {
  return (
    <form
      action={action}
      method="get"
      className="flex flex-wrap items-end gap-x-4 gap-y-2"
      aria-label="Snapshot"
    >
      {type !== "mail" ? <input type="hidden" name="type" value={type} /> : null}
      <div>
        <label htmlFor="snapshot-at" className="block text-sm font-medium text-slate-800">
          Snapshot date and time (UTC)
        </label>
        <input
          id="snapshot-at"
          name="at"
          type="datetime-local"
          step={1}
          max={maxValue}
          defaultValue={atValue}
          aria-describedby="snapshot-at-hint"
          className="mt-1 rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm text-slate-900"
        />
        <p id="snapshot-at-hint" className="mt-1 text-xs text-slate-600">
          Leave empty for now.
        </p>
      </div>
      <div className="flex items-center gap-2 pb-6">
        <input
          id="snapshot-full"
          name="full"
          type="checkbox"
          value="1"
          defaultChecked={fullView}
          className="h-4 w-4"
        />
        <label htmlFor="snapshot-full" className="text-sm font-medium text-slate-800">
          Full View (show deleted and moved messages)
        </label>
      </div>
      <div className="pb-6">
        <button
          type="submit"
          className="rounded-md bg-brand-800 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-900"
        >
          Load mailbox
        </button>
      </div>
    </form>
  );
}
