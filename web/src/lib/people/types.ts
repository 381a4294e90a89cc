import type { paths } from '$lib/api/schema';

type Json<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

export type Person = Json<'/api/console/people/{id}'>;
export type Organization = Json<'/api/console/organizations/{id}'>;
