import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as asn1js from 'asn1js';
import { timestampQuery } from '../../src/crypto/timestamp.js';

// A TimeStampReq's nonce must be a minimal DER INTEGER: OpenSSL's TSA answers "status 2, bad request
// format" to a leading 0x00 byte, which random nonces produced about once in 256 requests.
test('timestamp queries always carry a minimal, positive DER nonce', async () => {
  for (let i = 0; i < 2000; i++) {
    const { der, nonce } = await timestampQuery(Buffer.from(`signature ${i}`), 'sha256');
    const req = asn1js.fromBER(new Uint8Array(der).buffer).result as asn1js.Sequence;
    const integer = req.valueBlock.value.find(
      (v): v is asn1js.Integer => v instanceof asn1js.Integer && v.valueBlock.valueHexView.length > 1,
    );
    assert.ok(integer, 'the request has a nonce');
    const bytes = Buffer.from(integer.valueBlock.valueHexView);
    assert.deepEqual(bytes, nonce);
    assert.ok(bytes[0]! >= 0x01 && bytes[0]! <= 0x7f, `nonce ${bytes.toString('hex')} is not minimal and positive`);
  }
});
