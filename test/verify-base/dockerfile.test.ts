import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { NotarySignError } from '../../src/errors.js';
import { baseImages, loadDockerfileParser, pinDockerfile, runnerPlatform } from '../../src/verify-base/dockerfile.js';

before(loadDockerfileParser);

const images = (text: string, args: Record<string, string> = {}) =>
  baseImages(text, { buildArgs: args, platform: 'linux/amd64', buildPlatform: 'linux/amd64' }).map((b) => [
    b.kind,
    b.image,
    b.line,
    b.stage ?? null,
    b.platform ?? null,
  ]);

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
    ['syntax', 'docker/dockerfile:1', 1, null, null],
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
      () => baseImages(text, { source: 'ci/Dockerfile' }),
      (e: unknown) => e instanceof NotarySignError && e.code === 'INPUT' && pattern.test(e.message),
      pattern.source,
    );
  bad('FROM\n', /^ci\/Dockerfile:1: FROM has no image/);
  bad(
    'ARG BASE\nFROM $BASE\n',
    /^ci\/Dockerfile:2: BASE has no value in "\$BASE"; give ARG BASE a default before the first FROM or pass --build-arg BASE=…/,
  );
  bad('ARG REG\nFROM reg.example/${REG}alpine\n', /^ci\/Dockerfile:2: REG has no value in "reg.example\/\$\{REG\}alpine"/);
  bad('FROM a\nCOPY --from=$UNDECLARED / /\n', /^ci\/Dockerfile:2: UNDECLARED has no value/);
  bad('ARG E=\nFROM ${E}\n', /^ci\/Dockerfile:2: FROM \$\{E\} expands to nothing; pass --build-arg/);
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

// moby/buildkit frontend/dockerfile/parser/directives.go (DetectSyntax) and builder/build.go (BUILDKIT_SYNTAX first).
test('the build frontend is found exactly where BuildKit finds it', () => {
  const frontend = (text: string, buildArgs: Record<string, string> = {}) =>
    baseImages(text, { buildArgs })
      .filter((b) => b.kind === 'syntax')
      .map((b) => [b.image, b.line, b.span ? text.slice(b.span.start, b.span.end) : null]);
  const cases: [string, string, Record<string, string>, (string | number | null)[][]][] = [
    ['plain', '# syntax=reg.example/front:1\nFROM alpine\n', {}, [['reg.example/front:1', 1, 'reg.example/front:1']]],
    [
      'BOM, key case, spaces, extra words',
      '\uFEFF#  SYNTAX =  reg.example/front:1 --opt x  \r\nFROM alpine\n',
      {},
      [['reg.example/front:1', 1, 'reg.example/front:1']],
    ],
    [
      'after a shebang line',
      '#!/usr/bin/env buildctl\n# syntax=reg.example/front:1\nFROM a\n',
      {},
      [['reg.example/front:1', 2, 'reg.example/front:1']],
    ],
    [
      'after other directives',
      '# escape=`\n# check=skip=all\n#syntax=reg.example/front:1\nFROM a\n',
      {},
      [['reg.example/front:1', 3, 'reg.example/front:1']],
    ],
    [
      'a second syntax directive stops parsing',
      '# syntax=reg.example/one\n# syntax=reg.example/two\nFROM a\n',
      {},
      [['reg.example/one', 1, 'reg.example/one']],
    ],
    ['C-style directive', '// syntax=reg.example/front:1\nFROM a\n', {}, [['reg.example/front:1', 1, 'reg.example/front:1']]],
    ['a JSON document', '{"syntax": "reg.example/front:1"}', {}, [['reg.example/front:1', 1, 'reg.example/front:1']]],
    [
      'BUILDKIT_SYNTAX wins over the directive',
      '# syntax=reg.example/front:1\nFROM a\n',
      { BUILDKIT_SYNTAX: ' reg.example/other:2 x' },
      [['reg.example/other:2', 0, null]],
    ],
    ['after a comment: not a directive', '# hello\n# syntax=reg.example/front:1\nFROM a\n', {}, []],
    ['after a blank line: not a directive', '\n# syntax=reg.example/front:1\nFROM a\n', {}, []],
    ['after an unknown directive: not a directive', '# unknown=1\n# syntax=reg.example/front:1\nFROM a\n', {}, []],
    ['after an instruction: a comment', 'FROM a\n# syntax=reg.example/front:1\n', {}, []],
  ];
  for (const [name, text, args, expected] of cases) assert.deepEqual(frontend(text, args), expected, name);
});

test('the frontend image is pinned in its directive', () => {
  const df = '# syntax=docker/dockerfile:1.9\nFROM alpine:3.20\n';
  const digest = `sha256:${'1'.repeat(64)}`;
  const pinned = pinDockerfile(
    df,
    baseImages(df).map((b) => ({ ...(b.span ? { span: b.span } : {}), pinned: `${b.image}@${digest}` })),
  );
  assert.equal(pinned, `# syntax=docker/dockerfile:1.9@${digest}\nFROM alpine:3.20@${digest}\n`);
});

test('automatic platform ARGs always have the platform values', () => {
  const df = 'FROM --platform=$BUILDPLATFORM reg.example/go:${TARGETOS}-${TARGETARCH} AS b\nFROM reg.example/base:${TARGETVARIANT:-none}\n';
  const found = (opts: Parameters<typeof baseImages>[1]) => baseImages(df, opts).map((b) => [b.image, b.platform ?? null]);
  assert.deepEqual(found({ platform: 'linux/arm/v7', buildPlatform: 'linux/amd64' }), [
    ['reg.example/go:linux-arm', 'linux/amd64'],
    ['reg.example/base:v7', null],
  ]);
  const [os, arch] = runnerPlatform().split('/');
  assert.deepEqual(found({}), [
    [`reg.example/go:${os}-${arch}`, runnerPlatform()],
    ['reg.example/base:none', null],
  ]);
});

// Issue 13 §1: each way a Dockerfile can show the gate one thing and BuildKit another, with its own message.
test('constructs the gate cannot read as BuildKit does fail closed, naming the line', () => {
  const refused = (text: string, pattern: RegExp) =>
    assert.throws(
      () => baseImages(text, { source: 'Dockerfile' }),
      (e: unknown) => e instanceof NotarySignError && e.code === 'INPUT' && pattern.test(e.message),
      pattern.source,
    );
  refused('FROM a\nRUN <<E"O"F\necho hi\nEOF\nFROM evil\n', /^Dockerfile:5: "FROM evil" is not read as an instruction here/);
  refused(
    'FROM a\nRUN <<E"O"F\nx\nEOF\nRUN --mount=from=evil,target=/e true\n',
    /^Dockerfile:5: "RUN --mount=from=evil,target=\/e true" is not read/,
  );
  refused('FROM a\nONBUILD RUN <<E"O"F\nx\nEOF\nCOPY --from=evil / /\n', /^Dockerfile:5: "COPY --from=evil \/ \/" is not read/);
  refused('FROM a\nRUN <<EOF\ncat > Dockerfile.inner <<X\nFROM inner\nX\nEOF\n', /^Dockerfile:4: "FROM inner" is not read/);
  refused('FROM a\nCOPY --f"rom"=evil /x /y\n', /^Dockerfile:2: flag --f"rom" is written with quotes or escapes, which BuildKit removes/);
  refused("FROM a\nRUN --m'ount'=from=evil true\n", /^Dockerfile:2: flag --m'ount' is written with quotes/);
  refused(
    'FROM a\nRUN --mount="type=bind,from=evil" true\n',
    /^Dockerfile:2: --mount="type=bind,from=evil" uses quotes, which notary-sign does not read yet/,
  );
});

test('heredocs, continuations and RUN --mount read as BuildKit reads them', () => {
  const seen = (text: string) => baseImages(text).map((b) => [b.kind, b.image, b.line]);
  assert.deepEqual(seen('FROM a\nRUN <<EOF\napt-get update\nEOF\nFROM b\n'), [
    ['from', 'a', 1],
    ['from', 'b', 5],
  ]);
  assert.deepEqual(seen('FROM a\nRUN <<-EOF\n\techo\n\tEOF\nFROM b\n'), [
    ['from', 'a', 1],
    ['from', 'b', 5],
  ]);
  assert.deepEqual(seen('FROM a\nRUN <<A <<B\na\nA\nb\nB\nFROM b\n'), [
    ['from', 'a', 1],
    ['from', 'b', 7],
  ]);
  assert.deepEqual(seen('FROM a\nRUN echo \\\n  FROM not-an-image\nFROM b\n'), [
    ['from', 'a', 1],
    ['from', 'b', 4],
  ]);
  assert.deepEqual(seen('# escape=`\nFROM a\nRUN echo `\n  FROM not-an-image\nFROM b\n'), [
    ['from', 'a', 2],
    ['from', 'b', 5],
  ]);
  // Script lines in a heredoc body that do not have an instruction's grammar stay script lines.
  const python = 'FROM a\nRUN python3 <<EOF\nfrom os import path\nfrom x import (y)\nrun = copy = 1\nEOF\nFROM b\n';
  assert.deepEqual(seen(python), [
    ['from', 'a', 1],
    ['from', 'b', 7],
  ]);
  // parseMount: keys in any case, the last from= wins.
  assert.deepEqual(seen('FROM a\nRUN --mount=type=bind,from=good,FROM=evil,target=/x true\n'), [
    ['from', 'a', 1],
    ['run-mount', 'evil', 2],
  ]);
  const df = 'FROM a\nRUN --mount=type=cache,From=reg.example/c:1,target=/c true\n';
  const pinned = pinDockerfile(
    df,
    baseImages(df).map((b) => ({ ...(b.span ? { span: b.span } : {}), pinned: `${b.image}@sha256:${'2'.repeat(64)}` })),
  );
  assert.equal(
    pinned,
    `FROM a@sha256:${'2'.repeat(64)}\nRUN --mount=type=cache,From=reg.example/c:1@sha256:${'2'.repeat(64)},target=/c true\n`,
  );
});
