// The union rule against a brute-force model: lists of IPv4 blocks no longer than /4 cover the whole
// address space exactly when every one of the sixteen /4 blocks lies inside some entry.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { validateGatewayPoolArgs } from "../../components";
import { coversWholeFamily, parseCidr } from "../../components/schema";
import { baseArgs } from "../helpers/pool-harness";

const block = fc
  .integer({ min: 1, max: 4 })
  .chain((prefix) =>
    fc
      .integer({ min: 0, max: 2 ** prefix - 1 })
      .map((n) => `${(n << (8 - prefix)) & 0xff}.0.0.0/${prefix}`),
  );

const model = (cidrs: string[]): boolean =>
  Array.from({ length: 16 }, (_, i) => i << 4).every((first) =>
    cidrs.some((c) => {
      const [address, prefix] = c.split("/");
      const size = 256 >> Number(prefix);
      const start = Number(address.split(".")[0]);
      return first >= start && first < start + size;
    }),
  );

test("property: a CIDR list is world-open exactly when its union is the whole IPv4 space", () => {
  fc.assert(
    fc.property(fc.uniqueArray(block, { minLength: 1, maxLength: 12 }), (cidrs) => {
      const whole = model(cidrs);
      assert.equal(
        coversWholeFamily(
          cidrs.map((c) => parseCidr(c)!),
          4,
        ),
        whole,
      );
      const problems = validateGatewayPoolArgs(
        baseArgs({ access: { mailStoreServerCidrs: ["198.51.100.10/32"], adminCidrs: cidrs } }),
      );
      assert.equal(
        problems.some((p) => p.includes("together cover every IPv4 address")),
        whole,
        problems.join("\n"),
      );
    }),
    { numRuns: 500, seed: 20261129 },
  );
});
