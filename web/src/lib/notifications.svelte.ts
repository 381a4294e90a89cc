import { ApiError } from './api/client';
import { m } from './paraglide/messages.js';

export interface Toast {
  id: number;
  kind: 'error' | 'success' | 'info' | 'warning';
  title: string;
  subtitle?: string;
}

let next = 1;
export const toasts: Toast[] = $state([]);

export function notify(toast: Omit<Toast, 'id'>, timeoutMs = toast.kind === 'error' ? 10_000 : 5_000): void {
  const id = next++;
  // The same message twice in a row (a list and its retry) shows once.
  const last = toasts.at(-1);
  if (last && last.title === toast.title && last.subtitle === toast.subtitle) return;
  toasts.push({ ...toast, id });
  if (toasts.length > 4) toasts.splice(0, toasts.length - 4);
  setTimeout(() => dismiss(id), timeoutMs);
}

export function dismiss(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

/** Shows an API failure with the server's own message; a lost session is handled by the redirect instead. */
export function notifyError(error: unknown, title?: string): void {
  if (error instanceof ApiError) {
    if (error.status === 401) return;
    // A problem's title is the server's English reason phrase ("Conflict"): the toast names the failure in the
    // console's language and shows the detail, which says what went wrong.
    notify({ kind: 'error', title: title ?? (error.status === 0 ? m.network_error() : m.error()), subtitle: error.problem.detail });
  } else {
    notify({ kind: 'error', title: title ?? m.error(), subtitle: error instanceof Error ? error.message : String(error) });
  }
}
