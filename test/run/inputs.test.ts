import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseInsecureRegistries, parseKeyValues, parseList, parseReferrersMode } from '../../src/run/inputs.js';

test('durations', () => {
  assert.equal(parseDuration('30d', 'expiry'), 30 * 86_400_000);
  assert.equal(parseDuration('1w2d12h', 'expiry'), (9 * 24 + 12) * 3_600_000);
  for (const bad of ['', '30', 'd', '1y', '-1d', '0h', '1d x'])
    assert.throws(() => parseDuration(bad, 'expiry'), /expiry: .* is not a duration/);
});

test('lists and key=value inputs', () => {
  assert.deepEqual(parseList('a\n b ,c\n# comment\n\n'), ['a', 'b', 'c']);
  assert.deepEqual(parseKeyValues('a=1\nb=x=y', 'annotations'), { a: '1', b: 'x=y' });
  assert.deepEqual(parseKeyValues(['a=1', 'b='], 'annotations'), { a: '1', b: '' });
  assert.throws(() => parseKeyValues('novalue', 'annotations'), /annotations: "novalue" is not key=value/);
  // key=value inputs split on newlines only (a value may hold commas); CLI items are taken as given.
  assert.deepEqual(parseKeyValues('io.example.list=a,b\r\nc=d', 'annotations'), { 'io.example.list': 'a,b', c: 'd' });
  assert.deepEqual(parseKeyValues(['io.example.list=a,b'], '--annotation'), { 'io.example.list': 'a,b' });
  assert.throws(() => parseKeyValues('a=1\na=2', 'annotations'), /key "a" is given twice/);
});

test('referrers mode and insecure registries', () => {
  assert.equal(parseReferrersMode(undefined), 'auto');
  assert.equal(parseReferrersMode('tag'), 'tag');
  assert.throws(() => parseReferrersMode('both'), /referrers: "both" is not one of auto, api, tag/);
  assert.deepEqual(parseInsecureRegistries(['localhost:5000, 127.0.0.1:1234']), ['localhost:5000', '127.0.0.1:1234']);
  assert.throws(() => parseInsecureRegistries(['http://localhost:5000']), /not a host\[:port\]/);
});
