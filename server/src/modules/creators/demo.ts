import sharp from 'sharp';
import { systemActor } from '../../core/actor.ts';
import { onMovedClock } from '../../core/moved-clock.ts';
import { fileService } from '../files/index.ts';
import { PLATFORM_OWNER } from '../files/service.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { DEMO_TARIFFS } from './tariffs/defaults.ts';
import { saveTariff, type CallKind } from './tariffs/service.ts';
import { openDirect } from '../chat/conversations.ts';
import { sendMessage } from '../chat/messages.ts';
import { report } from '../chat/reports.ts';
import { addGreeting } from './social/greetings.ts';
import { DIRECT_CHAT } from './social/chat.ts';
import { realtimeHub } from '../../core/realtime/hub.ts';
import { FIRST, LAST } from '../people/demo.ts';
import { createPerson, listPeople, type Person } from '../people/people.ts';
import { listOrganizations, membershipsOf, setMember } from '../people/organizations.ts';
import { createAgency } from './agencies/service.ts';
import { createGift, sendGift, type Gift } from './gifts/service.ts';
import { seedDemoPhotos } from './photos/demo.ts';
import { blockMember } from './social/blocks.ts';
import { addFavorite } from './social/favorites.ts';
import { createPenaltyRule } from './social/penalties.ts';
import { refundDemoPurchase, seedStoreDemo } from './store/demo.ts';
import { rateStreamer, registerStreamer } from './streamers/service.ts';
import { signUpUser } from './users/service.ts';

/** The catalog, each gift with a picture drawn from shapes (see photos/demo.ts on why no text). */
const GIFTS = [
  {
    name: 'Rose',
    price: 50,
    streamerShareBp: 5000,
    agencyShareBp: 2000,
    sort: 1,
    shape: '<circle cx="64" cy="52" r="30" fill="#d7263d"/><rect x="60" y="80" width="8" height="40" fill="#2e8b57"/>',
  },
  {
    name: 'Heart',
    price: 100,
    streamerShareBp: 5000,
    agencyShareBp: 2000,
    sort: 2,
    shape: '<path d="M64 112 L18 62 A24 24 0 0 1 64 34 A24 24 0 0 1 110 62 Z" fill="#e84a5f"/>',
  },
  {
    name: 'Champagne',
    price: 300,
    streamerShareBp: 5500,
    agencyShareBp: 1500,
    sort: 3,
    shape: '<rect x="50" y="30" width="28" height="80" rx="10" fill="#2f6f4f"/><rect x="56" y="14" width="16" height="20" fill="#f2c14e"/>',
  },
  {
    name: 'Diamond',
    price: 1000,
    streamerShareBp: 6000,
    agencyShareBp: 1000,
    sort: 4,
    shape: '<path d="M64 116 L16 48 L36 22 H92 L112 48 Z" fill="#5bc0eb"/>',
  },
];

const giftPicture = (shape: string) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" rx="24" fill="#fff4e6"/>${shape}</svg>`))
    .png()
    .toBuffer();

const MORE_AGENCIES = [
  { name: 'Aurora Studio', details: { legalName: 'Aurora Studio SIA', country: 'LV' } },
  { name: 'Velvet Models', details: { legalName: 'Velvet Models SRL', country: 'RO' } },
];
const MORE_STREAMERS = 30;
const MORE_USERS = 260;

/** The app identity of the i-th of the module's own demo streamers (the presence simulator finds them by it). */
export const demoStreamerIdentity = (i: number) => ({ provider: 'app', externalId: `streamer-${(i * 7919 + 17).toString(36)}` });

/** A demo person of this module's own (beyond the people demo's forty), with an app identity. */
function demoPerson(i: number, role: 'streamer' | 'user' | 'owner') {
  const first = FIRST[(i * 5 + (role === 'streamer' ? 3 : role === 'owner' ? 7 : 0)) % FIRST.length]!;
  const last = LAST[(i * 3 + 1) % LAST.length]!;
  return {
    displayName: `${first} ${last}`,
    locale: i % 4 === 0 ? 'ru' : 'en',
    contacts: [{ kind: 'email' as const, value: `${first}.${last}.${role}${i}@example.org`.toLowerCase() }],
    publicProfile: { bio: role === 'streamer' ? `Evening streams, ${['music', 'travel', 'cooking', 'books'][i % 4]} and good talk.` : `Hi, ${first} here.` },
    // An agency owner signs in to the console's portal, not the app.
    identities:
      role === 'owner' ? [] : [role === 'streamer' ? demoStreamerIdentity(i) : { provider: 'app', externalId: `${role}-${(i * 7919 + 17).toString(36)}` }],
  };
}

/** The i-th demo member's last visit, from minutes to a few weeks ago (milliseconds). */
const minutesAgo = (i: number) => (((i * i * 53) % 20_000) + 3) * 60_000;

/**
 * A living demo: four agencies, each with an owner, with three dozen streamers who are members of their
 * agency (the first six of the people demo, whose earnings the ledger demo made, and thirty more), about three hundred app users, photos drawn locally
 * (some waiting in the photo queue), a gift catalog with gifts sent, favorites, a block, the two penalty
 * rules of the original product, and coin packs with store purchases.
 */
export async function seedCreatorsDemo(kernel: Kernel): Promise<void> {
  const people = (await listPeople(kernel.db, { limit: 40 })).items;
  if (people.length < 10) return;
  // The demo tariffs have been in force for a month (the calls demo makes calls by them over the past days):
  // saved on a clock moved back, for this write only (jobs running meanwhile keep the real time).
  await onMovedClock(kernel, { at: new Date(kernel.now().getTime() - 30 * 86_400_000) }, () =>
    kernel.write(systemActor('demo'), async (ctx) => {
      for (const [kind, tariff] of Object.entries(DEMO_TARIFFS)) await saveTariff(ctx, kind as CallKind, { ...tariff, note: 'Demo tariff' }, null);
    }),
  );
  const made: { streamers: Person[]; users: Person[] } = { streamers: [], users: [] };
  const pictures: string[] = [];
  for (const gift of GIFTS) {
    pictures.push((await fileService(kernel).upload(systemActor('demo'), PLATFORM_OWNER, 'catalog', await giftPicture(gift.shape), `${gift.name}.png`)).id);
  }
  await kernel.write(systemActor('demo'), async (ctx) => {
    for (const [i, agency] of MORE_AGENCIES.entries()) {
      const { id } = await createAgency(ctx, agency);
      // Every agency has an owner (the people demo's two have theirs).
      await setMember(ctx, id, (await createPerson(ctx, demoPerson(i, 'owner'))).id, 'owner');
    }
    for (let i = 0; i < MORE_STREAMERS; i += 1) made.streamers.push(await createPerson(ctx, demoPerson(i, 'streamer')));
    for (let i = 0; i < MORE_USERS; i += 1) made.users.push(await createPerson(ctx, demoPerson(i, 'user')));
  });
  const agencies = (await listOrganizations(kernel.db, { kind: 'agency', limit: 10 })).items;
  const streamers = [...people.slice(0, 6), ...made.streamers];
  const users = [...people.slice(6).filter((p) => p.status === 'active'), ...made.users];
  await kernel.write(systemActor('demo'), async (ctx) => {
    for (const [i, streamer] of streamers.entries()) {
      if (streamer.status !== 'active') continue;
      // Someone already in an agency (an owner or manager who streams too) streams for it; anyone else
      // is dealt round the agencies and becomes a member of theirs: an agency's streamers are its members.
      const own = (await membershipsOf(ctx.tx, streamer.id)).find((m) => m.kind === 'agency');
      const agencyId = own?.organizationId ?? (agencies.length ? agencies[i % agencies.length]!.id : null);
      await registerStreamer(ctx, streamer.id, agencyId);
      if (agencyId && !own) await setMember(ctx, agencyId, streamer.id, 'member');
    }
    const appUsers = users.map((user, i) => ({ id: user.id, platform: (['ios', 'android', 'web'] as const)[i % 3]! }));
    for (const user of appUsers) await signUpUser(ctx, user.id, user.platform);
    const buyers = await seedStoreDemo(ctx, appUsers);
    const catalog: Gift[] = [];
    for (const [i, { shape: _shape, ...gift }] of GIFTS.entries()) catalog.push(await createGift(ctx, { ...gift, imageFileId: pictures[i] }));
    await createPenaltyRule(ctx, { reason: 'nudity', targetRole: 'streamer', blockerRole: 'user', threshold: 5, windowDays: 7, action: 'suspend_streamer' });
    await createPenaltyRule(ctx, {
      reason: 'harassment',
      targetRole: 'user',
      blockerRole: 'streamer',
      threshold: 3,
      windowDays: 30,
      action: 'block_person',
      blockReason: 'abuse',
    });
    const active = streamers.filter((s) => s.status === 'active');
    for (const [i, user] of users.slice(0, 12).entries()) {
      const streamer = active[i % active.length]!;
      await addFavorite(ctx, user.id, streamer.id);
      // The demo wallets hold a few hundred coins or more; a gift they cannot afford is simply skipped.
      await ctx.savepoint((inner) => sendGift(inner, user.id, catalog[i % 2]!.id, streamer.id)).catch(() => undefined);
    }
    await seedDemoChats(ctx, users.slice(0, 6), active);
    // Buyers send roses in a row: bursts, which the streamers' timelines show opened up.
    for (const [i, buyer] of buyers.entries()) {
      for (let n = 0; n < 3; n += 1) {
        await ctx.savepoint((inner) => sendGift(inner, buyer.id, catalog[0]!.id, active[(i + 3) % active.length]!.id)).catch(() => undefined);
      }
    }
    // Ratings spread over the range and a last-seen history over the past two weeks: the lists sort and
    // read as they would in a running app (the presence simulator puts a few streamers online as well).
    const hub = realtimeHub(kernel);
    for (const [i, streamer] of active.entries()) {
      await rateStreamer(ctx, streamer.id, 35 + ((i * 37) % 64));
      await hub.recordLastSeen(ctx, streamer.id, new Date(ctx.now.getTime() - minutesAgo(i)));
    }
    for (const [i, user] of users.entries()) await hub.recordLastSeen(ctx, user.id, new Date(ctx.now.getTime() - minutesAgo(i * 3 + 1) * 4));
    if (users[13] && active[0]) await blockMember(ctx, active[0].id, users[13].id, 'harassment', 'Insults during a call');
    await refundDemoPurchase(ctx, buyers);
  });
  await seedDemoPhotos(kernel, [
    ...streamers.filter((s) => s.status === 'active').map((s, i) => ({ id: s.id, photos: 2, pendingLast: i % 9 === 4 })),
    ...users.slice(0, 40).map((u, i) => ({ id: u.id, photos: 1, pendingLast: i % 8 === 3 })),
  ]);
}

type DemoPerson = Pick<Person, 'id' | 'displayName'>;

const DEMO_LINES: Array<[from: 'user' | 'streamer', text: string]> = [
  ['user', 'Hi! I loved your stream yesterday.'],
  ['streamer', 'Thank you! Will you come to the next one?'],
  ['user', 'Of course. What time do you start?'],
  ['streamer', 'Around eight in the evening.'],
];

/**
 * A few conversations between app users and streamers, greetings for the streamers (new sign-ups get
 * greeted), and one rude message reported, so Chat moderation and its queue have something to show.
 */
async function seedDemoChats(ctx: ServiceContext, users: DemoPerson[], streamers: DemoPerson[]): Promise<void> {
  for (const [i, streamer] of streamers.slice(0, 4).entries()) {
    await addGreeting(ctx, streamer.id, `Hi, I'm ${streamer.displayName.split(' ')[0]}! Say hello when you are around.`);
    if (i === 0) await addGreeting(ctx, streamer.id, 'Welcome! I stream most evenings, come and say hi.');
  }
  for (const [i, user] of users.entries()) {
    const streamer = streamers[i % streamers.length]!;
    const chat = await openDirect(ctx, DIRECT_CHAT, user.id, streamer.id);
    for (const [n, [from, text]] of DEMO_LINES.slice(0, 2 + (i % 3)).entries()) {
      const sender = from === 'user' ? user.id : streamer.id;
      await sendMessage(ctx, { conversationId: chat.id, sender: { type: 'member', id: sender }, clientId: `demo-${n}`, text });
    }
    if (i === 2) {
      const { message } = await sendMessage(ctx, {
        conversationId: chat.id,
        sender: { type: 'member', id: user.id },
        clientId: 'demo-rude',
        text: 'Send me your number or I will tell everyone about you.',
      });
      await report(ctx, chat.id, { type: 'member', id: streamer.id }, { messageId: message.id, reason: 'abuse', note: 'Threats after I said no.' });
    }
  }
}
