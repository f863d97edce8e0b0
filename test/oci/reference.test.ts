import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NotarySignError } from '../../src/errors.js';
import { formatReference, parseReference } from '../../src/oci/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

test('parses references the way Docker does', () => {
  const cases: [string, object][] = [
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['index.docker.io/user/app:v1', { registry: 'docker.io', repository: 'user/app', tag: 'v1' }],
    ['myacr.azurecr.io/team/app@' + D, { registry: 'myacr.azurecr.io', repository: 'team/app', digest: D }],
    ['localhost:5000/app:v1@' + D, { registry: 'localhost:5000', repository: 'app', tag: 'v1', digest: D }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['127.0.0.1:5000/a/b/c', { registry: '127.0.0.1:5000', repository: 'a/b/c' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
    ['Registry/app', { registry: 'Registry', repository: 'app' }],
    ['ghcr.io/o/a__b-c.d:tag_1.2-x', { registry: 'ghcr.io', repository: 'o/a__b-c.d', tag: 'tag_1.2-x' }],
    [`reg.io/app@sha512:${'b'.repeat(128)}`, { registry: 'reg.io', repository: 'app', digest: `sha512:${'b'.repeat(128)}` }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseReference(input), expected, input);
});

test('rejects invalid references with a message naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    [' alpine', /whitespace/],
    ['https://reg.io/app', /URL scheme/],
    ['reg.io/App', /lowercase/],
    ['reg.io/app@sha256:abc', /not a sha256 or sha512 digest/],
    ['reg.io/app@md5:' + 'a'.repeat(32), /not a sha256 or sha512 digest/],
    ['reg.io/app:-bad', /not a valid tag/],
    ['reg.io/app:' + 'x'.repeat(129), /not a valid tag/],
    ['reg.io//app', /empty component/],
    ['reg.io/', /repository name is missing/],
    ['-bad.io/app', /not a valid registry host/],
    ['reg.io/' + 'a'.repeat(260), /longer than 255/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => err instanceof NotarySignError && err.code === 'INPUT' && pattern.test(err.message),
      input,
    );
  }
});

test('property: arbitrary strings either parse and round-trip, or fail with an INPUT error', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9.:/@_-]{0,80}$/)), (input) => {
      let parsed;
      try {
        parsed = parseReference(input);
      } catch (err) {
        assert.ok(err instanceof NotarySignError && err.code === 'INPUT', String(err));
        return;
      }
      assert.deepEqual(parseReference(formatReference(parsed)), parsed);
    }),
    { numRuns: 2000 },
  );
});
