import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { createOrganization, getOrganization, listOrganizations } from '../../people/organizations.ts';
import { CreatorsError } from '../errors.ts';

/** An agency is an organization (people module) of kind `agency`. */
export async function createAgency(ctx: ServiceContext, input: { name: string; details?: Record<string, unknown> }) {
  return createOrganization(ctx, { name: input.name, kind: 'agency', details: input.details });
}

/** Refuses, naming `field`, anything but an active agency. */
export async function assertActiveAgency(db: Executor, id: string, field: string): Promise<void> {
  const organization = await getOrganization(db, id).catch(() => undefined);
  if (!organization || organization.kind !== 'agency') throw CreatorsError.invalid(field, 'is not an agency');
  if (organization.status !== 'active') throw CreatorsError.conflict(`The agency is ${organization.status}.`, field);
}

/** Agencies by name, through the organization search. */
export async function searchAgencies(db: Executor, query: { q?: string; status?: 'active' | 'suspended' | 'closed'; cursor?: string; limit: number }) {
  return listOrganizations(db, { ...query, kind: 'agency' });
}
