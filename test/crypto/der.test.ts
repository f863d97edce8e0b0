import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { childrenOf, oidOf, readTlv, textOf, timeOf } from '../../src/crypto/der.js';

/** The DER reader of the certificate hot path, held to asn1js (the library it stands in for) on the same bytes. */
const ber = (el: { toBER(): ArrayBuffer }) => Buffer.from(el.toBER());

test('directory strings decode as asn1js decodes them', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
      for (const Type of [asn1js.Utf8String, asn1js.BmpString, asn1js.UniversalString]) {
        if (Type === asn1js.BmpString && [...text].some((c) => c.codePointAt(0)! > 0xffff)) continue;
        const encoded = ber(new Type({ value: text }));
        assert.equal(textOf(readTlv(encoded)), new Type({ value: text }).valueBlock.value);
      }
    }),
  );
  assert.equal(textOf(readTlv(ber(new asn1js.PrintableString({ value: 'Contoso Ltd.' })))), 'Contoso Ltd.');
  assert.equal(textOf(readTlv(ber(new asn1js.VisibleString({ value: 'x' })))), undefined, 'not a directory string');
});

test('UTCTime and GeneralizedTime give the instants asn1js gives', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2049-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
      const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
      assert.equal(timeOf(readTlv(ber(new asn1js.UTCTime({ valueDate: whole })))).getTime(), whole.getTime());
      assert.equal(timeOf(readTlv(ber(new asn1js.GeneralizedTime({ valueDate: d })))).getTime(), d.getTime());
    }),
  );
});

test('OIDs, nesting, and what DER forbids', () => {
  for (const id of ['2.5.29.15', '1.3.6.1.5.5.7.3.3', '0.9.2342.19200300.100.1.25', '2.999.1'])
    assert.equal(oidOf(readTlv(ber(new asn1js.ObjectIdentifier({ value: id })))), id);
  const seq = readTlv(ber(new asn1js.Sequence({ value: [new asn1js.Boolean({ value: true }), new asn1js.Integer({ value: 3 })] })));
  assert.deepEqual(
    childrenOf(seq).map((c) => c.tagNumber),
    [1, 2],
  );
  assert.throws(() => readTlv(Buffer.from([0x30, 0x80, 0x00, 0x00])), /indefinite length/);
  assert.throws(() => readTlv(Buffer.from([0x30, 0x05, 0x01])), /truncated/);
  assert.throws(() => readTlv(Buffer.from([0x04, 0x85, 1, 0, 0, 0, 0])), /length too large/);
});
