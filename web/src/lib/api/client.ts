import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { m } from '../paraglide/messages.js';

export type Schemas = components['schemas'];

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  retryAfter?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.status = problem.status;
    this.problem = problem;
  }
  /** The message for a form field named as the server names it (`body.email`). */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }
}

let unauthorized: () => void = () => undefined;

/** What to do when any call finds the session gone (the console returns to sign-in). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

api.use({
  onResponse({ request, response }) {
    // A refused sign-in (password or Firebase token) is the sign-in page's to explain, not a lost session.
    const path = new URL(request.url).pathname;
    if (response.status === 401 && path !== '/api/console/session' && path !== '/api/console/auth/firebase') unauthorized();
    return response;
  },
});

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the server's problem. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (cause) {
    throw new ApiError({ title: m.network_error(), status: 0, detail: cause instanceof Error ? cause.message : String(cause) });
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const problem = (typeof error === 'object' && error !== null ? error : {}) as Partial<Problem>;
  throw new ApiError({
    ...problem,
    title: problem.title ?? (response.statusText || m.error()),
    status: response.status,
    detail: problem.detail ?? (typeof error === 'string' && error ? error : undefined),
  });
}
