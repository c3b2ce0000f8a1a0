/** The Coffer mark (a chest with a keyhole), the same drawing as app/icon.svg and the add-in icons. */
export function CofferMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 100 100" aria-hidden="true" focusable="false" className={className}>
      <rect width="100" height="100" rx="22" fill="#3730a3" />
      <path d="M29 22h42a10 10 0 0 1 10 10v8H19v-8a10 10 0 0 1 10-10z" fill="#fff" />
      <rect x="19" y="45" width="62" height="35" rx="5" fill="#fff" />
      <circle cx="50" cy="57" r="6" fill="#3730a3" />
      <rect x="47.5" y="57" width="5" height="12" fill="#3730a3" />
    </svg>
  );
}
