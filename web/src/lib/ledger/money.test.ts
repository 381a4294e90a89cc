import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exponent, formatMoney, toMinor } from './money';

describe('money in the console', () => {
  it('knows minor units: none for coins, two for dollars, none for yen', () => {
    assert.deepEqual([exponent('COIN'), exponent('USD'), exponent('JPY'), exponent('ZZZZ')], [0, 2, 0, 2]);
  });

  it('reads typed amounts exactly, refusing more decimals than the currency has', () => {
    assert.equal(toMinor('12.34', 'USD'), 1234);
    assert.equal(toMinor('0.1', 'USD'), 10);
    assert.equal(toMinor('-5', 'USD'), -500);
    assert.equal(toMinor('1 000,25', 'EUR'), 100025);
    assert.equal(toMinor('150', 'COIN'), 150);
    assert.equal(toMinor('1.5', 'COIN'), undefined);
    assert.equal(toMinor('1.234', 'USD'), undefined);
    assert.equal(toMinor('abc', 'USD'), undefined);
    assert.equal(toMinor('', 'USD'), undefined);
    assert.equal(toMinor('99999999999999999999', 'USD'), undefined);
  });

  it('shows amounts by locale: coins as a count, currencies with their symbol', () => {
    assert.equal(formatMoney(123456, 'COIN', 'en'), '123,456 COIN');
    assert.equal(formatMoney(123456, 'USD', 'en'), '$1,234.56');
    assert.equal(formatMoney(-500, 'USD', 'en'), '-$5.00');
    assert.match(formatMoney(123456, 'EUR', 'ru'), /^1\s234,56\s€$/);
  });
});
