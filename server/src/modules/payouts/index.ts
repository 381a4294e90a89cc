import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { seedPayoutsDemo } from './demo.ts';
import { payoutEventTypes } from './events.ts';
import { payoutRoutes } from './routes.ts';
import { PayoutOrigins, PayoutStates, PayoutTransferKinds } from './views.ts';
import { createAutomaticApplications, type AutomaticRule } from './service.ts';

export const AUTOMATIC_RULE_SETTING = 'payouts.automatic';

export async function runAutomaticRule(kernel: Kernel): Promise<void> {
  const made = await createAutomaticApplications(kernel, kernel.settings.get<AutomaticRule>(AUTOMATIC_RULE_SETTING));
  if (made.length > 0) kernel.log.info({ count: made.length }, 'automatic payout applications created');
}

/** Applications for payment: earnings held on request, approved by a second person, paid to settlement less the fee. */
export const payoutsModule = defineModule({
  name: 'payouts',
  label: { en: 'Payouts', ru: 'Выплаты' },
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
  codes: [PayoutStates, PayoutOrigins, PayoutTransferKinds],
  routes: (app, kernel) => payoutRoutes(kernel)(app),
  settings: [
    {
      key: AUTOMATIC_RULE_SETTING,
      label: { en: 'Automatic payouts', ru: 'Автоматические выплаты' },
      description: {
        en: 'Every Monday at 06:00 UTC, request a payout of the whole available earnings of every person and organization whose available earnings reach the minimum of their currency (currencies not listed are skipped) and who has no open application.',
        ru: 'Каждый понедельник в 06:00 UTC запрашивать выплату всего доступного заработка каждого человека и организации, чей доступный заработок достиг минимума своей валюты (валюты не из списка пропускаются) и у кого нет открытой заявки.',
      },
      schema: Type.Object(
        {
          enabled: Type.Boolean({ 'x-label': { en: 'Request payouts automatically', ru: 'Запрашивать выплаты автоматически' } }),
          minimum: Type.Record(
            Type.String({ pattern: '^[A-Z]{3,8}$' }),
            Type.Integer({
              minimum: 1,
              description: 'a whole number of minor units, 1 or more',
              'x-label': { en: 'Minimum, in minor units', ru: 'Минимум, в младших единицах' },
            }),
            { 'x-label': { en: 'Minimum earnings per currency', ru: 'Минимальный заработок по валютам' }, 'x-key-label': { en: 'Currency', ru: 'Валюта' } },
          ),
        },
        { additionalProperties: false },
      ),
      default: { enabled: false, minimum: { COIN: 10000 } },
    },
  ],
  jobs: [{ name: 'payouts.automatic', cron: '0 6 * * 1', handle: (_data, kernel) => runAutomaticRule(kernel) }],
  seedDemo: seedPayoutsDemo,
  nav: [{ group: 'money', path: '/payouts', label: 'nav.payouts', permission: 'payouts.read' }],
});
