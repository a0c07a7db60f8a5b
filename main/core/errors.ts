import type { CallError, ErrorCode } from '../../preload/contract';
import { errorDetails } from './error-texts';

/**
 * A failure the user should see: a code the renderer translates, and an English message with
 * specifics, which goes out with its Japanese text (error-texts.ts) so no detail is shown in English
 * under Japanese text.
 */
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
    return { code: this.code, message: this.message, localized: errorDetails(this.message), ...this.extra };
  }
}
