import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { addNote } from './notes.ts';
import { createOrganization, setMember } from './organizations.ts';
import { blockPerson, createPerson } from './people.ts';

/** Names for demo people (other modules' demos draw from them too). */
export const FIRST = [
  'Anna',
  'Mikhail',
  'Sofia',
  'Daniel',
  'Olga',
  'Pedro',
  'Mei',
  'Yusuf',
  'Ivana',
  'Tom',
  'Lucia',
  'Arjun',
  'Nadia',
  'Oscar',
  'Elena',
  'Kenji',
];
export const LAST = ['Sokolova', 'Petrenko', 'Rossi', 'Novak', 'Kim', 'Garcia', 'Larsen', 'Aydin', 'Horvat', 'Brown'];

/** Two agencies and a broker, each with an owner and a manager, and forty people with Telegram, email and app identities, a note and a block. */
export async function seedPeopleDemo(kernel: Kernel): Promise<void> {
  await kernel.write(systemActor('demo'), async (ctx) => {
    const orgs = [
      await createOrganization(ctx, {
        name: 'Starlight Agency',
        kind: 'agency',
        details: { legalName: 'Starlight Media LLC', country: 'CY' },
        tags: ['tier-1'],
      }),
      await createOrganization(ctx, { name: 'Nova Talent', kind: 'agency', details: { legalName: 'Nova Talent OÜ', country: 'EE' } }),
      await createOrganization(ctx, { name: 'Harbor Brokers', kind: 'broker', details: { legalName: 'Harbor Brokers Ltd', country: 'GB' } }),
    ];
    for (let i = 0; i < 40; i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[(i * 7) % LAST.length]!;
      const email = `${first}.${last}${i}@example.net`.toLowerCase();
      const person = await createPerson(ctx, {
        displayName: `${first} ${last}`,
        locale: i % 3 === 0 ? 'ru' : 'en',
        contacts: [{ kind: 'email', value: email }, ...(i % 4 === 0 ? [{ kind: 'phone' as const, value: `+3575550${1000 + i}` }] : [])],
        tags: i % 5 === 0 ? ['vip'] : i % 7 === 0 ? ['streamer'] : [],
        publicProfile: { bio: `Hello, I am ${first}.`, city: i % 2 ? 'Limassol' : 'Tallinn' },
        privateProfile: { birthDate: `199${i % 10}-0${(i % 9) + 1}-1${i % 9}` },
        identities: [
          { provider: 'telegram', externalId: String(700000000 + i * 1013) },
          { provider: 'email', externalId: email },
          ...(i % 2 === 0 ? [{ provider: 'app', externalId: `app-${(i * 48271).toString(36)}` }] : []),
        ],
      });
      // An owner and a manager for each; the broker's members too. An agency's other members are its
      // streamers, who join it when the creators demo registers them.
      if (i < 6) await setMember(ctx, orgs[i % 3]!.id, person.id, i < 3 ? 'owner' : 'manager');
      else if (i < 12 && i % 3 === 2) await setMember(ctx, orgs[2]!.id, person.id, 'member');
      if (i === 5)
        await addNote(
          ctx,
          'person',
          person.id,
          { id: '00000000-0000-0000-0000-000000000000', name: 'Demo' },
          'Asked for a refund on 12 March; resolved by support.',
        );
      if (i === 9) await blockPerson(ctx, person.id, { reason: 'spam', note: 'Sent the same link to 40 people.' });
    }
  });
}
