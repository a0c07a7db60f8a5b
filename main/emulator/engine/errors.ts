/** Stripe-shaped API errors. Thrown by handlers, serialized by the server. */
export interface ErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  param?: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  /** Whether an idempotent request that failed this way keeps the result (execution had begun). */
  readonly storeIdempotent: boolean;
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    opts: { storeIdempotent?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(body.message);
    this.storeIdempotent = opts.storeIdempotent ?? (status === 402 || status >= 500);
    this.headers = opts.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export function invalid(message: string, opts: { code?: string; param?: string; status?: number } = {}): ApiError {
  const body: ErrorBody = { type: 'invalid_request_error', message };
  if (opts.code) body.code = opts.code;
  if (opts.param) body.param = opts.param;
  return new ApiError(opts.status ?? 400, body);
}

/** 404 resource_missing, worded as Stripe does: "No such customer: 'cus_123'". */
export function missing(what: string, id: string, param = 'id'): ApiError {
  return invalid(`No such ${what}: '${id}'`, { code: 'resource_missing', param, status: 404 });
}

export function unknownParam(param: string): ApiError {
  return invalid(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
}

export function missingParam(param: string): ApiError {
  return invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}
