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
