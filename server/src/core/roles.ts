import type { BuiltinRoleDef } from './module.ts';

/**
 * The built-in roles, defined once. Modules do not declare roles: they add their permissions to these
 * by key (`roleGrants: { moderator: ['files.manage'] }`); an operator edits the rest in the console.
 */
export const BUILTIN_ROLES = {
  administrator: { key: 'administrator', name: 'Administrator', description: 'Full access to everything every enabled module offers.', permissions: 'all' },
  moderator: { key: 'moderator', name: 'Moderator', description: 'Reviews the moderation queues and reads people.', permissions: [] },
  support: { key: 'support', name: 'Support', description: 'Front-line staff: find people and organizations, edit them, write notes, block.', permissions: [] },
  finance: { key: 'finance', name: 'Finance', description: 'Reads balances and statements, makes adjustments, handles payout applications.', permissions: [] },
} as const satisfies Record<string, BuiltinRoleDef>;

export type BuiltinRoleKey = keyof typeof BUILTIN_ROLES;
