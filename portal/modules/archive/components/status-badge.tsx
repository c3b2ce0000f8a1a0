/** Full View markers: a message that was deleted since, or moved to another folder since. */
export function ItemStatusBadge({ status }: { status: "current" | "moved" | "deleted" }) {
  if (status === "current") return null;
  return status === "deleted" ? (
    <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-800">Deleted</span>
  ) : (
    <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900">Moved</span>
  );
}

export function PaperclipIcon({ label }: { label: string }) {
  return (
    <span title={label}>
      <svg viewBox="0 0 20 20" className="inline h-4 w-4 text-slate-600" aria-hidden="true" focusable="false">
        <path
          d="M13.5 6.5 7.8 12.2a1.5 1.5 0 0 0 2.1 2.1l6-6a3 3 0 0 0-4.2-4.2l-6.4 6.4a4.5 4.5 0 0 0 6.4 6.4l5-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          strokeLinecap="round"
        />
      </svg>
      <span className="sr-only">{label}</span>
    </span>
  );
}
