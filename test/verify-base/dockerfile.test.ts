import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NotarySignError } from '../../src/errors.js';
import { baseImages, pinDockerfile } from '../../src/verify-base/dockerfile.js';

const images = (text: string, args: Record<string, string> = {}) =>
  baseImages(text, args).map((b) => [b.kind, b.image, b.line, b.stage ?? null, b.platform ?? null]);

test('FROM lines with ARG defaults, build-arg overrides, stages, scratch and platforms', () => {
  const df = `# syntax=docker/dockerfile:1
ARG REGISTRY=reg.example.com
ARG BASE_TAG=3.20
ARG UNUSED
FROM --platform=$BUILDPLATFORM \${REGISTRY}/golang:1.23 AS build
RUN go build ./...
FROM build AS test
FROM scratch AS empty
FROM $REGISTRY/alpine:\${BASE_TAG}
COPY --from=build /out /app
COPY --from=0 /out /app2
COPY --from=reg.example.com/tools/jq:1.7 /jq /usr/bin/jq
RUN --mount=type=bind,from=reg.example.com/certs:latest,source=/c,target=/c true
`;
  assert.deepEqual(images(df, { BASE_TAG: '3.21', BUILDPLATFORM: 'linux/amd64', NOT_DECLARED: 'x' }), [
    ['from', 'reg.example.com/golang:1.23', 5, 'build', 'linux/amd64'],
    ['from', 'reg.example.com/alpine:3.21', 9, null, null],
    ['copy-from', 'reg.example.com/tools/jq:1.7', 12, null, null],
    ['run-mount', 'reg.example.com/certs:latest', 13, null, null],
  ]);
});

test('stage names are case-insensitive; only earlier stages count', () => {
  assert.deepEqual(images('FROM alpine AS Base\nFROM base\nFROM later\nFROM debian AS later\n'), [
    ['from', 'alpine', 1, 'base', null],
    ['from', 'later', 3, null, null],
    ['from', 'debian', 4, 'later', null],
  ]);
});

test('comments, line continuations and substitution forms', () => {
  const df = `ARG A
ARG B=b
# FROM commented/out
FROM \\
  \${A:-fallback}/app:\${B:+set}
FROM x/\${B-unset}:\${A+unused}v
`;
  assert.deepEqual(images(df), [
    ['from', 'fallback/app:set', 4, null, null],
    ['from', 'x/b:v', 6, null, null],
  ]);
  assert.deepEqual(images('ARG A=\nFROM r/${A:-d}:${A-e}1\n'), [['from', 'r/d:1', 2, null, null]]);
});

test('errors name the file and line', () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => baseImages(text, {}, 'ci/Dockerfile'),
      (e: unknown) => e instanceof NotarySignError && e.code === 'INPUT' && pattern.test(e.message),
      pattern.source,
    );
  bad('FROM\n', /^ci\/Dockerfile:1: FROM has no image/);
  bad('ARG BASE\nFROM $BASE\n', /^ci\/Dockerfile:2: FROM \$BASE expands to nothing; pass --build-arg/);
  bad('FROM alpine\nFROM Not_Valid!\n', /^ci\/Dockerfile:2: invalid image reference "Not_Valid!"/);
  bad('FROM ${A:?required}\n', /^ci\/Dockerfile:1: unsupported substitution/);
  bad('FROM ${A\n', /^ci\/Dockerfile:1: unterminated/);
});

test('pinning rewrites exactly the image text, including ARG-built ones', () => {
  const df = 'ARG T=3.20\nFROM alpine:${T} AS a\nCOPY --from=busybox:1 /bin/sh /sh\nFROM a\n';
  const found = baseImages(df);
  const pinned = pinDockerfile(
    df,
    found.map((b) => ({ span: b.span, pinned: `${b.image}@sha256:${'0'.repeat(64)}` })),
  );
  assert.equal(
    pinned,
    `ARG T=3.20\nFROM alpine:3.20@sha256:${'0'.repeat(64)} AS a\nCOPY --from=busybox:1@sha256:${'0'.repeat(64)} /bin/sh /sh\nFROM a\n`,
  );
});

test('property: arbitrary text never crashes the parser, only INPUT errors', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc
          .array(fc.constantFrom('FROM ', 'ARG ', 'COPY --from=', '${', '}', 'a', '/', ':', '\n', '\\\n', ' AS ', '$X', '=', '#'), {
            maxLength: 40,
          })
          .map((a) => a.join('')),
      ),
      (text) => {
        try {
          baseImages(text);
        } catch (err) {
          assert.ok(err instanceof NotarySignError && err.code === 'INPUT', String(err));
        }
      },
    ),
    { numRuns: 1000 },
  );
});
