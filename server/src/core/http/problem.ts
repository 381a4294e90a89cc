/** An error of the HTTP layer itself (sessions, content types), answered as RFC 9457 problem+json; services throw domain errors (core/errors). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/** A 400 naming the field of the request (with its `body.`/`query.` part): for the HTTP layer's own checks. */
export const invalidField = (field: string, message: string) => new HttpProblem(400, 'Bad Request', `${field} ${message}`, { errors: [{ field, message }] });
export const unauthorized = (detail = 'Sign in to continue.') => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail = 'You do not have permission to do this.') => new HttpProblem(403, 'Forbidden', detail);

export function problemBody(status: number, title: string, detail: string | undefined, instance: string, extra = {}) {
  return { type: 'about:blank', title, status, ...(detail ? { detail } : {}), instance, ...extra };
}
