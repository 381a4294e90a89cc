import { randomBytes } from 'node:crypto';
import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { preparePassword } from './passwords.ts';
import { createRole } from './roles.ts';
import { createStaffUser } from './users.ts';

const DEMO_PEOPLE = [
  'Alice Moreau',
  'Boris Ivanov',
  'Chen Wei',
  'Dana Kowalski',
  'Emeka Obi',
  'Farida Haddad',
  'Gustavo Lima',
  'Hana Sato',
  'Igor Petrov',
  'Julia Novak',
  'Kofi Mensah',
  'Lena Schmidt',
];

/** The event log shows an entry only with its module's read permission, so an auditor holds those too. */
const AUDITOR_PERMISSIONS = ['events.read', 'people.read', 'ledger.read', 'payouts.read', 'creators.read'];

/** A few staff users and an Auditor role, so the console's lists have something to show. */
export async function seedStaffDemo(kernel: Kernel): Promise<void> {
  const passwords = await Promise.all(DEMO_PEOPLE.map(() => preparePassword(randomBytes(12).toString('base64url'), 'password')));
  await kernel.write(systemActor('demo'), async (ctx) => {
    const known = new Set(kernel.catalogue.permissions.keys());
    const auditor = await createRole(ctx, known, {
      name: 'Auditor',
      description: 'Reads the event log and the records its entries are about, changes nothing.',
      permissions: AUDITOR_PERMISSIONS.filter((p) => known.has(p)),
    });
    for (const [index, name] of DEMO_PEOPLE.entries()) {
      const email = `${name.split(' ')[0]!.toLowerCase()}@demo.switchboard.local`;
      await createStaffUser(ctx, {
        email,
        name,
        password: passwords[index]!,
        roleIds: index % 3 === 0 ? [auditor.id] : [],
        locale: index % 2 === 0 ? 'en' : 'ru',
      });
    }
  });
}
