/**
 * socklab's own errors carry a catalogue key: the CLI shows them in the user's language, and
 * the English `message` library users see is the same sentence as the English catalogue's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAddress } from "../src/address.js";
import { AddressError, UsageError } from "../src/errors.js";
import { en } from "../src/i18n/en.js";
import { describeErrorIn } from "../src/i18n/format.js";
import { usage } from "../src/cli/args.js";

/** One bad address per reason. */
const BAD_ADDRESSES = [
  "tcp://127.0.0.1:http",
  "tcp://127.0.0.1:99999",
  "tcp://[::1:9000",
  "tcp://[zz]:9000",
  "tcp://[::1]9000",
  "tcp://localhost",
  "tcp://::1:9000",
  "tcp://:9000",
  "tcp://127.0.0.1:",
  "tcp://a b:9000",
  "unix:",
  "abstract:",
  "unix:/tmp/a\0b",
  "abstract-dgram:a\0b",
  `unix:/tmp/${"x".repeat(120)}`,
  `abstract:${"y".repeat(120)}`,
  "9000",
  "localhost:9000",
  "ftp://127.0.0.1:21",
];

function addressError(text: string): AddressError {
  try {
    parseAddress(text);
  } catch (err) {
    assert.ok(err instanceof AddressError, `${JSON.stringify(text)}: ${String(err)}`);
    return err;
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
}

test("every address error has a catalogue key, and its English text is the library's message", () => {
  const keys = new Set<string>();
  for (const text of BAD_ADDRESSES) {
    const err = addressError(text);
    assert.ok(err.messageKey?.startsWith("address."), `${text}: key ${err.messageKey}`);
    keys.add(err.messageKey!);
    assert.equal(err.code, "ERR_BAD_ADDRESS");
    assert.equal(describeErrorIn(err, "en"), err.message, `English catalogue and library message agree for ${JSON.stringify(text)}`);
    const spanish = describeErrorIn(err, "es");
    assert.match(spanish, /^dirección incorrecta /, spanish);
    assert.ok(spanish.includes(text.replace(/\0/g, "\0")), `the Spanish message names the address: ${spanish}`);
  }
  // Every address key of the catalogue is reached by one of the cases above.
  const catalogued = Object.keys(en.errors).filter((k) => k.startsWith("address."));
  assert.deepEqual([...keys].sort(), catalogued.sort());
});

test("usage(key, params) builds a UsageError: English message from the catalogue, localised on demand", () => {
  const err = usage("usage.exclusive", { a: "-4", b: "-6" });
  assert.ok(err instanceof UsageError);
  assert.equal(err.code, "ERR_USAGE");
  assert.equal(err.message, "-4 and -6 exclude each other");
  assert.equal(describeErrorIn(err, "es"), "-4 y -6 se excluyen");
});
