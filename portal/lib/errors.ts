/**
 * The portal's one error vocabulary (shared/reference/style-anchors.md P10). An AppError is expected: its
 * `userMessage` is safe to show and its status is what the client gets. Anything else is unexpected: logged
 * with a reference, answered with a generic sentence and 500.
 */
export const ERROR_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_input: 422,
  unavailable: 503,
} as const;
export type TErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override readonly name = "AppError";
  readonly status: number;
  constructor(
    readonly code: TErrorCode,
    /** Shown to the user as is: never put internal detail here. */
    readonly userMessage: string,
    /** For the server log only. */
    internal?: string,
  ) {
    super(internal ?? userMessage);
    this.status = ERROR_STATUS[code];
  }
}

export function isExpectedError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The sentences used wherever access is refused, so no response says more than these. */
export const MESSAGES = {
  signIn: "Sign in to see this page.",
  notFound: "There is nothing here, or you do not have access to it.",
  adminOnly: "This page is for administrators.",
  contentView:
    "Reading message content (bodies, headers, attachments, EML files) of this mailbox needs the content view permission.",
} as const;
