/**
 * Domain errors: what went wrong in words any caller understands (a route, a job, a bot, a subscriber).
 * A module declares its codes once with their kind; only `core/http` turns a kind into a status and a
 * field into `body.amount`.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_type'
  | 'unprocessable'
  | 'outdated_client'
  | 'rate_limited'
  | 'unavailable';

/** Where a field came from; services name the input's own path and leave the transport's part to it. */
export type FieldSource = 'body' | 'query' | 'params' | 'headers';

export interface FieldIssue {
  /** The path inside the input: `amount`, `items.0.coins`. */
  field: string;
  message: string;
  in?: FieldSource;
}

export interface ErrorDetails {
  /** The one input field this is about (the message then reads "<field> <message>"). */
  field?: string;
  in?: FieldSource;
  /** Several fields at once. */
  fields?: FieldIssue[];
  /** For `rate_limited`: when to try again. */
  retryAfterSeconds?: number;
  /** Facts a client may branch on (a state, the owning module), passed through as they are. */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly module: string,
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = `${module}:${code}`;
  }

  /** Every field the error names, with its source (body unless said otherwise). */
  get fieldIssues(): FieldIssue[] {
    const { field, fields = [] } = this.details;
    const first = field === undefined ? [] : [{ field, message: this.message, in: this.details.in }];
    return [...first, ...fields];
  }
}

/** Codes every module may throw without declaring them. */
const COMMON = {
  invalid: 'invalid',
  not_found: 'not_found',
  forbidden: 'forbidden',
  conflict: 'conflict',
} as const satisfies Record<string, ErrorKind>;

/**
 * A module's error class from its code table:
 * `export class LedgerError extends defineErrors('ledger', { insufficient_funds: 'conflict' }) {}`
 * then `throw new LedgerError('insufficient_funds', 'Insufficient funds …', { field: 'amount' })`.
 */
export function defineErrors<const Codes extends Record<string, ErrorKind>>(module: string, codes: Codes) {
  const table: Record<string, ErrorKind> = { ...COMMON, ...codes };
  type Code = (keyof Codes | keyof typeof COMMON) & string;
  return class ModuleError extends DomainError {
    static readonly module = module;
    constructor(code: Code, message: string, details?: ErrorDetails) {
      super(module, code, table[code] ?? 'invalid', message, details);
    }
    /** One input field is wrong: `invalid('email', 'is taken')` reads "email is taken". */
    static invalid(field: string, message: string, source?: FieldSource) {
      return new this('invalid', message, { field, in: source });
    }
    static notFound(message: string) {
      return new this('not_found', message);
    }
    static forbidden(message = 'You do not have permission to do this.') {
      return new this('forbidden', message);
    }
    /** A conflict with the state of things; `field` names the input it is about, if one. */
    static conflict(message: string, field?: string) {
      return new this('conflict', message, field === undefined ? {} : { field });
    }
  };
}

/** Errors of the kernel itself (paging, dates, access). */
export class CoreError extends defineErrors('core', { unauthenticated: 'unauthenticated' }) {}
