import type { paths } from '$lib/api/schema';

type Json<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

/** A notification to a member as staff see it: where it stands and every step of its delivery. */
export type MemberNotification = Json<'/api/console/notifications/{id}'>;
export type Attempt = MemberNotification['attempts'][number];
/** A notification staff sent from the console (one person, or everyone with a tag), with its progress. */
export type Batch = Json<'/api/console/notifications/batches/{id}'>;
export type Audience = Batch['audience'];
/** The signed-in user's own inbox (the bell): the latest notices and how many are unread. */
export type StaffInbox = Json<'/api/console/me/notifications'>;
export type StaffNotice = StaffInbox['items'][number];
