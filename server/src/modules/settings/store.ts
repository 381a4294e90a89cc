import { eq } from 'drizzle-orm';
import { Value } from '@sinclair/typebox/value';
import type { Kernel, ServiceContext, SettingsReader } from '../../core/kernel.ts';

import { settingValues } from './schema.ts';
import { SettingsError } from './errors.ts';
import { SETTING_CHANGED } from './events.ts';

/**
 * Settings in memory, loaded at start and reloaded whenever a `settings.changed` event crosses the bus
 * (this process's own writes, or another process's over Redis): code reads them synchronously and a
 * change takes effect without a restart.
 */
export class SettingsStore implements SettingsReader {
  private values = new Map<string, unknown>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly kernel: Kernel) {}

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe = this.kernel.bus.subscribe((message) => {
      if (message.kind === 'event' && message.event.type === SETTING_CHANGED) {
        this.reload().catch((error: unknown) => this.kernel.log.error({ err: error }, 'reloading settings failed'));
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  get<T = unknown>(key: string): T {
    const def = this.kernel.catalogue.settings.get(key);
    if (!def) throw new Error(`Unknown setting ${key}`);
    return (this.values.has(key) ? this.values.get(key) : def.default) as T;
  }

  /** Every declared setting with its current value, for the console. */
  async list() {
    const rows = await this.kernel.db.select().from(settingValues);
    const stored = new Map(rows.map((r) => [r.key, r]));
    return [...this.kernel.catalogue.settings.values()].map((def) => {
      const row = stored.get(def.key);
      return {
        key: def.key,
        module: def.module,
        label: def.label,
        description: def.description,
        public: def.public ?? false,
        schema: def.schema as unknown as Record<string, unknown>,
        default: def.default,
        value: row ? row.value : def.default,
        isDefault: !row,
        updatedAt: row?.updatedAt.toISOString() ?? null,
        updatedBy: row?.updatedBy ?? null,
      };
    });
  }

  /** Public settings for client apps, by key. */
  publicValues(): Record<string, unknown> {
    return Object.fromEntries([...this.kernel.catalogue.settings.values()].filter((d) => d.public).map((d) => [d.key, this.get(d.key)]));
  }

  /** Validates against the declared type and stores; `undefined` returns the setting to its default. */
  async set(ctx: ServiceContext, key: string, value: unknown): Promise<void> {
    const def = this.kernel.catalogue.settings.get(key);
    if (!def) throw SettingsError.notFound(`No setting ${key}.`);
    if (value !== undefined && !Value.Check(def.schema, value)) {
      const errors = [...Value.Errors(def.schema, value)].map((e) => ({
        field: `value${e.path.replace(/\//g, '.')}`,
        // A schema that describes itself says what it wants better than "Expected union value".
        message: typeof e.schema.description === 'string' ? `must be ${e.schema.description}` : e.message,
      }));
      const [first = { field: 'value', message: 'is not a valid value for this setting' }, ...rest] = errors;
      throw new SettingsError('invalid', first.message, { field: first.field, fields: rest });
    }
    const previous = this.get(key);
    if (value === undefined || JSON.stringify(value) === JSON.stringify(def.default)) {
      await ctx.tx.delete(settingValues).where(eq(settingValues.key, key));
    } else {
      const updatedBy = ctx.actor.type === 'staff' ? ctx.actor.id : null;
      await ctx.tx
        .insert(settingValues)
        .values({ key, value, updatedAt: ctx.now, updatedBy })
        .onConflictDoUpdate({ target: settingValues.key, set: { value, updatedAt: ctx.now, updatedBy } });
    }
    const stored = value === undefined || JSON.stringify(value) === JSON.stringify(def.default) ? undefined : value;
    // This process sees its own change as soon as it commits; others when the event reaches them.
    ctx.afterCommit(() => {
      if (stored === undefined) this.values.delete(key);
      else this.values.set(key, stored);
    });
    await ctx.emit({ type: SETTING_CHANGED, subject: { type: 'setting', id: key }, payload: { key, previous, value: value ?? def.default } });
  }

  private async reload(): Promise<void> {
    const rows = await this.kernel.db.select().from(settingValues);
    this.values = new Map(rows.filter((r) => this.kernel.catalogue.settings.has(r.key)).map((r) => [r.key, r.value]));
  }
}
