import { eventsModule } from '../core/events/index.ts';
import type { ModuleManifest } from '../core/module.ts';
import { callsModule } from './calls/index.ts';
import { chatModule } from './chat/index.ts';
import { filesModule } from './files/index.ts';
import { ledgerModule } from './ledger/index.ts';
import { payoutsModule } from './payouts/index.ts';
import { creatorsModule } from './creators/index.ts';
import { membersModule } from './members/index.ts';
import { notificationsModule } from './notifications/index.ts';
import { moderationModule } from './moderation/index.ts';
import { peopleModule } from './people/index.ts';
import { settingsModule } from './settings/index.ts';
import { staffModule } from './staff/index.ts';

/** Always on: the kernel cannot run without them. */
export const kernelModules: ModuleManifest[] = [staffModule, eventsModule, settingsModule, moderationModule];

/** Business modules, switched on and off with MODULES; a new module is one folder plus one line here. */
export const optionalModules: ModuleManifest[] = [
  peopleModule,
  membersModule,
  filesModule,
  notificationsModule,
  chatModule,
  ledgerModule,
  payoutsModule,
  creatorsModule,
  callsModule,
];

export function enabledModules(names: string[] | undefined): ModuleManifest[] {
  if (names === undefined) return [...kernelModules, ...optionalModules];
  const known = new Set([...kernelModules, ...optionalModules].map((m) => m.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`Invalid configuration:\n  MODULES: unknown module(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  const chosen = optionalModules.filter((m) => names.includes(m.name));
  for (const module of chosen) {
    const missing = (module.requires ?? []).filter((name) => !names.includes(name));
    if (missing.length > 0)
      throw new Error(`Invalid configuration:\n  MODULES: ${module.name} needs ${missing.join(', ')}; add ${missing.length > 1 ? 'them' : 'it'}`);
  }
  return [...kernelModules, ...chosen];
}
