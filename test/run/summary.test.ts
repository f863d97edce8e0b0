import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { literal, migrateSummary, signSummary, verifySummary } from '../../src/run/summary.js';
import type { ImageVerification } from '../../src/verify/verify.js';

// GitHub renders summaries as GFM: tables, raw HTML and bare-URL autolinks (linkify) all on.
const md = new MarkdownIt({ html: true, linkify: true });
const render = (markdown: string) => md.render(markdown);
/** Elements a hostile string must never produce: anything but the table, code spans and our own <br>. */
const FORBIDDEN = /<(?!\/?(?:table|thead|tbody|tr|th|td|code|br|h3|h4|p)\b)[a-z]/i;

const HOSTILE = [
  'CN=**OK** [rerun here](https://evil.example/x)',
  'CN=<img src=x onerror=alert(1)>, O=<script>alert(1)</script>',
  'CN=`code` ``two`` | cell | break',
  'O=visit https://evil.example/a or www.evil.example now',
  'CN=![x](https://evil.example/pixel.png)\n# heading\n- list',
  'CN=_under_ ~~strike~~ <details open>',
];

const rejected = (signer: string, reason: string): ImageVerification => ({
  image: `reg.example/app:v1`,
  reference: 'reg.example/app@sha256:' + 'a'.repeat(64),
  descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'a'.repeat(64), size: 1 },
  outcome: 'rejected',
  verified: false,
  reason,
  signatures: [
    {
      signatureDigest: 'sha256:' + 'b'.repeat(64),
      verified: false,
      signer,
      results: [],
      failure: reason,
    },
  ],
  warnings: [],
});

test('a rejected signature’s subject and reason render as text: no bold, link, image, HTML or extra row', () => {
  for (const hostile of HOSTILE) {
    const html = render(verifySummary([rejected(hostile, `authenticity: ${hostile}`)], hostile));
    assert.doesNotMatch(html, /<(strong|em|a|img|script|h1|ul|li|details|del|s)\b/, hostile);
    assert.doesNotMatch(html, FORBIDDEN, hostile);
    assert.equal(html.match(/<tr>/g)?.length, 2, `one header row and one image row: ${hostile}`);
  }
});

test('literal() shows any text exactly, as one code span, whatever it contains', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
      const flat = text.replace(/[\r\n]+/g, ' ');
      fc.pre(flat.trim() !== '' && !flat.includes('\u0000'));
      const html = render(`| a |\n| --- |\n| ${literal(text)} |\n`);
      assert.doesNotMatch(html, FORBIDDEN);
      const cell = /<td><code>([\s\S]*)<\/code><\/td>/.exec(html);
      assert.ok(cell, html);
      const shown = md.utils
        .unescapeAll(cell[1]!)
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
      // CommonMark strips one space from each end of a code span that has one on both sides.
      assert.equal(shown.trim(), flat.trim());
    }),
    { numRuns: 400 },
  );
});

test('the sign summary lists images not signed with their reason, after those signed', () => {
  const markdown = signSummary(
    [
      {
        image: 'reg.example/a:v1',
        signedReference: 'reg.example/a@sha256:' + 'c'.repeat(64),
        signedDigest: 'sha256:' + 'c'.repeat(64),
        signedMediaType: 'application/vnd.oci.image.manifest.v1+json',
        signatureDigest: 'sha256:' + 'd'.repeat(64),
        envelopeDigest: 'sha256:' + 'e'.repeat(64),
        storage: 'referrers-tag',
        keyId: 'local key k.pem',
        signingTime: '2026-11-27T00:00:00Z',
      },
    ],
    [{ image: 'reg.example/b:v1', reason: 'registry reg.example refused PUT manifest **now** (405)' }],
  );
  assert.match(markdown, /^### notary-sign: 1 of 2 images not signed$/m);
  const html = render(markdown);
  assert.match(html, /✅ signed[\s\S]*❌ not signed/);
  assert.match(html, /<code>registry reg.example refused PUT manifest \*\*now\*\* \(405\)<\/code>/);
});

test('a migration summary shows signed target names, reasons and GUNs as text, ignored targets included', () => {
  for (const hostile of HOSTILE) {
    const tag = { digest: 'sha256:' + 'c'.repeat(64), size: 1, role: 'targets' as const, roleVersion: 2, keyIds: ['k'] };
    const html = render(
      migrateSummary(
        [
          {
            gun: `reg.example/${hostile}`,
            verified: true,
            notaryServer: 'https://reg.example',
            rootVersion: 1,
            rootKeyIds: [hostile],
            pinned: false,
            targetsVersion: 2,
            tags: [{ ...tag, tag: hostile, outcome: 'moved', current: null, reason: hostile }],
            ignored: [{ tag: hostile, reason: 'its name is not an image tag' }],
          },
          { gun: 'reg.example/other', verified: false, notaryServer: 'https://reg.example', reason: hostile, tags: [], ignored: [] },
        ],
        false,
      ),
    );
    assert.doesNotMatch(html, /<(strong|em|a|img|script|h1|ul|li|details|del|s)\b/, hostile);
    assert.doesNotMatch(html, FORBIDDEN, hostile);
    assert.equal(html.match(/<tr>/g)?.length, 3, `header, the moved tag and the ignored target: ${hostile}`);
  }
});
