import type { paths } from '$lib/api/schema';

type Json<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

export type Conversation = Json<'/api/console/chats/{id}'>;
export type Participant = Conversation['participants'][number];
export type Message = Json<'/api/console/chats/{id}/messages'>['items'][number];
export type Report = Json<'/api/console/chats/{id}/reports'>[number];
