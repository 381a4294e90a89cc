import { ApiError } from './api/client';

/** The server's message for one field of a failed request (`body.email`), for a Carbon `invalidText`. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(`body.${field}`) : undefined;
}

/** Role choices for a user editor: a role whose permissions you do not all hold cannot be handed out. */
export function roleItems(roles: { id: string; name: string; permissions: string[] }[], mine: string[], suffix: string) {
  const held = new Set(mine);
  return roles.map((role) => {
    const grantable = role.permissions.every((p) => held.has(p));
    return { id: role.id, text: grantable ? role.name : `${role.name} (${suffix})`, disabled: !grantable };
  });
}

/** A failure not tied to a field (a conflict, a refusal), shown under the form. */
export function formError(error: unknown): string {
  if (!error) return '';
  if (error instanceof ApiError && error.problem.errors?.some((e) => e.field.startsWith('body.'))) return '';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether two form values are the same: deep, objects by their keys in any order (a key holding `undefined`
 * counts as absent), arrays in order, Sets as sets, numbers by value (NaN equals NaN).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const item of a) if (!b.has(item)) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
    const [ka, kb] = [keys(a), keys(b)];
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * Whether a form has something to save: its fields differ from the values it started from (the saved
 * record). Every edit form keeps its Save button disabled while this is false:
 * `disabled={!isDirty(saved, { name, email }) || save.isPending}`.
 */
export function isDirty(saved: unknown, current: unknown): boolean {
  return !sameValue(saved, current);
}
