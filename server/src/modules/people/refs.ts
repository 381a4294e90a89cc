import type { RefResolverDef } from '../../core/events/refs.ts';
import { listBlockReasons } from './block-reasons.ts';
import { subjectNames } from './people.ts';

const named = async (db: Parameters<RefResolverDef['resolve']>[0], type: 'person' | 'organization', ids: string[], page: string) =>
  [
    ...(await subjectNames(
      db,
      ids.map((id) => ({ type, id })),
    )),
  ].map(([id, name]) => ({ id, name, href: `/${page}/${id}` }));

/**
 * People, organizations and block reasons as the event log and the timelines name them. Names of people
 * and organizations are personal data: only for viewers who may read people (or hold a grant on that one).
 */
export const peopleRefs: RefResolverDef[] = [
  {
    type: 'person',
    label: { en: 'Person', ru: 'Человек' },
    permission: 'people.read',
    resolve: (db, ids) => named(db, 'person', ids, 'people'),
  },
  {
    type: 'organization',
    label: { en: 'Organization', ru: 'Организация' },
    permission: 'people.read',
    resolve: (db, ids) => named(db, 'organization', ids, 'organizations'),
  },
  {
    type: 'block_reason',
    label: { en: 'Block reason', ru: 'Причина блокировки' },
    idPattern: /^[a-z0-9_-]{1,64}$/,
    resolve: async (db, ids) => {
      const wanted = new Set(ids);
      return (await listBlockReasons(db)).filter((r) => wanted.has(r.key)).map((r) => ({ id: r.key, name: r.label }));
    },
  },
];
