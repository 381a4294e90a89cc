import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { MemberAuthenticator, StaffAuthenticator } from './auth.ts';
import type { ConversationKindDef } from './conversations.ts';
import type { NotificationKindDef, Notifier } from './notifications.ts';
import type { PrincipalSource } from './access.ts';
import type { TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { EventOf, EventType, EventTypeDef, StoredEvent } from './events/types.ts';
import type { RefResolverDef } from './events/refs.ts';
import { ActorTypes, ClientPlatforms, LOCALES, type CodeSet, type Label, type Text } from './labels.ts';
import type { Kernel, ServiceContext, SettingsReader } from './kernel.ts';
import { NAV_GROUPS, type NavGroupDef } from './nav.ts';
import { BUILTIN_ROLES, type BuiltinRoleKey } from './roles.ts';

export interface PermissionDef {
  /** `<module>.<action>`, e.g. `staff.manage_users`. */
  key: string;
  description: string;
}

export interface BuiltinRoleDef {
  key: string;
  name: string;
  description: string;
  /** Default permissions; `'all'` means every permission in the catalogue, now and as modules add more. */
  permissions: readonly string[] | 'all';
}

/** A durable subscriber: receives every event of `types`, at least once, in log order, from its own cursor. */
export interface SubscriberDef {
  name: string;
  types: EventType[];
  /** Runs in the transaction that also advances the cursor: database effects happen exactly once. */
  handle(event: StoredEvent, ctx: ServiceContext): Promise<void>;
}

/** A subscriber whose handler is typed by the events it subscribes to. */
export function defineSubscriber<T extends EventType>(def: {
  name: string;
  types: T[];
  handle(event: EventOf<T>, ctx: ServiceContext): Promise<void>;
}): SubscriberDef {
  return def as unknown as SubscriberDef;
}

export interface JobDef {
  name: string;
  /** Five-field cron expression (UTC), when the job runs on a schedule. */
  cron?: string;
  /** How often a worker looks for due jobs (pg-boss's minimum is 0.5; default 1). */
  pollingIntervalSeconds?: number;
  /** An active job whose worker died is retried after this long (default 15 minutes). */
  expireInSeconds?: number;
  handle(data: Record<string, unknown>, kernel: Kernel): Promise<void>;
}

/** A global setting a module reads at run time; staff change it in the console without a restart. */
export interface SettingDef {
  /** `<module>.<name>`. */
  key: string;
  /** Its name in the console, in every language. */
  label: Text;
  /** What it does, in every language (the console shows it under the name). */
  description: Text;
  /**
   * The value's type: every change is validated against it, and the console builds the setting's form from
   * it (`GET /api/console/settings` sends it): a number or integer (`minimum`, `maximum`) is a number field,
   * a boolean a toggle, a union of literals a select, a string a text field (a text area with
   * `'x-multiline': true`), `Nullable(…)` may be left empty, an object a group of its properties, a record
   * (`Type.Record`) a list of key and value rows. `'x-label': { en, ru }` names a property or a literal in
   * the form, `'x-key-label'` the keys of a record. A schema the console cannot map is edited as JSON.
   */
  schema: TSchema;
  default: unknown;
  /** Client apps may read it before signing in (minimum versions, store links). */
  public?: boolean;
}

/** Something people review in a moderation queue (photos, videos, chat reports), declared by the module that owns the records. */
export interface ModerationKindDef {
  kind: string;
  description: string;
  /** The queue's name in the console (code set `moderation_kind`). */
  label?: Text;
  /** Runs in the decision's transaction: the owning module applies it (e.g. hides a rejected photo). */
  onDecision?: (ctx: ServiceContext, item: { recordType: string; recordId: string }, decision: 'approved' | 'rejected', reason: string | null) => Promise<void>;
  /** What a moderator needs to judge the item (signed image links, a text excerpt). */
  present?: (kernel: Kernel, item: { recordType: string; recordId: string }) => Promise<Record<string, unknown>>;
}

export interface NavEntry {
  /** The navigation group it sits in: a kernel group (`core/nav.ts`) or one a module declares. */
  group: string;
  path: string;
  /** Message key of the label in the console's catalogues. */
  label: string;
  permission: string;
}

/** The settings service: values in memory, kept current from the bus between `start` and `stop`. */
export interface SettingsService extends SettingsReader {
  start(): Promise<void>;
  stop(): void;
}

/**
 * Kernel services a module supplies. Each is provided by exactly one enabled module; the app asks the
 * catalogue for them and never imports the module that provides them.
 */
export interface ModuleProvides {
  /** Resolves console session tokens (staff). Required. */
  staffAuthenticator?: (kernel: Kernel) => StaffAuthenticator;
  /** Verifies client apps' bearer tokens (members); without it `/api/client` routes answer 401. */
  memberAuthenticator?: (kernel: Kernel) => MemberAuthenticator;
  /** Staff users' roles and grants for `requireAccess` outside a request (staff). */
  principals?: (kernel: Kernel) => PrincipalSource;
  /** Global settings (settings). Required. */
  settings?: (kernel: Kernel) => SettingsService;
  /** Tells people things: in-app, push, the console's bell (notifications). Without it nothing is sent. */
  notifier?: (kernel: Kernel) => Notifier;
}

/** The manifest a module exports from its index.ts; the kernel needs nothing else to plug it in. */
export interface ModuleManifest {
  name: string;
  /** The module's name in the console (code set `module`: settings and role editors group by it). */
  label?: Text;
  /** Optional modules this one cannot run without (checked against MODULES at start). */
  requires?: string[];
  provides?: ModuleProvides;
  permissions?: PermissionDef[];
  /** Permissions this module adds to the kernel's built-in roles (core/roles.ts). */
  roleGrants?: Partial<Record<BuiltinRoleKey, string[]>>;
  events?: EventTypeDef[];
  /** The codes its API sends (statuses, kinds, reasons), with their labels and tones (`defineCodes`). */
  codes?: CodeSet[];
  /** How the event log and timelines name the module's records (`RefResolverDef`). */
  refs?: RefResolverDef[];
  /** Registered under `/api`; every route declares its schema and `config.permission`. */
  routes?: (app: FastifyInstance, kernel: Kernel) => Promise<void>;
  subscribers?: SubscriberDef[];
  jobs?: JobDef[];
  nav?: NavEntry[];
  /** Navigation groups of the module's own area (its entries and other modules' may use them). */
  navGroups?: NavGroupDef[];
  settings?: SettingDef[];
  moderationKinds?: ModerationKindDef[];
  /** Kinds of chat conversation this module owns (the chat module keeps them). */
  conversationKinds?: ConversationKindDef[];
  /** Kinds of notification this module sends (the notifications module delivers them). */
  notificationKinds?: NotificationKindDef[];
  /** Runs before every request's route (e.g. the client version gate), in module order. */
  onRequest?: (kernel: Kernel) => onRequestHookHandler;
  /** Runs at every start after migrations (e.g. the first administrator). */
  bootstrap?: (kernel: Kernel) => Promise<void>;
  /** Fills an empty database with demo data when SEED_DEMO is on. */
  seedDemo?: (kernel: Kernel) => Promise<void>;
  /**
   * Runs once the server listens (Fastify's onListen: `npm start`, or any app that listens), with the address it
   * can reach itself on (e.g. the demo presence simulator's client sockets); what it returns runs when the app
   * closes. A failure is logged and the server keeps running.
   */
  onListen?: (kernel: Kernel, origin: string) => Promise<(() => Promise<void>) | undefined>;
  /**
   * Background work of a process that runs workers (`workers` not false), started after the subscribers and
   * stopped first when the app closes: e.g. the call scheduler's loop.
   */
  worker?: (kernel: Kernel) => { stop(): Promise<void> };
  /** Runs when the app closes, after the job workers stopped (e.g. to close a push provider's connections). */
  onClose?: (kernel: Kernel) => Promise<void>;
}

export const defineModule = (manifest: ModuleManifest): ModuleManifest => manifest;

/** Everything the enabled modules declare, merged. */
export class Catalogue {
  readonly permissions = new Map<string, PermissionDef & { module: string }>();
  readonly eventTypes = new Map<string, EventTypeDef & { module: string }>();
  readonly roles = new Map<string, BuiltinRoleDef>(Object.values(BUILTIN_ROLES).map((role) => [role.key, { ...role }]));
  readonly nav: Array<NavEntry & { module: string }> = [];
  /** Groups in their order, each entry in the order the modules declared it. */
  readonly navGroups = new Map<string, NavGroupDef>(NAV_GROUPS.map((group) => [group.key, group]));
  readonly settings = new Map<string, SettingDef & { module: string }>();
  readonly moderationKinds = new Map<string, ModerationKindDef & { module: string }>();
  readonly conversationKinds = new Map<string, ConversationKindDef & { module: string }>();
  readonly notificationKinds = new Map<string, NotificationKindDef & { module: string }>();
  /** Every code set, merged across modules: set → code → label. */
  readonly codeSets = new Map<string, Map<string, Label & { module: string }>>();
  readonly refResolvers = new Map<string, RefResolverDef & { module: string }>();
  private readonly provided = new Map<keyof ModuleProvides, { module: string; make: (kernel: Kernel) => unknown }>();

  constructor(readonly modules: ModuleManifest[]) {
    for (const module of modules) {
      for (const permission of module.permissions ?? []) {
        if (!permission.key.startsWith(`${module.name}.`)) {
          throw new Error(`Permission ${permission.key} of module ${module.name} must start with "${module.name}."`);
        }
        if (this.permissions.has(permission.key)) throw new Error(`Permission ${permission.key} is declared twice`);
        this.permissions.set(permission.key, { ...permission, module: module.name });
      }
      for (const [service, make] of Object.entries(module.provides ?? {}) as Array<[keyof ModuleProvides, (kernel: Kernel) => unknown]>) {
        const other = this.provided.get(service);
        if (other) throw new Error(`${service} is provided by both ${other.module} and ${module.name}`);
        this.provided.set(service, { module: module.name, make });
      }
      for (const type of module.events ?? []) this.eventTypes.set(type.type, { ...type, module: module.name });
      for (const [key, permissions] of Object.entries(module.roleGrants ?? {})) {
        const role = this.roles.get(key);
        if (!role) throw new Error(`Module ${module.name} grants to unknown built-in role ${key}`);
        if (role.permissions !== 'all') role.permissions = [...role.permissions, ...permissions];
      }
      for (const group of module.navGroups ?? []) {
        if (this.navGroups.has(group.key)) throw new Error(`Navigation group ${group.key} is declared twice`);
        this.navGroups.set(group.key, group);
      }
      for (const entry of module.nav ?? []) this.nav.push({ ...entry, module: module.name });
      for (const kind of module.moderationKinds ?? []) {
        if (this.moderationKinds.has(kind.kind)) throw new Error(`Moderation kind ${kind.kind} is declared twice`);
        this.moderationKinds.set(kind.kind, { ...kind, module: module.name });
      }
      for (const kind of module.conversationKinds ?? []) {
        if (!kind.kind.startsWith(`${module.name}.`))
          throw new Error(`Conversation kind ${kind.kind} of module ${module.name} must start with "${module.name}."`);
        if (this.conversationKinds.has(kind.kind)) throw new Error(`Conversation kind ${kind.kind} is declared twice`);
        this.conversationKinds.set(kind.kind, { ...kind, module: module.name });
        this.addCodes(module.name, 'conversation_kind', { [kind.kind]: kind.label });
        for (const channel of kind.channels ?? [])
          if (!this.codeSets.get('chat_channel')?.has(channel.name)) this.addCodes(module.name, 'chat_channel', { [channel.name]: channel.label });
      }
      for (const kind of module.notificationKinds ?? []) {
        if (!kind.kind.startsWith(`${module.name}.`))
          throw new Error(`Notification kind ${kind.kind} of module ${module.name} must start with "${module.name}."`);
        if (this.notificationKinds.has(kind.kind)) throw new Error(`Notification kind ${kind.kind} is declared twice`);
        for (const locale of LOCALES)
          if (!kind.templates[locale]?.title.trim() || !kind.templates[locale]?.body.trim())
            throw new Error(`Notification kind ${kind.kind} needs a title and a body in ${locale}`);
        if (kind.policy === 'voip' && kind.mutable) throw new Error(`Notification kind ${kind.kind} rings a call (voip): it cannot be mutable`);
        this.notificationKinds.set(kind.kind, { ...kind, module: module.name });
        this.addCodes(module.name, 'notification_kind', { [kind.kind]: kind.label });
      }
      for (const codes of module.codes ?? []) this.addCodes(module.name, codes.set, codes.codes);
      if (module.label) this.addCodes(module.name, 'module', { [module.name]: module.label });
      for (const kind of module.moderationKinds ?? []) if (kind.label) this.addCodes(module.name, 'moderation_kind', { [kind.kind]: kind.label });
      for (const resolver of module.refs ?? []) {
        if (this.refResolvers.has(resolver.type))
          throw new Error(`Ref type ${resolver.type} is resolved by both ${this.refResolvers.get(resolver.type)!.module} and ${module.name}`);
        this.refResolvers.set(resolver.type, { ...resolver, module: module.name });
        this.addCodes(module.name, 'subject_type', { [resolver.type]: resolver.label });
      }
      for (const setting of module.settings ?? []) {
        if (!setting.key.startsWith(`${module.name}.`)) throw new Error(`Setting ${setting.key} of module ${module.name} must start with "${module.name}."`);
        if (this.settings.has(setting.key)) throw new Error(`Setting ${setting.key} is declared twice`);
        for (const locale of LOCALES) {
          if (!setting.label?.[locale]?.trim() || !setting.description?.[locale]?.trim())
            throw new Error(`Setting ${setting.key} needs a label and a description in ${locale}`);
        }
        this.settings.set(setting.key, { ...setting, module: module.name });
      }
    }
    for (const kernelCodes of [ActorTypes, ClientPlatforms]) this.addCodes('events', kernelCodes.set, kernelCodes.codes);
    for (const entry of this.nav) {
      if (!this.navGroups.has(entry.group)) throw new Error(`Navigation entry ${entry.path} of module ${entry.module} names unknown group ${entry.group}`);
    }
    const groupOrder = (entry: NavEntry) => this.navGroups.get(entry.group)!.order;
    this.nav.sort((a, b) => groupOrder(a) - groupOrder(b));
    // A built-in role no enabled module grants anything to is not created (Finance without the ledger).
    for (const role of [...this.roles.values()]) if (role.permissions !== 'all' && role.permissions.length === 0) this.roles.delete(role.key);
    for (const role of this.roles.values()) {
      if (role.permissions === 'all') continue;
      for (const key of role.permissions) {
        if (!this.permissions.has(key)) throw new Error(`Built-in role ${role.key} names unknown permission ${key}`);
      }
    }
  }

  private addCodes(module: string, set: string, codes: Record<string, Label>): void {
    let known = this.codeSets.get(set);
    if (!known) this.codeSets.set(set, (known = new Map()));
    for (const [code, label] of Object.entries(codes)) {
      if (known.has(code)) throw new Error(`Code ${set}.${code} is declared by both ${known.get(code)!.module} and ${module}`);
      known.set(code, { ...label, module });
    }
  }

  /** What the console shows codes and event types by (`GET /api/console/labels`). */
  labels() {
    const codes = Object.fromEntries(
      [...this.codeSets].map(([set, labels]) => [set, Object.fromEntries([...labels].map(([code, { module: _module, ...label }]) => [code, label]))]),
    );
    const events = Object.fromEntries(
      [...this.eventTypes.values()].filter((t) => t.title && t.summary).map((t) => [t.type, { title: t.title!, summary: t.summary!, refs: t.refs ?? {} }]),
    );
    return { codes, events };
  }

  /** The kernel service an enabled module provides, made for this kernel; undefined when none does. */
  provide<K extends keyof ModuleProvides>(service: K, kernel: Kernel): ReturnType<NonNullable<ModuleProvides[K]>> | undefined {
    return this.provided.get(service)?.make(kernel) as ReturnType<NonNullable<ModuleProvides[K]>> | undefined;
  }

  /** Like `provide`, for a service the kernel cannot run without. */
  require<K extends keyof ModuleProvides>(service: K, kernel: Kernel): ReturnType<NonNullable<ModuleProvides[K]>> {
    const made = this.provide(service, kernel);
    if (made === undefined) throw new Error(`No enabled module provides ${service}`);
    return made;
  }

  defaultPermissions(role: BuiltinRoleDef): string[] {
    return role.permissions === 'all' ? [...this.permissions.keys()] : [...role.permissions];
  }

  private readonly payloadChecks = new Map<string, TypeCheck<TObject>>();

  /**
   * An appended event must be of a declared type with a payload of its declared shape; outside
   * production every append is checked, so a test that writes an event proves its schema.
   */
  assertEvent(type: string, payload: unknown): void {
    const def = this.eventTypes.get(type);
    if (!def) throw new Error(`Event type ${type} is not declared by any enabled module`);
    if (!def.payload) return;
    let check = this.payloadChecks.get(type);
    if (!check) this.payloadChecks.set(type, (check = TypeCompiler.Compile(def.payload)));
    if (!check.Check(payload)) {
      const [first] = check.Errors(payload);
      throw new Error(`Event ${type} has a payload outside its schema: ${first?.path || '/'} ${first?.message ?? ''}`);
    }
  }

  /** The permission needed to see an event of this type in a live stream. */
  eventPermission(type: string): string {
    return this.eventTypes.get(type)?.permission ?? 'events.read';
  }
}
