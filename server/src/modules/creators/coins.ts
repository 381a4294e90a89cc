/** The ledger currency of every balance here: app users' wallets, streamers' and agencies' earnings. */
export const COIN = 'COIN';
