import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { seedPayoutsDemo } from './demo.ts';
import { payoutEventTypes } from './events.ts';
import { payoutRoutes } from './routes.ts';
import { createAutomaticApplications, type AutomaticRule } from './service.ts';

export const AUTOMATIC_RULE_SETTING = 'payouts.automatic';

export async function runAutomaticRule(kernel: Kernel): Promise<void> {
  const made = await createAutomaticApplications(kernel, kernel.settings.get<AutomaticRule>(AUTOMATIC_RULE_SETTING));
  if (made.length > 0) kernel.log.info({ count: made.length }, 'automatic payout applications created');
}

/** Applications for payment: earnings held on request, approved by a second person, paid to settlement less the fee. */
export const payoutsModule = defineModule({
  name: 'payouts',
  requires: ['people', 'ledger'],
  permissions: [
    { key: 'payouts.read', description: 'See payout applications, their fees and fee rules.' },
    { key: 'payouts.request', description: 'Request a payout for a person or organization, or withdraw one before approval.' },
    { key: 'payouts.approve', description: 'Approve or reject payout applications (never one you requested yourself).' },
    { key: 'payouts.mark_paid', description: 'Mark approved payouts paid with the payment reference.' },
    { key: 'payouts.manage_rules', description: 'Set payout fee rules per currency, organization or person.' },
  ],
  roleGrants: {
    finance: ['payouts.read', 'payouts.request', 'payouts.approve', 'payouts.mark_paid', 'payouts.manage_rules'],
    moderator: ['payouts.read', 'payouts.request'],
  },
  events: payoutEventTypes,
  routes: (app, kernel) => payoutRoutes(kernel)(app),
  settings: [
    {
      key: AUTOMATIC_RULE_SETTING,
      description:
        'Every Monday at 06:00 UTC, request a payout of the whole available earnings of every person and organization whose available earnings reach the minimum of their currency (currencies not listed are skipped) and who has no open application.',
      schema: Type.Object(
        { enabled: Type.Boolean(), minimum: Type.Record(Type.String({ pattern: '^[A-Z]{3,8}$' }), Type.Integer({ minimum: 1 })) },
        { additionalProperties: false },
      ),
      default: { enabled: false, minimum: { COIN: 10000 } },
    },
  ],
  jobs: [{ name: 'payouts.automatic', cron: '0 6 * * 1', handle: (_data, kernel) => runAutomaticRule(kernel) }],
  seedDemo: seedPayoutsDemo,
  nav: [{ group: 'money', path: '/payouts', label: 'nav.payouts', permission: 'payouts.read' }],
});
