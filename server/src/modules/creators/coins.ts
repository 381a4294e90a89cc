import { defineCodes } from '../../core/labels.ts';

/** What the coins of this business move for (ledger transfer kinds). */
export const CoinTransferKinds = defineCodes('transfer_kind', {
  purchase: { en: 'Purchase', ru: 'Покупка' },
  gift: { en: 'Gift', ru: 'Подарок' },
  call_charge: { en: 'Call charge', ru: 'Оплата звонка' },
  call_reward: { en: 'Call earnings', ru: 'Доход за звонок' },
});

/** The ledger currency of every balance here: app users' wallets, streamers' and agencies' earnings. */
export const COIN = 'COIN';
