import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Router from 'find-my-way';
import { DomainError, type ErrorKind } from '../errors.ts';
import { HttpProblem, problemBody, type FieldError } from './problem.ts';

const CONTEXT_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Ajv's errors into `body.email`-style field names with readable messages. */
function fieldErrors(context: string, issues: AjvIssue[]): FieldError[] {
  const prefix = CONTEXT_NAMES[context] ?? context;
  return issues.map((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean);
    if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
      path.push(issue.params.missingProperty);
      return { field: [prefix, ...path].join('.'), message: 'is required' };
    }
    if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
      path.push(issue.params.additionalProperty);
      return { field: [prefix, ...path].join('.'), message: 'is not allowed' };
    }
    return { field: [prefix, ...path].join('.'), message: issue.message ?? 'is invalid' };
  });
}

function send(reply: FastifyReply, request: FastifyRequest, status: number, title: string, detail?: string, extra = {}) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(problemBody(status, title, detail, request.url.split('?')[0] ?? request.url, extra));
}

/**
 * Errors Fastify answers before any route or hook runs (a malformed URL, a path parameter past the
 * router's length limit): problem+json like every other answer.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return send(reply, request, 414, 'URI Too Long', 'A part of this address is longer than any identifier this server uses.');
  if (error.code === 'FST_ERR_BAD_URL') return send(reply, request, 400, 'Bad Request', 'This address is not valid (malformed percent-encoding?).');
  return send(reply, request, error.statusCode ?? 400, 'Bad Request', error.message.replace(/^FST_\w+: /, ''));
}

const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_type: 415,
  unprocessable: 422,
  outdated_client: 426,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * A domain error as problem+json: its kind gives the status, its fields get the transport's prefix
 * (`amount` → `body.amount`), its code and extra facts travel in the body for clients to branch on.
 */
export function domainProblem(error: DomainError) {
  const status = STATUS_OF[error.kind];
  const errors = error.fieldIssues.map((issue) => ({ field: `${issue.in ?? 'body'}.${issue.field}`, message: issue.message }));
  const detail = error.kind === 'invalid' && error.details.field !== undefined ? `${errors[0]!.field} ${error.message}` : error.message;
  const retryAfter = error.details.retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(error.details.retryAfterSeconds));
  const extra = { code: error.code, ...error.details.extra, ...(errors.length > 0 ? { errors } : {}), ...(retryAfter ? { retryAfter } : {}) };
  return { status, title: TITLES[status] ?? 'Error', detail, extra, headers: retryAfter ? { 'retry-after': String(retryAfter) } : {} };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Answers a GET that matched no route (a client-side route of a single-page app), or leaves it to the 404. */
export type ConsoleFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

/** Every error leaves the server as application/problem+json; a 5xx never carries internals. */
export interface ErrorHandling {
  /** Answers a GET that matched no route, before it becomes a 404 (the console's client-side routes). */
  consoleFallback?: ConsoleFallback;
}

export function registerErrorHandling(app: FastifyInstance): ErrorHandling {
  const handling: ErrorHandling = {};
  const routes = Router();

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const upper = method.toUpperCase() as Router.HTTPMethod;
      if (!routes.hasRoute(upper, route.url)) routes.on(upper, route.url, () => undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      const problem = domainProblem(error);
      if (problem.status >= 500) request.log.error({ err: error, reqId: request.id }, error.message);
      reply.headers(problem.headers);
      return send(reply, request, problem.status, problem.title, problem.detail, problem.extra);
    }
    if (error instanceof HttpProblem) {
      if (error.status >= 500) request.log.error({ err: error, reqId: request.id }, error.message);
      reply.headers(error.headers);
      return send(reply, request, error.status, error.title, error.detail, error.extra);
    }
    if (error.validation) {
      const errors = fieldErrors(error.validationContext ?? 'body', error.validation as AjvIssue[]);
      const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return send(reply, request, 400, 'Bad Request', detail, { errors });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const detail = status === 413 ? 'The request body is larger than this server accepts.' : error.message.replace(/^FST_\w+: /, '');
      return send(reply, request, status, TITLES[status] ?? 'Bad Request', detail);
    }
    request.log.error({ err: error, reqId: request.id }, 'unexpected error');
    return send(reply, request, 500, 'Internal Server Error', `Something went wrong. Reference: ${request.id}`);
  });

  app.setNotFoundHandler((request, reply) => {
    const fallback = handling.consoleFallback?.(request, reply);
    if (fallback) return fallback;
    const path = request.url.split('?')[0] ?? '/';
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => method !== request.method && routes.find(method as 'GET', path) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return send(reply, request, 405, 'Method Not Allowed', `${request.method} is not allowed here; use ${allowed.join(', ')}.`);
    }
    return send(reply, request, 404, 'Not Found', `No route ${request.method} ${path}.`);
  });
  return handling;
}
