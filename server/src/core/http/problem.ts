/** An error a route may throw; the error handler answers it as RFC 9457 problem+json. */
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

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'Bad Request', detail, errors ? { errors } : {});
export const invalidField = (field: string, message: string) =>
  badRequest(`${field} ${message}`, [{ field, message }]);
export const unauthorized = (detail = 'Sign in to continue.') => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail = 'You do not have permission to do this.') => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail = 'Not found.') => new HttpProblem(404, 'Not Found', detail);
/** A 409; when the conflict is about one field (a taken email, a role name), it is named like a 400's. */
export const conflict = (detail: string, field?: string) =>
  new HttpProblem(409, 'Conflict', detail, field ? { errors: [{ field, message: detail }] } : {});
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new HttpProblem(429, 'Too Many Requests', detail, { retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) }, {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

export function problemBody(status: number, title: string, detail: string | undefined, instance: string, extra = {}) {
  return { type: 'about:blank', title, status, ...(detail ? { detail } : {}), instance, ...extra };
}
