import { Type } from '@sinclair/typebox';
import type { Executor } from '../../core/db/client.ts';
import { ClientPlatforms } from '../../core/labels.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import { getPerson, personDetail, type Person } from '../people/people.ts';
import { devicesOf, type Device } from './devices.ts';
import type { RealtimeHub } from '../../core/realtime/hub.ts';
import type { SignIn } from './sign-ins.ts';

export const Profile = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 });
export const Platform = ClientPlatforms.schema;

/** What a member sees of themselves: both profile parts, and which providers they sign in with. */
export const OwnProfile = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  status: Type.String(),
  locale: Nullable(Type.String()),
  timeZone: Nullable(Type.String()),
  publicProfile: Profile,
  privateProfile: Profile,
  identities: Type.Array(Type.Object({ provider: Type.String() })),
});
/** What a member sees of someone else: never the private part. */
export const PublicProfile = Type.Object({ id: Type.String(), displayName: Type.String(), publicProfile: Profile });

export const DeviceView = Type.Object({
  id: Type.String(),
  platform: Platform,
  pushToken: Nullable(Type.String()),
  voipToken: Nullable(Type.String()),
  appVersion: Nullable(Type.String()),
  name: Nullable(Type.String()),
  lastSeenAt: Timestamp,
  createdAt: Timestamp,
});

export const PresenceView = Type.Object({
  online: Type.Boolean(),
  lastSeenAt: Nullable(Timestamp),
  connections: Type.Integer(),
  devices: Type.Array(DeviceView),
});

export const SignInView = Type.Object({
  id: Type.Integer(),
  provider: Nullable(Type.String()),
  outcome: Type.String(),
  reason: Nullable(Type.String()),
  ip: Type.String(),
  userAgent: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const deviceView = (d: Device) => ({
  id: d.id,
  platform: d.platform,
  pushToken: d.pushToken,
  voipToken: d.voipToken,
  appVersion: d.appVersion,
  name: d.name,
  lastSeenAt: d.lastSeenAt.toISOString(),
  createdAt: d.createdAt.toISOString(),
});

export const devicesView = async (db: Executor, personId: string) => (await devicesOf(db, personId)).map(deviceView);

/** Whether a member is online, when last seen, and their devices. */
export async function presenceView(db: Executor, presence: RealtimeHub, personId: string) {
  await getPerson(db, personId);
  return { ...(await presence.status(personId)), devices: await devicesView(db, personId) };
}

export async function ownProfileView(db: Executor, personId: string) {
  const person = await personDetail(db, personId);
  return {
    id: person.id,
    displayName: person.displayName,
    status: person.status,
    locale: person.locale,
    timeZone: person.timeZone,
    publicProfile: person.publicProfile,
    privateProfile: person.privateProfile,
    identities: [...new Set(person.identities.map((i) => i.provider))].map((provider) => ({ provider })),
  };
}

export const publicProfileView = (person: Person) => ({ id: person.id, displayName: person.displayName, publicProfile: person.publicProfile });

export const signInView = (r: SignIn) => ({
  id: r.id,
  provider: r.provider,
  outcome: r.outcome,
  reason: r.reason,
  ip: r.ip,
  userAgent: r.userAgent,
  createdAt: r.createdAt.toISOString(),
});
