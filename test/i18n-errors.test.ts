/**
 * socklab's own errors carry a catalogue key: the CLI shows them in the user's language, and
 * the English `message` library users see is the same sentence as the English catalogue's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAddress } from "../src/address.js";
import { escapeControls } from "../src/display.js";
import { AddressError, UsageError } from "../src/errors.js";
import { en } from "../src/i18n/en.js";
import { describeErrorIn } from "../src/i18n/format.js";
import { exclusive, noExtra, octalMode, positiveSeconds, usage } from "../src/cli/args.js";

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
    // The line for a person shows control characters escaped (a NUL as \x00); the message keeps them.
    assert.equal(describeErrorIn(err, "en"), escapeControls(err.message), `English catalogue and library message agree for ${JSON.stringify(text)}`);
    const spanish = describeErrorIn(err, "es");
    assert.match(spanish, /^dirección incorrecta /, spanish);
    assert.ok(spanish.includes(escapeControls(text)), `the Spanish message names the address: ${spanish}`);
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

test("the shared option checks of src/cli/args.ts: one-line usage errors with catalogue keys", () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => positiveSeconds({ "max-time": "0" }, "max-time"), /^--max-time needs a number of seconds greater than 0 \(e\.g\. 10 or 1\.5\), got "0"$/],
    [() => positiveSeconds({ "idle-timeout": "1e3" }, "idle-timeout"), /got "1e3"$/],
    [() => octalMode({ mode: "7777" }), /^--mode needs octal permission bits like 600 or 660, got "7777"$/],
    [() => exclusive({ "4": true, "6": true }, "4", "6"), /^-4 and -6 exclude each other$/],
    [() => noExtra(["x"]), /^unexpected argument "x"$/],
  ];
  for (const [run, message] of cases) {
    assert.throws(run, (err: unknown) => err instanceof UsageError && err.messageKey !== undefined && message.test(err.message));
  }
  assert.equal(positiveSeconds({ t: "1.5" }, "t"), 1500);
  assert.equal(octalMode({ mode: "0660" }), 0o660);
  assert.equal(describeErrorIn(usage("usage.bad-positive-seconds", { option: "--max-time", value: "0" }), "es"), '--max-time necesita un número de segundos mayor que 0 (p. ej. 10 o 1,5), no "0"');
});
