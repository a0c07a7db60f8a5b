import type { CallError, ErrorCode } from '../../preload/contract';

/** A failure the user should see: a code the renderer translates, and an English message with specifics. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<CallError, 'code' | 'message'> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
  toCallError(): CallError {
    return { code: this.code, message: this.message, ...this.extra };
  }
}
